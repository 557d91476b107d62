/**
 * Names from a catalogue as SQL: what clicking a table inserts, and the namespace
 * @codemirror/lang-sql completes from. Pure, so both are unit-tested.
 */
import type { SQLNamespace } from '@codemirror/lang-sql';
import type { Completion } from '@codemirror/autocomplete';
import { quoteIdentFor, type SqlDialect } from '../../../kernels/sql-ident.js';
import { KINDS } from '../../../kernels/connection-kinds.js';
import type { ConnectionKind, TableInfo } from '../warehouse/types.js';

/** The quoting rules of an engine: DuckDB in the browser, or a connection's kind. */
export function dialectOf(kind: ConnectionKind | 'browser'): SqlDialect {
  return kind === 'browser' ? 'duckdb' : KINDS[kind].dialect;
}

/** Lowercase words that need no quotes (a name with capitals, spaces or symbols does). */
const PLAIN = /^[a-z_][a-z0-9_]*$/;
/** Words that are names only when quoted in every dialect Cairn speaks. */
const RESERVED = new Set(['select', 'from', 'where', 'group', 'order', 'by', 'table', 'user', 'limit', 'join', 'on', 'and', 'or', 'not', 'as', 'to', 'in', 'is', 'null', 'case', 'when', 'end', 'default', 'check', 'column', 'union', 'all', 'having', 'with', 'desc', 'asc', 'grant', 'primary', 'references', 'create', 'offset', 'values', 'distinct']);

/** `name` as SQL: bare when it reads the same unquoted, else quoted for the dialect. */
export function sqlIdent(dialect: SqlDialect, name: string): string {
  return PLAIN.test(name) && !RESERVED.has(name) ? name : quoteIdentFor(dialect, name);
}

/** A table's name as a query should write it: the default schema left off, anything unusual quoted. */
export function tableRef(dialect: SqlDialect, table: Pick<TableInfo, 'schema' | 'name'>, defaultSchema: string): string {
  const name = sqlIdent(dialect, table.name);
  return !table.schema || table.schema === defaultSchema ? name : `${sqlIdent(dialect, table.schema)}.${name}`;
}

/** Column completions with their type as detail. */
function columnCompletions(table: Pick<TableInfo, 'columns'>): Completion[] {
  return table.columns.map((c) => ({ label: c.name, type: 'property', detail: c.type.toLowerCase() }));
}

/**
 * The completion namespace: schemas → tables → columns, with the default schema's tables
 * also at the top level (so `select … from orders` completes), plus `extra` tables (the
 * notebook's cell results, which win over a catalogue table of the same name, as a cell
 * name resolves first).
 */
export function completionNamespace(tables: readonly TableInfo[], defaultSchema: string, extra: readonly Pick<TableInfo, 'name' | 'columns'>[] = []): SQLNamespace {
  const schemas: Record<string, Record<string, Completion[]>> = {};
  const top: Record<string, SQLNamespace> = {};
  for (const t of tables) {
    (schemas[t.schema] ??= {})[t.name] = columnCompletions(t);
    if (!t.schema || t.schema === defaultSchema) top[t.name] = columnCompletions(t);
  }
  for (const [schema, entries] of Object.entries(schemas)) {
    // A schema named like a top-level table would hide it; the table is what people type more.
    if (schema && !(schema in top)) top[schema] = entries;
  }
  for (const t of extra) top[t.name] = columnCompletions(t);
  return top;
}
