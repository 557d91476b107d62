/**
 * The per-notebook event hub: server code says "this changed in notebook X" with
 * `publish(notebookId, {type, ...})`, and every reader who has that notebook open hears it
 * on `GET /api/notebooks/:id/events` (server/http/routes/notebook-events.ts).
 *
 * What an event carries: `type` names what changed (`comments`, and later versions,
 * proposals…) and the rest says which one; never content a reader could not fetch, since
 * pages refetch through the thing's own route. Events are a hint to refetch, not a log:
 * a page that reconnects refetches everything it shows, so a missed event costs nothing.
 *
 * In-process: with several server processes each process's hub reaches only its own
 * listeners (fan-out through Redis is where this would grow).
 */
import type { NotebookEvent } from '../../src/lib/contract/index.js';
import { AppError } from '../errors.js';
import { logger } from '../log.js';

const log = logger('events');

/** One open listener: a reader's event stream. */
export interface EventListener {
  userId: string;
  sessionId: string;
  /** Deliver one event; must not throw for a gone client (the stream ends itself). */
  send(event: NotebookEvent): void;
  /** End the stream for good, saying why (access lost, notebook deleted). */
  end(reason: string): void;
}

/** Whether `userId` may still read notebook `notebookId` with session `sessionId`. */
export type StillReads = (listener: EventListener, notebookId: string) => Promise<boolean>;

export class NotebookEvents {
  private readonly listeners = new Map<string, Set<EventListener>>();

  constructor(
    /** Whether a listener may still read its notebook (asked on access changes and at every heartbeat). */
    readonly stillReads: StillReads,
    /** Open streams one user may have across notebooks; more are refused with 429. */
    private readonly maxPerUser = 64
  ) {}

  /** Add a listener to notebook `notebookId`; returns the function that removes it. */
  subscribe(notebookId: string, listener: EventListener): () => void {
    if (this.countFor(listener.userId) >= this.maxPerUser) throw new AppError('rate_limited', `At most ${this.maxPerUser} open event streams per user.`, 5);
    let set = this.listeners.get(notebookId);
    if (!set) this.listeners.set(notebookId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(notebookId) === set) this.listeners.delete(notebookId);
    };
  }

  /** Tell everyone who has notebook `notebookId` open that something changed. */
  publish(notebookId: string, event: NotebookEvent): void {
    for (const listener of [...(this.listeners.get(notebookId) ?? [])]) {
      try {
        listener.send(event);
      } catch (err) {
        // One broken stream must not keep the event from the others.
        log.warn('an event listener failed', { notebookId, type: event.type, err });
      }
    }
  }

  /** End every stream on notebook `notebookId` (it was deleted). */
  close(notebookId: string, reason: string): void {
    for (const listener of [...(this.listeners.get(notebookId) ?? [])]) listener.end(reason);
  }

  /** End every stream opened with one of these sessions (signed out, or ended). */
  closeSessions(sessionIds: readonly string[], reason: string): void {
    const ended = new Set(sessionIds);
    for (const set of [...this.listeners.values()]) for (const l of [...set]) if (ended.has(l.sessionId)) l.end(reason);
  }

  /**
   * Ask again whether each listener `match` picks may still read its notebook (after a
   * member was removed or a notebook's sharing changed); those who may not are ended.
   */
  async reauthorize(match: (listener: EventListener, notebookId: string) => boolean): Promise<void> {
    const picked: [EventListener, string][] = [];
    for (const [notebookId, set] of this.listeners) for (const l of set) if (match(l, notebookId)) picked.push([l, notebookId]);
    await Promise.all(
      picked.map(async ([listener, notebookId]) => {
        const reads = await this.stillReads(listener, notebookId).catch((err) => {
          log.error('re-checking a reader failed; ending the stream to be safe', { notebookId, err });
          return false;
        });
        if (!reads) listener.end('your access to this notebook was removed');
      })
    );
  }

  /** Open listeners on one notebook (for tests). */
  count(notebookId: string): number {
    return this.listeners.get(notebookId)?.size ?? 0;
  }

  private countFor(userId: string): number {
    let n = 0;
    for (const set of this.listeners.values()) for (const l of set) if (l.userId === userId) n++;
    return n;
  }
}
