/**
 * The browser's end of a notebook's live event channel (`GET /api/notebooks/:id/events`,
 * Server-Sent Events). Listeners subscribe by event `type`; `onOpen` listeners run on every
 * (re)connection, since events missed while disconnected are not replayed: whoever shows
 * something refetches it there. A dropped stream reconnects with backoff; a stream the
 * server ended on purpose (`end`: access lost, notebook deleted) stays closed.
 */
import { getContext, setContext } from 'svelte';
import type { NotebookEvent } from '$lib/contract';

type Listener = (event: NotebookEvent) => void;

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

export class NotebookEvents {
  /** Whether the stream is open now. */
  connected = $state(false);
  /** Why the server ended the stream for good, if it did. */
  endedBecause = $state<string | null>(null);

  readonly #url: string;
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #openListeners = new Set<() => void>();
  #source: EventSource | null = null;
  #retryMs = FIRST_RETRY_MS;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #destroyed = false;

  constructor(notebookId: string) {
    this.#url = `/api/notebooks/${encodeURIComponent(notebookId)}/events`;
    this.#connect();
  }

  /** Call `fn` for every event of `type`; returns the function that stops it. */
  on(type: string, fn: Listener): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Call `fn` whenever the stream (re)opens; returns the function that stops it. */
  onOpen(fn: () => void): () => void {
    this.#openListeners.add(fn);
    return () => this.#openListeners.delete(fn);
  }

  destroy(): void {
    this.#destroyed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#source?.close();
    this.#source = null;
    this.connected = false;
  }

  #connect(): void {
    if (this.#destroyed) return;
    const source = new EventSource(this.#url, { withCredentials: true });
    this.#source = source;
    source.onopen = () => {
      this.connected = true;
      this.#retryMs = FIRST_RETRY_MS;
      for (const fn of [...this.#openListeners]) this.#safely(() => fn());
    };
    source.onmessage = (e: MessageEvent<string>) => {
      let event: NotebookEvent;
      try {
        event = JSON.parse(e.data) as NotebookEvent;
      } catch {
        console.warn('ignored a malformed notebook event', e.data);
        return;
      }
      for (const fn of [...(this.#listeners.get(event.type) ?? [])]) this.#safely(() => fn(event));
    };
    source.addEventListener('end', (e) => {
      let reason = 'ended';
      try {
        reason = (JSON.parse((e as MessageEvent<string>).data) as { reason?: string }).reason ?? reason;
      } catch {
        // The stream still ended; the reason is only for showing.
      }
      this.endedBecause = reason;
      this.destroy();
    });
    source.onerror = () => {
      this.connected = false;
      // EventSource retries by itself while the stream merely dropped; once it gives up
      // (an error answer such as 404, or the network gone), retry later ourselves.
      if (source.readyState !== EventSource.CLOSED || this.#destroyed) return;
      source.close();
      this.#timer = setTimeout(() => this.#connect(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
    };
  }

  /** One listener's failure is logged, and the others still hear the event. */
  #safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      console.error('a notebook event listener failed', err);
    }
  }
}

const KEY = Symbol('notebook-events');

/** Give the page's components its event channel (one stream per page, however many listen). */
export function setNotebookEvents(get: () => NotebookEvents | null): void {
  setContext(KEY, get);
}

export function getNotebookEvents(): (() => NotebookEvents | null) | undefined {
  return getContext<(() => NotebookEvents | null) | undefined>(KEY);
}
