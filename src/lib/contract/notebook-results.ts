/**
 * `GET /api/notebooks/:id/results`: what a notebook page paints before its engine starts.
 * Each listed cell's result is `GET /api/notebooks/:id/results/:cellId` (Arrow IPC), with
 * headers {@link RESULT_HEADERS}.
 */

/** A cell whose result the server can paint, under the key the page's graph gives it. */
export interface NotebookResultCell {
  cellId: string;
  name: string;
  kind: 'sql' | 'chart';
  /** The cell's result key in the notebook's graph now (source, engine, parameters, input keys). */
  key: string;
  /** A SQL cell's engine: `browser` or a server connection id (null for charts). */
  engine: string | null;
}

export interface NotebookResultList {
  cells: NotebookResultCell[];
  /**
   * The tables each SQL source reads, by DuckDB's parser on the server, keyed by the
   * SHA-256 (hex) of the source: the page builds its graph from these without starting
   * its own parser.
   */
  tables: Record<string, string[]>;
}

/** Headers of a painted result. */
export const RESULT_HEADERS = {
  /** The key the result was computed under. */
  key: 'x-cairn-result-key',
  /** ISO time it was computed. */
  at: 'x-cairn-result-at',
  /** Its run in the audit log. */
  runId: 'x-cairn-run-id',
  /** For a chart: the columns of its source (URI-encoded JSON `[{name, type}]`). */
  sourceColumns: 'x-cairn-source-columns'
} as const;
