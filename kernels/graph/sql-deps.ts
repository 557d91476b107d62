/**
 * The tables a SQL cell reads. Parsing is the engine's job (README.md, "Dependencies come
 * from parsing, not regex"), so the parser is injected: in the browser DuckDB-WASM's
 * `getTableNames`, in tests the real DuckDB-WASM Node build.
 */
import type { Parsed, ParseError } from './parse-error.js';

/** Something that knows which tables a SQL statement reads (CTE names excluded). */
export interface SqlParser {
  /** Table names `sql` reads; rejects with an Error (optionally carrying `position`) when it cannot tell. */
  tableNames(sql: string): Promise<string[]>;
}

/** What a SQL cell reads from outside itself. */
export interface SqlDeps {
  /** Table names as written (quoted names keep their case), deduplicated and sorted. */
  inputs: string[];
}

/** The tables a SQL cell reads; a parse failure is returned as a value, never thrown. */
export async function sqlDependencies(parser: SqlParser, sql: string): Promise<Parsed<SqlDeps>> {
  // An empty cell reads nothing; DuckDB would call it "not a single statement".
  if (isBlankSql(sql)) return { ok: true, inputs: [] };
  try {
    const names = await parser.tableNames(sql);
    return { ok: true, inputs: [...new Set(names)].sort() };
  } catch (e) {
    return { ok: false, error: toParseError(e) };
  }
}

function toParseError(e: unknown): ParseError {
  if (e instanceof Error) {
    const position = (e as Error & { position?: unknown }).position;
    return { message: e.message, position: typeof position === 'number' ? position : null };
  }
  return { message: String(e), position: null };
}

/** True for SQL with nothing but whitespace, `;` and comments. */
function isBlankSql(sql: string): boolean {
  return sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|[\s;]/g, '') === '';
}
