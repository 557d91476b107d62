/**
 * At most N queries at once per connection; the rest wait in order, and each waiter can
 * see its place (GET /api/runs/:id shows "queued, 2 ahead").
 */
export class ConnectionQueue {
  private running = 0;
  private readonly waiting: Array<{ grant: () => void; ticket: object }> = [];

  constructor(private limit: number) {}

  /** Changes the limit (a saved connection's maxConnections); waiters start as slots free. */
  setLimit(limit: number): void {
    this.limit = limit;
    this.pump();
  }

  get active(): number {
    return this.running;
  }

  /** Waiters ahead of `ticket`, or -1 when it is not waiting. */
  position(ticket: object): number {
    return this.waiting.findIndex((w) => w.ticket === ticket);
  }

  /**
   * Resolves with a release function when a slot is free. `ticket` identifies the waiter
   * for `position`; aborting `signal` leaves the queue.
   */
  acquire(ticket: object, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.running--;
        this.pump();
      };
      const entry = {
        ticket,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.running++;
          resolve(release);
        }
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.limit && this.waiting.length > 0) this.waiting.shift()!.grant();
  }
}
