/**
 * A cell's SQL as DuckDB statements: split by DuckDB's own parser, each prepared, checked
 * against the statement policy by DuckDB's statement type, its parameters bound; every
 * statement but the last runs to completion and the last one streams its result.
 *
 * The statement type cannot tell everything apart, so a few checks read the SQL text; each
 * errs on the side of refusing (see {@link refusedText}). The file-access lockdown itself
 * is DuckDB's (lockdown.ts); these checks keep SQL from going around it.
 */
import { StatementType, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { ParamError, bindParams } from './params.js';

/** Statement types a read-only connection runs: queries, nothing that writes or reconfigures. */
const READ_ONLY_TYPES: ReadonlySet<StatementType> = new Set([StatementType.SELECT, StatementType.EXPLAIN]);

/**
 * Statement types no connection runs, read-write included. DuckDB lets `COPY … TO` and
 * `ATTACH` write inside the allowed directories (the bundled samples' folder), and
 * PREPARE/EXECUTE would run any of them past this check; Cairn binds parameters itself.
 */
const NEVER_TYPES: ReadonlySet<StatementType> = new Set([
  StatementType.COPY,
  StatementType.COPY_DATABASE,
  StatementType.EXPORT,
  StatementType.ATTACH,
  StatementType.DETACH,
  StatementType.LOAD,
  StatementType.EXTENSION,
  StatementType.UPDATE_EXTENSIONS,
  StatementType.PREPARE,
  StatementType.EXECUTE
]);

/**
 * Table functions a SELECT can call that DuckDB's locked configuration does not stop:
 * `enable_logging(storage='file', …)` switches logging on for the whole instance (every
 * later statement of every user then fails), and `query()`/`query_table()` run SQL built
 * from strings, out of reach of the text checks. Matched anywhere in the text, quoted or
 * not; `query` only when a call (or a comment, which may hide one) follows.
 */
const REFUSED_FUNCTIONS = /enable_logging|disable_logging|truncate_duckdb_logs|\bquery(?:_table)?"?\s*(?:\(|\/\*|--)/i;

/**
 * DuckDB 1.5 gives `EXPLAIN ANALYZE` (which runs its statement) the same statement type as
 * a plain `EXPLAIN`, and node-api exposes no text per extracted statement: an EXPLAIN is
 * refused when the SQL says "analyze" (or "analyse") anywhere, in whatever form
 * (`EXPLAIN ANALYZE`, `EXPLAIN (ANALYZE)`). A plain EXPLAIN that mentions the word in a
 * string or comment is refused too, which costs nothing.
 */
const ANALYZE = /analy[sz]e/i;

/** A statement the statement policy refuses. */
export class ReadOnlyError extends Error {}

/** DuckDB's name for a statement type (`COPY`, `CREATE`, …). */
function typeName(type: StatementType): string {
  return (StatementType as unknown as Record<number, string>)[type] ?? `type ${type}`;
}

/** Why the text of `sql` is refused on every connection, or null. */
function refusedText(sql: string): string | null {
  const call = REFUSED_FUNCTIONS.exec(sql);
  if (call) return `Permission Error: ${call[0].replace(/["\s(/*-]+$/, '')}() is not available on server connections`;
  return null;
}

/**
 * Runs `sql` on `connection` and returns the streaming result of its last statement.
 * Statements that touch files or go around the checks are refused on every connection;
 * `readOnly` also refuses any statement that is not a query. All before anything runs.
 */
export async function executeStatements(
  connection: DuckDBConnection,
  sql: string,
  params: readonly unknown[],
  readOnly: boolean
): Promise<DuckDBResult> {
  const extracted = await connection.extractStatements(sql).catch((e: unknown) => {
    // node-api prefixes parser errors; the error decoder wants DuckDB's own message.
    throw e instanceof Error ? new Error(e.message.replace(/^Failed to extract statements: /, '')) : e;
  });
  if (extracted.count === 0) throw new Error('Parser Error: the SQL has no statement to run');
  const text = refusedText(sql);
  if (text) throw new ReadOnlyError(text);
  let used = 0;
  for (let i = 0; ; i++) {
    const prepared = await extracted.prepare(i);
    const last = i === extracted.count - 1;
    try {
      const type = prepared.statementType;
      if (NEVER_TYPES.has(type)) {
        throw new ReadOnlyError(`Permission Error: ${typeName(type)} statements are refused on server connections: they read or write files or run other statements`);
      }
      if (type === StatementType.EXPLAIN && ANALYZE.test(sql)) {
        throw new ReadOnlyError('Permission Error: EXPLAIN ANALYZE is refused: it runs the statement it explains (a plain EXPLAIN runs)');
      }
      if (readOnly && !READ_ONLY_TYPES.has(type)) {
        throw new ReadOnlyError(`Permission Error: this connection is read-only: ${typeName(type)} statements are refused, only queries (SELECT, EXPLAIN) run`);
      }
      bindParams(prepared, params);
      used = Math.max(used, prepared.parameterCount);
      if (last) {
        if (used < params.length) throw new ParamError(`${params.length} parameter(s) were given but the SQL uses ${used}`);
        // The streaming result still needs its statement: it is freed with the result.
        return await prepared.stream();
      }
      await prepared.run();
      prepared.destroySync();
    } catch (e) {
      prepared.destroySync();
      throw e;
    }
  }
}
