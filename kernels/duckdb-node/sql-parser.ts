/**
 * The tables a SQL cell reads, from DuckDB's own parser on the server: `json_serialize_sql`
 * gives the statement's syntax tree, and every base-table reference in it that is not a
 * CTE of the statement is a name the cell reads. It only parses — nothing is bound, opened
 * or fetched, and it needs no data — so it runs on an empty in-memory instance of its own.
 * One statement, a query: DuckDB serializes only SELECT (PIVOT as a statement is refused).
 * The browser asks DuckDB-WASM's `getTableNames` instead (kernels/duckdb-wasm/table-names.ts);
 * the server needs this to know a published report's dataflow (docs/api.md, "Reports").
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { neutralizeParameters, SqlAnalysisError } from '../graph/duckdb-sql-parser.js';
import type { SqlParser } from '../graph/sql-deps.js';

interface Serialized {
  error: boolean;
  error_type?: string;
  error_message?: string;
  position?: string;
  statements?: unknown[];
}

interface TableRef {
  schema: string;
  table: string;
}

export class NodeSqlParser implements SqlParser {
  private connection: Promise<DuckDBConnection> | null = null;
  private instance: DuckDBInstance | null = null;

  async tableNames(sql: string): Promise<string[]> {
    const { text, toOriginal } = neutralizeParameters(sql);
    const connection = await this.connect();
    const reader = await connection.runAndReadAll('select json_serialize_sql($1::varchar) as tree', [text]);
    const tree = JSON.parse(String(reader.getRows()[0]![0])) as Serialized;
    if (tree.error) {
      // The serializer's position counts characters (unlike query errors, which count bytes).
      const offset = tree.position === undefined ? NaN : Number(tree.position);
      const at = Number.isFinite(offset) ? toOriginal(offset) : null;
      const type = tree.error_type === 'parser' ? 'Parser' : (tree.error_type ?? null);
      throw new SqlAnalysisError(tree.error_message ?? 'DuckDB could not parse this statement', at, type);
    }
    const refs: TableRef[] = [];
    const ctes = new Set<string>();
    collect(tree.statements, refs, ctes);
    // As getTableNames does: the table's own name (a schema-qualified `main.t` reads `t`),
    // and a CTE of the statement is no table.
    const names = refs.filter((r) => r.schema !== '' || !ctes.has(r.table.toLowerCase())).map((r) => r.table);
    return [...new Set(names)];
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    (await connection?.catch(() => null))?.closeSync();
    this.instance?.closeSync();
    this.instance = null;
  }

  private connect(): Promise<DuckDBConnection> {
    this.connection ??= (async () => {
      this.instance = await DuckDBInstance.create(':memory:', { enable_external_access: 'false' });
      return this.instance.connect();
    })();
    return this.connection;
  }
}

/** Every BASE_TABLE reference and every CTE name in a serialized tree. */
function collect(node: unknown, refs: TableRef[], ctes: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, refs, ctes);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (o.type === 'BASE_TABLE' && typeof o.table_name === 'string') refs.push({ schema: typeof o.schema_name === 'string' ? o.schema_name : '', table: o.table_name });
  const map = (o.cte_map as { map?: Array<{ key?: unknown }> } | undefined)?.map;
  if (Array.isArray(map)) for (const entry of map) if (typeof entry.key === 'string') ctes.add(entry.key.toLowerCase());
  for (const value of Object.values(o)) collect(value, refs, ctes);
}
