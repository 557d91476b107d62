/**
 * Server-side SQL (docs/api.md, Execution → Server SQL): resolve the connection, answer
 * from the shared cache when the request allows it, otherwise queue for a slot on the
 * connection, run on its engine and stream Arrow IPC — every run, hit or miss, in the
 * audit log.
 */
import { AppError } from '../errors.js';
import { randomUUID } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { QueryError, type ServerEngine } from '../../kernels/engine.js';
import { bindInputs, InputParameterError, type BoundSql, type ParameterInput } from '../../kernels/input-params.js';
import type { SqlDialect } from '../../kernels/sql-ident.js';
import { WiderResultNeeded, mergeWidening, type Widening } from '../../kernels/arrow/index.js';
import type { ConnectionOptions } from '../connections/shapes.js';
import { ConnectionQueue } from './queue.js';
import { Execution, type ExecutionOutcome } from './execution.js';
import { ResultCache, resultKey, type CacheEntry } from './result-cache.js';
import { RunLog, type RunStatus, type RunView, type RunViewer } from './run-log.js';
import type { RunHistory } from '../provenance/run-history.js';
import { logger } from '../log.js';
import { errorMessage } from '../../kernels/error-message.js';

const log = logger('query');

/** A connection ready to run: its engine, limits and settings version. */
export interface ResolvedConnection {
  id: string;
  engine: ServerEngine;
  options: ConnectionOptions;
  version: string;
  /** How its SQL is tokenized, for binding `$name` inputs. */
  dialect: SqlDialect;
}

export type ConnectionResolver = (workspaceId: string, connectionId: string, viewer: RunViewer) => Promise<ResolvedConnection | null>;

export interface QueryRequest {
  workspaceId: string;
  userId: string;
  /** Whether the user manages the workspace (what the `cairn` connection shows depends on it). */
  manager: boolean;
  connectionId: string;
  sql: string;
  params: unknown[];
  /**
   * Values of the inputs the SQL reads as `$name` (README.md, "Inputs"). When given, each
   * `$name` becomes the connection's next positional placeholder and its value is bound;
   * the result cache and the run log see the SQL and parameters as run.
   */
  inputs?: Readonly<Record<string, ParameterInput>>;
  notebookId: string | null;
  cellId: string | null;
  /** The shared run this request belongs to (the notebook's runs map `runId`): one execution or cache entry serves every copy. */
  runToken?: string;
  /** A cached result at most this old is good enough. */
  maxAgeMs?: number;
  /** Answer only from the cache (reopening a notebook): 404 `not_cached` otherwise. */
  cacheOnly?: boolean;
  /** A client-chosen run id, so the client can ask for the run's status or cancel it before the response starts. */
  runId?: string;
  /**
   * The notebook result this run computes, so its provenance resolves by result key
   * (recorded in the run history when the run completes; never for cache-only reads).
   */
  provenance?: ServerRunProvenance;
}

/** What a notebook or report run adds to its audit-log entry to make it a result's provenance. */
export interface ServerRunProvenance {
  resultKey: string;
  inputs: readonly string[];
  /** The cell kind (a report's chart runs as its aggregation query). */
  kind?: 'sql' | 'chart';
  /** The cell's engine when it is not the connection (a browser-engine cell a report runs on the server). */
  engine?: string;
}

/** What the route streams back. */
export interface QueryReply {
  runId: string;
  cache: 'hit' | 'miss';
  /** When the result was computed (a hit's age is now minus this). */
  resultAt: Date;
  rowLimit: number;
  /** For hits, known up front. */
  rows: number | null;
  truncated: boolean | null;
  body: AsyncIterable<Uint8Array>;
  /** The route calls this once, when the response ended (`clientGone` when the client left early). */
  finish(clientGone: boolean): Promise<void>;
}

interface LiveRun {
  execution: Execution;
  queue: ConnectionQueue;
  workspaceId: string;
}

/** What a run looks like while it is still going: queued with its place, or running with rows so far. */
export interface LiveStatus {
  status: Extract<RunStatus, 'queued' | 'running'>;
  queuePosition: number | null;
  rowsSoFar: number;
}

export class QueryService {
  private readonly queues = new Map<string, ConnectionQueue>();
  /** Running executions by result key (one per key at a time). */
  private readonly executions = new Map<string, { execution: Execution; runToken: string | null }>();
  private readonly live = new Map<string, LiveRun>();
  /**
   * Wider column types learnt from runs that met a value their first batch's type could not
   * hold (docs/types.md), by connection, settings version and SQL: the next run of the query
   * starts with them instead of failing the same way. Oldest forgotten first.
   */
  private readonly widenings = new Map<string, Widening>();

  constructor(
    private readonly resolve: ConnectionResolver,
    readonly runs: RunLog,
    private readonly cache: ResultCache,
    /** Results up to this size are kept for late joiners and cached. */
    private readonly cacheableBytes = 256 * 1024 * 1024,
    /** Where completed notebook runs are recorded by result key. */
    private readonly history?: RunHistory
  ) {}

  async start(asked: QueryRequest): Promise<QueryReply> {
    const viewer: RunViewer = { userId: asked.userId, manager: asked.manager };
    const connection = await this.resolve(asked.workspaceId, asked.connectionId, viewer);
    if (!connection) throw new AppError('not_found', 'No such connection.');
    const binding = asked.inputs === undefined ? null : bound(asked, connection);
    const request = binding ? { ...asked, sql: binding.sql, params: binding.params } : asked;
    const runId = request.runId ?? randomUUID();
    if (this.live.has(runId)) throw new AppError('conflict', 'A run with that id is already going.');
    // Results never cross workspaces; the audit log's differ per viewer too.
    const scope = connection.id === 'cairn' ? `${request.workspaceId}/${viewer.manager ? '*' : viewer.userId}` : request.workspaceId;
    const key = resultKey(scope, connection.id, connection.version, request.sql, request.params);
    const startedAt = new Date();
    const base = {
      id: runId,
      workspaceId: request.workspaceId,
      userId: request.userId,
      notebookId: request.notebookId,
      cellId: request.cellId,
      connectionId: connection.id,
      sql: request.sql,
      params: request.params,
      startedAt
    };

    const entry = await this.cache.lookup(key);
    if (entry && this.cacheServes(entry, request, startedAt)) {
      await this.logStart({ ...base, cache: 'hit' });
      return this.replyFromCache(runId, entry, startedAt, connection.options.rowLimit, request);
    }
    if (request.cacheOnly) throw new AppError('not_cached', 'No cached result for this query yet.');

    const shared = this.executions.get(key);
    const join = shared && shared.execution.joinable && (request.runToken === undefined || shared.runToken === request.runToken);
    // The run is logged before anything starts: a reused run id fails here, holding no
    // queue slot and no database connection.
    await this.logStart({ ...base, cache: join ? 'hit' : 'miss' });
    const execution = join ? shared.execution : this.execute(key, connection, request);
    const reader = execution.read();
    if (!reader) throw new Error('a new execution is always joinable');
    this.live.set(runId, { execution, queue: this.queueFor(connection), workspaceId: request.workspaceId });

    try {
      await execution.firstData;
    } catch (error) {
      reader.leave();
      await this.end(runId, startedAt, await execution.outcome, false);
      // The engine's position is in the bound SQL; the caller wrote the other.
      if (binding && error instanceof QueryError && error.position !== null) throw new QueryError(error.message, error.engine, binding.toOriginal(error.position));
      throw error;
    }
    let finished = false;
    return {
      runId,
      cache: join ? 'hit' : 'miss',
      resultAt: execution.startedAt,
      rowLimit: connection.options.rowLimit,
      rows: null,
      truncated: null,
      body: reader.chunks,
      finish: async (clientGone) => {
        if (finished) return;
        finished = true;
        reader.leave();
        const outcome = await execution.outcome;
        await this.end(runId, startedAt, outcome, clientGone);
        if (outcome.error === null && !clientGone && outcome.resultHash) {
          await this.remember(request, runId, startedAt, { rows: outcome.rows, resultHash: outcome.resultHash }, !join);
        }
      }
    };
  }

  /** Record a completed notebook run in the run history; a failure there is logged, never the run's. */
  private async remember(request: QueryRequest, runId: string, startedAt: Date, result: { rows: number; resultHash: string }, computed: boolean): Promise<void> {
    const p = request.provenance;
    if (!this.history || !p || request.cacheOnly || !request.notebookId || !request.cellId) return;
    await this.history
      .record({
        notebookId: request.notebookId,
        resultKey: p.resultKey,
        cellId: request.cellId,
        kind: p.kind ?? 'sql',
        engine: p.engine ?? request.connectionId,
        connectionId: request.connectionId,
        source: request.sql,
        params: request.params,
        inputs: p.inputs,
        userId: request.userId,
        at: startedAt,
        durationMs: Date.now() - startedAt.getTime(),
        rows: result.rows,
        resultHash: result.resultHash,
        runId,
        computed
      })
      .catch((err) => log.warn('recording a run in the run history failed', { err, runId }));
  }

  /** Log a run's start; a run id already in the log is refused (ids are unique forever). */
  private async logStart(run: Parameters<RunLog['start']>[0]): Promise<void> {
    try {
      await this.runs.start(run);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new AppError('conflict', 'A run with that id already exists; each run needs a new id.');
      throw err;
    }
  }

  /** Cancels a run that is queued or running (and the execution every copy shares). */
  cancel(workspaceId: string, runId: string): boolean {
    const run = this.live.get(runId);
    if (!run || run.workspaceId !== workspaceId) return false;
    run.execution.controller.abort(new Error('canceled by a user'));
    return true;
  }

  /** A run's status while it is live, or null once it ended (the log then has it). */
  liveStatus(runId: string): LiveStatus | null {
    const run = this.live.get(runId);
    if (!run) return null;
    // Every request sharing an execution waits in the queue as that execution's ticket.
    const position = run.queue.position(this.tickets.get(run.execution)!);
    return position >= 0
      ? { status: 'queued', queuePosition: position, rowsSoFar: 0 }
      : { status: 'running', queuePosition: null, rowsSoFar: run.execution.rowsSoFar };
  }

  /** A run from the log, with its live status when still going. */
  async run(workspaceId: string, runId: string): Promise<RunView | null> {
    const view = await this.runs.get(workspaceId, runId);
    if (!view) return null;
    const live = this.liveStatus(runId);
    return live ? { ...view, status: live.status, queuePosition: live.queuePosition, rowsSoFar: live.rowsSoFar } : view;
  }

  private readonly tickets = new WeakMap<Execution, object>();

  private cacheServes(entry: CacheEntry, request: QueryRequest, now: Date): boolean {
    if (request.cacheOnly) return true;
    if (request.runToken !== undefined && entry.runToken === request.runToken) return true;
    return request.maxAgeMs !== undefined && now.getTime() - entry.createdAt.getTime() <= request.maxAgeMs;
  }

  private replyFromCache(runId: string, entry: CacheEntry, startedAt: Date, rowLimit: number, request: QueryRequest): QueryReply {
    let stream: ReadStream | null = null;
    const cache = this.cache;
    return {
      runId,
      cache: 'hit',
      resultAt: entry.createdAt,
      rowLimit,
      rows: entry.rows,
      truncated: entry.truncated,
      body: (async function* () {
        stream = cache.open(entry);
        for await (const chunk of stream as AsyncIterable<Buffer>) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      })(),
      finish: async (clientGone) => {
        (stream as ReadStream | null)?.destroy();
        await this.runs.end(runId, {
          status: clientGone ? 'canceled' : 'done',
          durationMs: Date.now() - startedAt.getTime(),
          rows: entry.rows,
          truncated: entry.truncated,
          bytes: entry.bytes,
          resultHash: entry.resultHash,
          error: null
        });
        if (!clientGone) await this.remember(request, runId, startedAt, { rows: entry.rows, resultHash: entry.resultHash }, false);
      }
    };
  }

  private queueFor(connection: ResolvedConnection): ConnectionQueue {
    let queue = this.queues.get(connection.id);
    if (!queue) this.queues.set(connection.id, (queue = new ConnectionQueue(connection.options.maxConnections)));
    else queue.setLimit(connection.options.maxConnections);
    return queue;
  }

  private execute(key: string, connection: ResolvedConnection, request: QueryRequest): Execution {
    const queue = this.queueFor(connection);
    const ticket = {};
    let release: (() => void) | null = null;
    const widenKey = `${connection.id}\0${connection.version}\0${request.sql}`;
    const execution = new Execution(async (signal) => {
      release = await queue.acquire(ticket, signal);
      const widen = this.widenings.get(widenKey);
      return connection.engine.run(request.sql, request.params, { signal, rowLimit: connection.options.rowLimit, widen });
    }, this.cacheableBytes);
    this.tickets.set(execution, ticket);
    const runToken = request.runToken ?? null;
    this.executions.set(key, { execution, runToken });
    void execution.outcome.then(async (outcome) => {
      (release as (() => void) | null)?.();
      if (outcome.error instanceof WiderResultNeeded) this.rememberWidening(widenKey, outcome.error.widening);
      if (outcome.error === null && outcome.retained && outcome.resultHash) {
        await this.cache
          .store(key, connection.id, outcome.retained, { resultHash: outcome.resultHash, rows: outcome.rows, truncated: outcome.truncated, bytes: outcome.bytes, runToken, createdAt: execution.startedAt })
          .catch((err) => log.warn('caching a result failed', { err }));
      }
      // Only now: a copy asking for the same shared run meanwhile joins, later ones hit the cache.
      if (this.executions.get(key)?.execution === execution) this.executions.delete(key);
    });
    return execution;
  }

  private rememberWidening(key: string, widening: Widening): void {
    const merged = mergeWidening(this.widenings.get(key) ?? {}, widening);
    this.widenings.delete(key);
    this.widenings.set(key, merged);
    if (this.widenings.size > MAX_WIDENINGS) this.widenings.delete(this.widenings.keys().next().value!);
  }

  private async end(runId: string, startedAt: Date, outcome: ExecutionOutcome, clientGone: boolean): Promise<void> {
    this.live.delete(runId);
    const complete = outcome.error === null;
    const status: RunStatus = outcome.canceled || (clientGone && !complete) ? 'canceled' : complete ? 'done' : 'error';
    const error = complete ? null : errorMessage(outcome.error);
    log.info('run ended', { runId, status, rows: outcome.rows, bytes: outcome.bytes, ms: Date.now() - startedAt.getTime(), error });
    await this.runs.end(runId, {
      status,
      durationMs: Date.now() - startedAt.getTime(),
      rows: outcome.rows,
      truncated: outcome.truncated,
      bytes: outcome.bytes,
      resultHash: outcome.resultHash,
      error,
      errorCode: status === 'error' && outcome.error instanceof WiderResultNeeded ? outcome.error.code : null
    });
  }
}

/**
 * The request's SQL with its `$name` inputs made positional for the connection's dialect
 * and their values appended to its parameters (kernels/input-params.ts): never spliced.
 */
function bound(request: QueryRequest, connection: ResolvedConnection): BoundSql {
  try {
    return bindInputs(request.sql, request.inputs ?? {}, connection.dialect, request.params);
  } catch (err) {
    if (err instanceof InputParameterError) throw new QueryError(err.message, connection.id, err.position);
    throw err;
  }
}

/** Queries whose wider types are remembered at once. */
const MAX_WIDENINGS = 1000;

