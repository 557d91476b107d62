/**
 * Light/dark theme: follows `prefers-color-scheme` until the user picks one, then remembers the
 * pick in localStorage. The theme is the `data-theme` attribute on <html>; colours are CSS
 * variables in app.css, so editors and components follow without re-rendering.
 */
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'cairn-theme';

function readStored(): Theme | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'light' || v === 'dark' ? v : null;
  } catch (e) {
    console.warn('theme: storage unavailable', e);
    return null;
  }
}

function systemTheme(): Theme {
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

class ThemeState {
  /** The theme in effect now. */
  current = $state<Theme>('light');
  #stored: Theme | null = null;

  /** Read the stored choice and follow the system setting while there is none. Call once. */
  init(): void {
    this.#stored = readStored();
    this.#apply(this.#stored ?? systemTheme());
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      if (this.#stored === null) this.#apply(systemTheme());
    });
  }

  /** Switch to the other theme and remember it. */
  toggle(): void {
    const next: Theme = this.current === 'dark' ? 'light' : 'dark';
    this.#stored = next;
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch (e) {
      console.warn('theme: could not store the choice', e);
    }
    this.#apply(next);
  }

  #apply(theme: Theme): void {
    this.current = theme;
    document.documentElement.dataset.theme = theme;
  }
}

/** The app's one theme state. */
export const theme = new ThemeState();
