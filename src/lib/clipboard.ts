/** Copying text for the user: the async Clipboard API, else the old `execCommand` path. */

/** Put `text` on the clipboard; falls back to a hidden textarea where the async API is missing or denied. Throws when both fail. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch (err) {
    console.warn('clipboard: async API unavailable, using execCommand', err);
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  const active = document.activeElement as HTMLElement | null;
  // Inside a modal <dialog> only its subtree is selectable: put the textarea there.
  (active?.closest('dialog') ?? document.body).append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  active?.focus();
  if (!ok) throw new Error('the browser refused to copy');
}
