/**
 * Running a SQL cell whose engine is a server connection. The SQL is composed with the
 * cells it reads on the same connection (kernels/graph/server-sql.ts), sent to
 * `POST /api/query`, and shown while it streams. Cached results follow
 * stale-while-revalidate: opening a notebook shows the last result at once with its age,
 * and refreshes it in the background when it is older than the cell's TTL.
 *
 * Every open copy of a notebook runs a shared run (README.md), so each copy asks the
 * server for it under the run's id: the first request runs the query, the others join it
 * or read its cached result — the warehouse sees one query, and everyone the same rows.
 */
import type { Table } from 'apache-arrow';
import { composeServerSql, parameterInputs, type Graph, type GraphCell } from '$kernels/graph/index.js';
import { KINDS } from '$kernels/connection-kinds.js';
import type { SqlDialect } from '$kernels/sql-ident.js';
import { ApiError, runServerQuery, type ConnectionKind, type ServerQuery, type ServerResult, type WarehouseApi } from '$lib/warehouse';

import { CellRunError, type CellOutput } from './executor';
import { serverRunProvenance } from './provenance';

/** How the run of a cell was asked for, from the shared `runs` map. */
export interface RunAsk {
  /** The shared run's id: copies asking under one token share one execution. */
  token: string;
  /** Asked while this page was open (rather than found there when the notebook opened). */
  live: boolean;
  /** A cell's own Run (fresh from the warehouse), not "Run all" (a young cached result will do). */
  refresh: boolean;
  /** ISO 8601 time the run was asked for. */
  at: string;
}

/** How a server result came to the page, for the cell's status line. */
export interface ServerOrigin {
  connectionId: string;
  runId: string;
  cache: 'hit' | 'miss';
  resultAt: Date;
  rowLimit: number;
  /** Rows are still arriving. */
  streaming: boolean;
  /** An older cached result shown while a fresh one is computed. */
  refreshing: boolean;
}

/** A server cell's connection as the page knows it. */
export interface ServerConnection {
  name: string;
  /** Its SQL dialect. */
  kind: ConnectionKind;
  /** It has the bundled samples, so the cell's SQL reads them there. */
  hasSamples: boolean;
  /** This user may run queries on it; otherwise they see the last result, like a reader. */
  usable: boolean;
}

export interface ServerCellDeps {
  api: WarehouseApi;
  notebookId: string;
  graph: () => Graph;
  /** What the cell needs of its connection, or null when it does not exist. */
  connection: (connectionId: string) => Promise<ServerConnection | null>;
  runAsk: (cellId: string) => RunAsk | undefined;
  /** Seconds a cached result stays fresh for this cell. */
  ttlSeconds: (cellId: string) => number;
  publish: (cellId: string, output: CellOutput) => void;
  /** Says what a running cell waits for (null when it stopped waiting). */
  note: (cellId: string, note: string | null) => void;
  /** True while the user may only read the notebook: show cached results, never start a query. */
  cacheOnly?: () => boolean;
}

/** How long a reader waits for the result of a run an editor started, asking the cache this often. */
const READER_WAIT_MS = 120_000;
const READER_POLL_MS = 1_500;
const READER_NO_RESULT = 'No result yet: viewers see the last result, and nobody who can edit has run this cell.';

function dialectOf(kind: ConnectionKind): SqlDialect {
  return KINDS[kind].dialect;
}

export function createServerCellRunner(deps: ServerCellDeps) {
  return async function runServerCell(cell: GraphCell, signal: AbortSignal): Promise<Table> {
    const connectionId = cell.engine!;
    const connection = await deps.connection(connectionId);
    if (connection === null) throw new CellRunError(`This cell runs on a connection that no longer exists (${connectionId}). Pick another engine for it.`);
    const composed = composeServerSql(deps.graph(), cell.id, dialectOf(connection.kind), { hasSamples: connection.hasSamples });
    if (!composed.ok) {
      const at = (cell.source ?? '').indexOf(composed.name);
      throw new CellRunError(composed.message, at >= 0 ? at : null);
    }
    // `$name` inputs are bound by the server, which translates them for the warehouse's dialect.
    const inputs = parameterInputs(deps.graph(), composed.cellIds) as ServerQuery['inputs'];
    const base = {
      connectionId,
      sql: composed.sql,
      notebookId: deps.notebookId,
      cellId: cell.id,
      ...(Object.keys(inputs ?? {}).length ? { inputs } : {}),
      ...serverRunProvenance(deps.graph(), cell.id)
    };
    const ttl = deps.ttlSeconds(cell.id);
    const show = (table: Table, origin: ServerOrigin, truncated = false) => {
      if (!signal.aborted) deps.publish(cell.id, { kind: 'sql', table, truncated, server: origin });
    };
    const fresh = async (runToken: string, maxAge: number): Promise<ServerResult> => {
      let started = new Date();
      const result = await runServerQuery(deps.api, { ...base, runToken, maxAge }, {
        signal,
        onWaiting: ({ status, queuePosition }) =>
          deps.note(cell.id, status === 'queued' ? `waiting for a free connection${queuePosition ? ` (${queuePosition} ahead)` : ''}` : 'running on the warehouse'),
        onProgress: (table, runId) => show(table, { connectionId, runId, cache: 'miss', resultAt: started, rowLimit: Infinity, streaming: true, refreshing: false })
      });
      deps.note(cell.id, null);
      started = result!.resultAt;
      return result!;
    };

    let result: ServerResult;
    try {
      const ask = deps.runAsk(cell.id);
      if (deps.cacheOnly?.()) {
        result = await cachedResult(deps.api, base, ask?.live ? ask : undefined, (note) => deps.note(cell.id, note), signal, READER_NO_RESULT);
      } else if (!connection.usable) {
        // An editor without a grant on the connection: the last result, or why there is none.
        const why = `No result yet, and you can’t run queries on ${connection.name}: ask a workspace admin for access.`;
        result = await cachedResult(deps.api, base, ask?.live ? ask : undefined, (note) => deps.note(cell.id, note), signal, why);
      } else if (ask?.live) {
        result = await fresh(ask.token, ask.refresh ? 0 : ttl);
      } else {
        // Opening the notebook: the last result at once, whatever its age.
        const cached = await runServerQuery(deps.api, { ...base, cacheOnly: true }, { signal });
        const ageSeconds = cached ? (Date.now() - cached.resultAt.getTime()) / 1000 : Infinity;
        if (cached && ageSeconds <= ttl) result = cached;
        else {
          if (cached) show(cached.table, { ...originOf(cached, connectionId), refreshing: true }, cached.truncated);
          // Everyone opening the notebook within one TTL window shares one refresh.
          result = await fresh(`open:${Math.floor(Date.now() / (ttl * 1000))}`, ttl);
        }
      }
    } catch (err) {
      deps.note(cell.id, null);
      if (err instanceof ApiError && err.code === 'query_error') {
        throw new CellRunError(err.message, err.position === null ? null : composed.toCellOffset(err.position));
      }
      throw err;
    }
    deps.note(cell.id, null);
    show(result.table, originOf(result, connectionId), result.truncated);
    return result.table;
  };
}

/**
 * A reader's result: the cache's last one. After an editor asked for a run (`ask`), wait
 * for a result computed since, checking the cache now and then: a reader never starts a
 * query, they see the editor's when it lands.
 */
async function cachedResult(
  api: WarehouseApi,
  base: { connectionId: string; sql: string; notebookId: string; cellId: string; inputs?: ServerQuery['inputs']; provenance?: ServerQuery['provenance'] },
  ask: RunAsk | undefined,
  note: (note: string | null) => void,
  signal: AbortSignal,
  noResult: string
): Promise<ServerResult> {
  const since = ask ? Date.parse(ask.at) - 1000 : -Infinity;
  const deadline = Date.now() + READER_WAIT_MS;
  for (;;) {
    const cached = await runServerQuery(api, { ...base, cacheOnly: true }, { signal });
    if (cached && (cached.resultAt.getTime() >= since || Date.now() > deadline)) return cached;
    if (!ask || Date.now() > deadline) {
      if (cached) return cached;
      throw new CellRunError(noResult);
    }
    note('waiting for a run by someone who can run it');
    await new Promise((resolve) => setTimeout(resolve, READER_POLL_MS));
    signal.throwIfAborted();
  }
}

function originOf(result: ServerResult, connectionId: string): ServerOrigin {
  return { connectionId, runId: result.runId, cache: result.cache, resultAt: result.resultAt, rowLimit: result.rowLimit, streaming: false, refreshing: false };
}
