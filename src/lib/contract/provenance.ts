/**
 * Provenance of a result (README.md, "Provenance"): where the value behind a
 * `data-result-key` came from. The answer shape, and the body a browser posts after a run
 * on its own engine, validated by the server and typed for the client.
 */
import { z } from 'zod';

/** A result key is the SHA-256 hex of what the cell computed from (kernels/graph/cell-key.ts). */
export const RESULT_KEY = /^[0-9a-f]{64}$/;
const ResultKey = z.string().regex(RESULT_KEY, 'must be a result key (64 hex digits)');

/** Largest cell source a browser run may report (a bigger cell is not a cell anyone typed). */
export const MAX_PROVENANCE_SOURCE = 200_000;
/** Most inputs a run may name. */
export const MAX_PROVENANCE_INPUTS = 200;
/** Largest bound parameters, as JSON text. */
export const MAX_PROVENANCE_PARAMS_BYTES = 64 * 1024;

/** The inputs a server run was computed from, sent beside `POST /api/query` so its result resolves by key. */
export const RunProvenance = z.object({
  resultKey: ResultKey,
  inputs: z.array(ResultKey).max(MAX_PROVENANCE_INPUTS)
});
export type RunProvenance = z.infer<typeof RunProvenance>;

/** `POST /api/notebooks/:id/provenance`: a successful run on the browser's own engine. */
export const BrowserRunBody = z
  .object({
    resultKey: ResultKey,
    cellId: z.string().min(1).max(100),
    kind: z.enum(['sql', 'js', 'chart']),
    /** The text that ran: the SQL, the JS cell's source, or the chart's aggregation query. */
    source: z.string().max(MAX_PROVENANCE_SOURCE),
    /** Bound parameters by name (inputs' values; a chart's settings). */
    params: z.record(z.string().max(200), z.unknown()).refine((p) => JSON.stringify(p).length <= MAX_PROVENANCE_PARAMS_BYTES, 'is too large'),
    inputs: z.array(ResultKey).max(MAX_PROVENANCE_INPUTS),
    durationMs: z.number().finite().min(0).max(7 * 24 * 3600_000),
    rows: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
    /** SHA-256 hex of the result's Arrow IPC stream bytes (a JS value: of its canonical JSON text). */
    resultHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest')
  })
  .strict();
export type BrowserRunBody = z.infer<typeof BrowserRunBody>;

/** `GET /api/notebooks/:id/provenance/:resultKey` (and a report's, without hidden source). */
export interface Provenance {
  resultKey: string;
  cellId: string;
  /** The cell's name when it was answered (it may have been renamed since the run). */
  cellName: string | null;
  kind: 'sql' | 'js' | 'chart';
  /** `browser` or the server connection id the cell runs on. */
  engine: string;
  connectionId?: string;
  /** Absent where a report hides the cell's code. */
  source?: string;
  sourceHash: string;
  params: unknown;
  user: { id: string; name: string } | null;
  /** ISO 8601. */
  at: string;
  durationMs: number;
  rows: number | null;
  resultHash: string;
  inputs: string[];
  /** The audit-log run (server runs). */
  runId?: string;
}
