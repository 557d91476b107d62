/**
 * Runs SQL on a server connection and reads the Arrow IPC stream as it arrives, so the
 * grid can show the first rows while the rest stream in (`onProgress`). Completion,
 * truncation and mid-stream errors come from the run log (`GET /api/runs/:id`), as
 * docs/api.md says: the stream itself only ends early.
 */
import { RecordBatchReader, Table, type RecordBatch } from 'apache-arrow';
import { ApiError, type WarehouseApi } from './api.js';
import type { QueryBody } from '../contract/query.js';

/** What to run (`POST /api/query`'s body, src/lib/contract/query.ts); the client picks the run id. */
export type ServerQuery = Omit<QueryBody, 'runId'>;

export interface ServerResult {
  table: Table;
  rows: number;
  truncated: boolean;
  runId: string;
  cache: 'hit' | 'miss';
  /** When the result was computed: a cached result's age is now minus this. */
  resultAt: Date;
  rowLimit: number;
}

export interface ServerQueryOptions {
  signal?: AbortSignal;
  /** Called as batches arrive (at most every `progressMs`) with the rows so far. */
  onProgress?: (table: Table, runId: string) => void;
  progressMs?: number;
  /** Called while the server has not started answering: queued behind other queries on the connection, or running before its first rows. */
  onWaiting?: (status: { status: 'queued' | 'running'; queuePosition: number | null }) => void;
}

/** How often a waiting request asks for its run's status. */
const WAIT_POLL_MS = 600;

function randomUuid(): string {
  return crypto.randomUUID();
}

/** A run that ended with this code is run again: the server starts the next one with a wider type (docs/types.md). */
const WIDENED = 'result_widened';
/** Each retry settles at least one column for good, so a few are enough. */
const MAX_WIDENING_RETRIES = 3;

/** A run whose values outgrew the type its first rows chose. */
class ResultWidened extends Error {}

export async function runServerQuery(api: WarehouseApi, query: ServerQuery, options: ServerQueryOptions = {}): Promise<ServerResult | null> {
  for (let retry = 0; ; retry++) {
    try {
      return await runOnce(api, query, options, retry < MAX_WIDENING_RETRIES);
    } catch (err) {
      if (!(err instanceof ResultWidened)) throw err;
    }
  }
}

async function runOnce(api: WarehouseApi, query: ServerQuery, options: ServerQueryOptions, mayRetry: boolean): Promise<ServerResult | null> {
  const { signal, onProgress, progressMs = 150 } = options;
  const runId = randomUuid();
  // Aborting stops the fetch and, for a run already going, the query on the database.
  const onAbort = () => void api.cancelRun(runId).catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let response: Response;
    const stopPolling = options.onWaiting ? pollWhileWaiting(api, runId, options.onWaiting) : () => undefined;
    try {
      response = await api.request('POST', '/api/query', { ...query, runId }, { signal });
    } catch (err) {
      if (query.cacheOnly && err instanceof ApiError && err.code === 'not_cached') return null;
      throw err;
    } finally {
      stopPolling();
    }
    const cache = response.headers.get('x-cairn-cache') === 'hit' ? 'hit' : 'miss';
    const resultAt = new Date(response.headers.get('x-cairn-result-at') ?? Date.now());
    const rowLimit = Number(response.headers.get('x-cairn-row-limit') ?? Infinity);
    const reader = await RecordBatchReader.from(response.body!);
    await reader.open();
    const schema = reader.schema;
    const batches: RecordBatch[] = [];
    let rows = 0;
    let lastProgress = 0;
    for await (const batch of reader) {
      batches.push(batch);
      rows += batch.numRows;
      const now = performance.now();
      if (onProgress && now - lastProgress >= progressMs) {
        lastProgress = now;
        onProgress(new Table(schema, batches), runId);
      }
    }
    signal?.throwIfAborted();
    let truncated = response.headers.get('x-cairn-truncated') === 'true';
    // A cached result says its outcome up front; a live one (run here or joined) is in the log.
    if (!response.headers.has('x-cairn-rows')) {
      // The log is final before the response ends (see server/http/routes/query.ts).
      const run = await api.run(runId);
      if (run.status === 'error' && run.errorCode === WIDENED && mayRetry) throw new ResultWidened(run.error ?? WIDENED);
      if (run.status === 'error') throw new ApiError(400, 'query_error', run.error ?? 'The query failed after it started streaming.');
      if (run.status === 'canceled') throw new DOMException('The query was cancelled.', 'AbortError');
      truncated = run.truncated;
    }
    return { table: new Table(schema, batches), rows, truncated, runId, cache, resultAt, rowLimit };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Reports the run's status until stopped; the run is unknown (404) until the server logged it. */
function pollWhileWaiting(api: WarehouseApi, runId: string, report: NonNullable<ServerQueryOptions['onWaiting']>): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout>;
  const poll = async () => {
    try {
      const run = await api.run(runId);
      if (!stopped && (run.status === 'queued' || run.status === 'running')) report({ status: run.status, queuePosition: run.queuePosition ?? null });
    } catch {
      // not logged yet, or already over: nothing to report
    }
    if (!stopped) timer = setTimeout(poll, WAIT_POLL_MS);
  };
  timer = setTimeout(poll, WAIT_POLL_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
