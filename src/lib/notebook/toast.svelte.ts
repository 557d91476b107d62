/** One transient message at the bottom of the page, with an optional action ("Undo"). */
export interface ToastMessage {
  id: number;
  text: string;
  action?: { label: string; run: () => void };
}

export class Toasts {
  current = $state<ToastMessage | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #next = 1;

  /** Show `text` for a few seconds, replacing whatever was showing. */
  show(text: string, action?: ToastMessage['action'], ms = 6000): void {
    clearTimeout(this.#timer);
    const id = this.#next++;
    this.current = { id, text, action };
    this.#timer = setTimeout(() => {
      if (this.current?.id === id) this.current = null;
    }, ms);
  }

  dismiss(): void {
    clearTimeout(this.#timer);
    this.current = null;
  }
}
