/**
 * One run's hold on a pooled connection: the transaction around it, cancellation that
 * really stops the backend, and giving the connection back clean — or destroying it when
 * it broke, so the pool never hands out a connection in an unknown state.
 */
import type { PoolClient } from 'pg';

/** After a consumer stops early, how long a finishing statement may take before it is cancelled. */
const GRACE_MS = 100;
/** How long a cancelled statement may take to stop before its connection is destroyed instead. */
const STOP_TIMEOUT_MS = 10_000;
/** A cancel that reached the backend between statements does nothing; repeat it this often while ours runs. */
const RECANCEL_MS = 500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

export class Session {
  /** Set when the connection failed; it is then destroyed instead of returned. */
  broken: unknown = null;
  /** A statement of this run is outstanding on the backend. */
  private active = false;
  private finished = false;
  private cancelling: Promise<void> | null = null;

  constructor(
    readonly client: PoolClient,
    /** Runs `pg_cancel_backend` for this backend on another connection. */
    private readonly cancelBackend: (pid: number) => Promise<void>,
    private readonly signal: AbortSignal | undefined
  ) {
    client.on('error', this.onError);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The backend's process id (from BackendKeyData). */
  get pid(): number {
    return (this.client as unknown as { processID: number }).processID;
  }

  /** Runs `work` as an outstanding statement: an abort meanwhile cancels it on the backend. */
  async statement<T>(work: () => Promise<T>): Promise<T> {
    this.signal?.throwIfAborted();
    this.active = true;
    try {
      return await work();
    } finally {
      this.active = false;
    }
  }

  /** Marks a streaming statement as outstanding (its generator calls {@link ended}). */
  started(): void {
    this.signal?.throwIfAborted();
    this.active = true;
  }

  ended(): void {
    this.active = false;
  }

  /**
   * The consumer stopped before the statement ended: let it finish briefly (a capped
   * result is one row from its end), else cancel it, and read what is left so the
   * connection is back in step. `readRest` resolves (or rejects) when the statement ended.
   */
  async stop(readRest: () => Promise<unknown>): Promise<void> {
    if (this.broken) return;
    const rest = readRest().then(
      () => true,
      () => true
    );
    if (await Promise.race([rest, sleep(GRACE_MS).then(() => false)])) return;
    void this.keepCancelling();
    if (!(await Promise.race([rest, sleep(STOP_TIMEOUT_MS).then(() => false)]))) {
      this.broken = new Error('the query did not stop after it was cancelled');
    }
  }

  /**
   * Ends the transaction (COMMIT after success when `commit`, else ROLLBACK), releases the
   * session's advisory locks, and returns or destroys the connection. Idempotent.
   */
  async finish(failure: unknown, commit: boolean): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    // A cancel still in flight must land before the connection serves anyone else.
    await this.cancelling;
    if (!this.broken) {
      try {
        // Session-level advisory locks (`pg_advisory_lock`) survive ROLLBACK: a lock taken by
        // one run must not stay held by the pooled connection while others wait on it.
        await this.client.query(`${failure === null && commit ? 'COMMIT' : 'ROLLBACK'}; select pg_advisory_unlock_all()`);
      } catch (err) {
        this.broken = err;
      }
    }
    this.client.removeListener('error', this.onError);
    this.client.release(this.broken ? (this.broken instanceof Error ? this.broken : new Error(String(this.broken))) : undefined);
  }

  private readonly onError = (err: Error): void => {
    // The socket failed; node-postgres also fails the active query. Without this listener
    // the client's 'error' event would crash the process.
    this.broken = err;
  };

  private readonly onAbort = (): void => {
    void this.keepCancelling();
  };

  /** Cancels until our statement is no longer outstanding (a cancel arriving between statements is ignored by PostgreSQL). */
  private async keepCancelling(): Promise<void> {
    while (this.active && !this.finished && !this.broken) {
      await this.cancel();
      await sleep(RECANCEL_MS);
    }
  }

  private cancel(): Promise<void> {
    const run = (this.cancelling ?? Promise.resolve()).then(() =>
      this.finished && !this.active
        ? undefined
        : this.cancelBackend(this.pid).catch((err) => {
            // Could not reach the server to cancel: do not trust this connection again.
            this.broken = err;
          })
    );
    this.cancelling = run;
    return run;
  }
}
