/**
 * A {@link SqlParser} that first answers from what the server's DuckDB parser said about
 * the notebook's SQL (listed with its last results), so a page builds its dataflow graph
 * without starting its own parser; any other SQL (an edit) goes to `fallback`. Relative
 * imports: tests use it from Node, without the app's path aliases.
 */
import { sha256Hex, type SqlParser } from '../../../../kernels/graph/index.js';

export class KnownTables implements SqlParser {
  private readonly known = new Map<string, readonly string[]>();

  constructor(private readonly fallback: SqlParser) {}

  /** Remember the server's answers: table names by SHA-256 (hex) of the SQL. */
  learn(tables: Record<string, string[]>): void {
    for (const [hash, names] of Object.entries(tables)) if (Array.isArray(names)) this.known.set(hash, names);
  }

  tableNames(sql: string): Promise<string[]> {
    const names = this.known.size ? this.known.get(sha256Hex(sql)) : undefined;
    return names ? Promise.resolve([...names]) : this.fallback.tableNames(sql);
  }
}
