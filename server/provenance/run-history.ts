/**
 * A notebook's run history by result key: one row per run that produced a result someone
 * saw. Server runs are written by the query service as they end and point at their
 * audit-log entry; browser runs are posted by the browser that ran them (browser-runs.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Queryable } from '../store/index.js';
import type { Provenance } from '../../src/lib/contract/provenance.js';

/** One run to record. */
export interface ResultRun {
  notebookId: string;
  resultKey: string;
  cellId: string;
  kind: Provenance['kind'];
  engine: string;
  connectionId: string | null;
  source: string;
  params: unknown;
  inputs: readonly string[];
  userId: string;
  at: Date;
  durationMs: number;
  rows: number | null;
  resultHash: string;
  runId: string | null;
  /** False when the run served a result another run computed (a cache hit, a joined shared run). */
  computed: boolean;
}

interface Row {
  result_key: string;
  cell_id: string;
  kind: Provenance['kind'];
  engine: string;
  connection_id: string | null;
  source: string;
  source_hash: string;
  params: unknown;
  inputs: unknown;
  user_id: string | null;
  user_name: string | null;
  at: Date | string;
  duration_ms: number | string;
  rows: number | string | null;
  result_hash: string;
  run_id: string | null;
}

/** The SHA-256 hex of a cell's source as it ran. */
export function sourceHash(source: string): string {
  return createHash('sha256').update(source, 'utf8').digest('hex');
}

const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);

export class RunHistory {
  constructor(private readonly db: Queryable) {}

  /** Record a run; a browser run already recorded for the same user and result is kept as it was. */
  async record(run: ResultRun): Promise<void> {
    await this.db.query(
      `insert into result_runs (id, notebook_id, result_key, cell_id, kind, engine, connection_id, source, source_hash, params, inputs, user_id, at, duration_ms, rows, result_hash, run_id, computed)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       on conflict do nothing`,
      [
        randomUUID(),
        run.notebookId,
        run.resultKey,
        run.cellId,
        run.kind,
        run.engine,
        run.connectionId,
        run.source,
        sourceHash(run.source),
        JSON.stringify(run.params ?? null),
        JSON.stringify(run.inputs),
        run.userId,
        run.at.toISOString(),
        run.durationMs,
        run.rows,
        run.resultHash,
        run.runId,
        run.computed
      ]
    );
  }

  /**
   * The provenance of `resultKey` in notebook `notebookId`, or null: the newest run that
   * computed it, else the newest that served it.
   */
  async find(notebookId: string, resultKey: string): Promise<Provenance | null> {
    const rows = await this.db.query<Row>(
      `select r.result_key, r.cell_id, r.kind, r.engine, r.connection_id, r.source, r.source_hash, r.params, r.inputs, r.user_id, u.name as user_name,
              r.at, r.duration_ms, r.rows, r.result_hash, r.run_id
       from result_runs r left join users u on u.id = r.user_id
       where r.notebook_id = $1 and r.result_key = $2
       order by r.computed desc, r.at desc limit 1`,
      [notebookId, resultKey]
    );
    const r = rows[0];
    if (!r) return null;
    return {
      resultKey: r.result_key,
      cellId: r.cell_id,
      cellName: null,
      kind: r.kind,
      engine: r.engine,
      ...(r.connection_id ? { connectionId: r.connection_id } : {}),
      source: r.source,
      sourceHash: r.source_hash,
      params: json(r.params),
      user: r.user_id ? { id: r.user_id, name: r.user_name ?? '' } : null,
      at: (r.at instanceof Date ? r.at : new Date(r.at)).toISOString(),
      durationMs: Number(r.duration_ms),
      rows: r.rows === null ? null : Number(r.rows),
      resultHash: r.result_hash,
      inputs: json(r.inputs) as string[],
      ...(r.run_id ? { runId: r.run_id } : {})
    };
  }
}
