/**
 * A cell's SQL as DuckDB statements: split by DuckDB's own parser, each prepared, checked
 * against the read-only policy by DuckDB's statement type (not by matching text), its
 * parameters bound; every statement but the last runs to completion and the last one
 * streams its result.
 */
import { StatementType, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { ParamError, bindParams } from './params.js';

/** Statement types a read-only connection runs: queries, nothing that writes or reconfigures. */
const READ_ONLY_TYPES: ReadonlySet<StatementType> = new Set([StatementType.SELECT, StatementType.EXPLAIN]);

/** A statement the read-only policy refuses. */
export class ReadOnlyError extends Error {}

/** DuckDB's name for a statement type (`COPY`, `CREATE`, …). */
function typeName(type: StatementType): string {
  return (StatementType as unknown as Record<number, string>)[type] ?? `type ${type}`;
}

/**
 * Runs `sql` on `connection` and returns the streaming result of its last statement.
 * `readOnly` refuses any statement that is not a query before it runs.
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
  let used = 0;
  for (let i = 0; ; i++) {
    const prepared = await extracted.prepare(i);
    const last = i === extracted.count - 1;
    try {
      const type = prepared.statementType;
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
