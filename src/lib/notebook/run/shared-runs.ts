/**
 * Shared runs (src/lib/doc/schema.ts, "runs"): running a cell writes `{runId, by, at}` under its id in
 * the document's `runs` map, and every open copy of the notebook — this one included —
 * runs that cell when its runId changes. So a run started anywhere is seen everywhere,
 * with who started it.
 */
import * as Y from 'yjs';
import { RUNS } from '$doc';

/** One run request as stored in the document. */
export interface RunRequest {
  runId: string;
  /** Display name of whoever started it. */
  by: string;
  /** ISO 8601 time it was started. */
  at: string;
  /**
   * Recompute even when the cell's result is up to date (clicking a cell's Run). "Run all"
   * leaves it false: cells whose inputs did not change keep their results.
   */
  refresh?: boolean;
}

export function runsOf(doc: Y.Doc): Y.Map<RunRequest> {
  return doc.getMap<RunRequest>(RUNS);
}

/** Ask every open copy to run `ids`, in one transaction (one update on the wire). */
export function requestRun(doc: Y.Doc, ids: readonly string[], by: string, origin?: unknown, refresh = false): void {
  const at = new Date().toISOString();
  doc.transact(() => {
    const runs = runsOf(doc);
    for (const id of ids) runs.set(id, { runId: randomId(), by, at, refresh });
  }, origin);
}

/**
 * Call `onRun` with the cell ids whose run request changed (locally or remotely), after
 * the transaction that changed them. Returns the unsubscribe function.
 */
export function observeRuns(doc: Y.Doc, onRun: (ids: string[], requests: Map<string, RunRequest>) => void): () => void {
  const runs = runsOf(doc);
  const handler = (event: Y.YMapEvent<RunRequest>) => {
    const requests = new Map<string, RunRequest>();
    for (const [id, change] of event.changes.keys) {
      if (change.action === 'delete') continue;
      const request = runs.get(id);
      if (isRunRequest(request)) requests.set(id, request);
    }
    if (requests.size > 0) onRun([...requests.keys()], requests);
  };
  runs.observe(handler);
  return () => runs.unobserve(handler);
}

/** The last run request of every cell, for showing who ran what when a notebook opens. */
export function readRuns(doc: Y.Doc): Map<string, RunRequest> {
  const out = new Map<string, RunRequest>();
  for (const [id, request] of runsOf(doc).entries()) if (isRunRequest(request)) out.set(id, request);
  return out;
}

function isRunRequest(value: unknown): value is RunRequest {
  const v = value as RunRequest | undefined;
  return !!v && typeof v.runId === 'string' && typeof v.by === 'string' && typeof v.at === 'string';
}

function randomId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
