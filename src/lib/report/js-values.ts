/**
 * The values of a report page's JS cells, by name: each cell runs in its own sandbox and
 * settles its value here; a cell reading another waits for it. A cell that waits on itself
 * through others (a cycle the notebook would have refused) fails after a while, by name,
 * instead of hanging the page.
 */
const WAIT_MS = 30_000;

export class JsValues {
  private readonly entries = new Map<string, { promise: Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  private entry(name: string) {
    let entry = this.entries.get(name);
    if (!entry) {
      let resolve!: (v: unknown) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<unknown>((res, rej) => ((resolve = res), (reject = rej)));
      promise.catch(() => undefined);
      this.entries.set(name, (entry = { promise, resolve, reject }));
    }
    return entry;
  }

  /** Cell `name`'s value once it has run; `reader` names who waits, for the error. */
  wait(name: string, reader: string): Promise<unknown> {
    const { promise } = this.entry(name);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${reader || 'This cell'} waited ${WAIT_MS / 1000} s for ${name}, which has not finished.`)), WAIT_MS);
      promise.then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e: unknown) => (clearTimeout(timer), reject(new Error(`${name} failed: ${e instanceof Error ? e.message : String(e)}`)))
      );
    });
  }

  settle(name: string, value: unknown): void {
    if (name) this.entry(name).resolve(value);
  }

  fail(name: string, error: unknown): void {
    if (name) this.entry(name).reject(error);
  }
}
