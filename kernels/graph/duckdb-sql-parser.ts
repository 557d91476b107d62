/**
 * {@link SqlParser} over DuckDB-WASM: DuckDB's own parser, offline, in the browser (the
 * worker's `AsyncDuckDBConnection`) and in Node (the blocking build's connection).
 *
 * `getTableNames` parses and then binds the statement in a names-only mode, so beyond
 * syntax errors it also fails on a few constructs whose binding needs real columns
 * (`JOIN … USING`, `NATURAL JOIN`, `ASOF JOIN`, `COLUMNS('regex')`, the columns an
 * `UNPIVOT` names) or that DuckDB expands into several statements (`PIVOT` without `IN`).
 * Those are ordinary SQL, so when binding (not parsing) fails the statement is asked again
 * with them made column-free (see {@link withoutColumnBinding}): which tables it reads does
 * not change.
 * Table functions over files (`read_parquet('https://…')`) are opened while binding: use a
 * connection to an instance that holds no data and has `enable_external_access = false`,
 * so naming a remote file never fetches it on a keystroke.
 */
import type { SqlParser } from './sql-deps.js';
import { errorMessage } from '../error-message.js';
import { scanPlaceholders } from '../sql-placeholders.js';

/** The part of a DuckDB-WASM connection this needs: sync (Node blocking build) or async (worker). */
export interface TableNamesSource {
  getTableNames(sql: string): string[] | Promise<string[]>;
}

/** An Error from DuckDB, decoded: the engine's message and 0-based offset into the caller's SQL. */
export class SqlAnalysisError extends Error {
  constructor(
    message: string,
    /** 0-based offset into the SQL the caller passed, when DuckDB gave one. */
    readonly position: number | null,
    /** DuckDB's exception type: `Parser` for a syntax error; `Binder`, `Catalog`, `IO`, … otherwise. */
    readonly exceptionType: string | null
  ) {
    super(message);
    this.name = 'SqlAnalysisError';
  }
}

/** A {@link SqlParser} backed by DuckDB's `getTableNames` on `connection`. */
export class DuckDbSqlParser implements SqlParser {
  constructor(private readonly connection: TableNamesSource) {}

  /** Table names `sql` reads; rejects with a {@link SqlAnalysisError}. */
  async tableNames(sql: string): Promise<string[]> {
    // Binding rejects parameter placeholders ("Unexpected prepared parameter"), and a
    // parameter can never name a table, so they are read as NULL.
    const { text, toOriginal } = neutralizeParameters(sql);
    try {
      return await this.connection.getTableNames(text);
    } catch (e) {
      const error = decodeDuckDbError(e, toOriginal);
      if (error.exceptionType === 'Parser') throw error;
      const relaxed = withoutColumnBinding(text);
      if (relaxed === text) throw error;
      try {
        return await this.connection.getTableNames(relaxed);
      } catch {
        throw error; // the first error is about what the author wrote
      }
    }
  }
}

/**
 * `sql` with the constructs whose binding needs real columns rewritten into ones that do
 * not, keeping every table reference: `USING (…)` → `ON true`, `NATURAL [LEFT|…] JOIN` and
 * `ASOF [LEFT] JOIN` → a plain join, `COLUMNS(…)` → `NULL`, the columns an `UNPIVOT`
 * names → `*`, and a `PIVOT` statement → `SELECT * FROM` its source. Only for finding table
 * names; strings, quoted identifiers and comments are left alone.
 */
export function withoutColumnBinding(sql: string): string {
  const masked = maskLiterals(sql);
  const edits: Array<[start: number, end: number, replacement: string]> = [];
  const closeParen = (open: number): number => {
    let depth = 0;
    for (let i = open; i < masked.length; i++) {
      if (masked[i] === '(') depth++;
      else if (masked[i] === ')' && --depth === 0) return i + 1;
    }
    return masked.length;
  };
  /**
   * The first word at or after `from`, outside parentheses opened after it, that `stop`
   * matches — or where the enclosing parenthesis closes, a `;`, or the end.
   */
  const scanTo = (stop: RegExp, from: number): number => {
    let depth = 0;
    for (let i = from; i < masked.length; i++) {
      const c = masked[i];
      if (c === '(') depth++;
      else if (c === ')' && --depth < 0) return i;
      else if (depth === 0 && c === ';') return i;
      else if (depth === 0 && /\w/.test(c) && (i === 0 || !/\w/.test(masked[i - 1])) && stop.test(masked.slice(i, i + 12))) return i;
    }
    return masked.length;
  };
  const isWord = (at: number, word: RegExp) => word.test(masked.slice(at, at + 12));
  for (const m of masked.matchAll(/\bunpivot\b(\s*(?:(?:include|exclude)\s+nulls\s*)?)/gi)) {
    const after = m.index + m[0].length;
    if (masked[after] === '(') {
      // After a table: UNPIVOT [INCLUDE NULLS] (v FOR name IN (a, b))  →  IN (*)
      const inside = masked.slice(after, closeParen(after));
      const list = /^\(\s*[^()]*?\bfor\b[^()]*?\bin\s*\(/i.exec(inside);
      if (list) {
        const open = after + list[0].length - 1;
        edits.push([open, closeParen(open), '(*)']);
        continue;
      }
    }
    // The statement: UNPIVOT src ON a, b [INTO NAME … VALUE …]  →  ON *
    const on = scanTo(/^on\b/i, after);
    if (!isWord(on, /^on\b/i)) continue;
    edits.push([on + 2, scanTo(/^(?:into|where|group|order|limit|union|except|intersect)\b/i, on + 2), ' * ']);
  }
  // PIVOT src ON col USING …: without IN, DuckDB first runs a query for the values; the
  // tables are those of src.
  const pivot = /^\s*pivot(?:_wider)?\b/i.exec(masked);
  if (pivot) {
    const on = scanTo(/^on\b/i, pivot[0].length);
    if (isWord(on, /^on\b/i)) edits.push([0, pivot[0].length, 'SELECT * FROM'], [on, masked.length, '']);
  }
  for (const m of masked.matchAll(/\busing\s*\(/gi)) edits.push([m.index, closeParen(m.index + m[0].length - 1), 'ON true']);
  for (const m of masked.matchAll(/\bcolumns\s*\(/gi)) edits.push([m.index, closeParen(m.index + m[0].length - 1), 'NULL']);
  for (const m of masked.matchAll(/\bnatural\s+(?:(?:left|right|full|inner)\s+)?(?:outer\s+)?join\b/gi)) edits.push([m.index, m.index + m[0].length, 'CROSS JOIN']);
  for (const m of masked.matchAll(/\basof\s+(left\s+)?join\b/gi)) edits.push([m.index, m.index + m[0].length, m[1] ? 'LEFT JOIN' : 'JOIN']);
  // An edit inside another (COLUMNS inside USING, or inside an UNPIVOT's list) goes with the
  // outer one; the rest are applied back to front so offsets stay valid.
  edits.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const kept: typeof edits = [];
  for (const edit of edits) if (kept.length === 0 || edit[0] >= kept[kept.length - 1][1]) kept.push(edit);
  let out = sql;
  for (const [start, end, replacement] of kept.reverse()) out = out.slice(0, start) + replacement + out.slice(end);
  return out;
}

/** `sql` with the insides of strings, quoted identifiers and comments blanked, same length. */
function maskLiterals(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'?|"(?:[^"]|"")*"?|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/g, (m) => ' '.repeat(m.length));
}

/**
 * DuckDB-WASM reports errors as an Error whose message is JSON:
 * `{"exception_type":"Parser","exception_message":"syntax error at …","position":"0"}`.
 */
function decodeDuckDbError(e: unknown, toOriginal: (offset: number) => number): SqlAnalysisError {
  const raw = errorMessage(e);
  try {
    const info = JSON.parse(raw) as { exception_type?: string; exception_message?: string; position?: string | number };
    const type = info.exception_type ?? null;
    const at = info.position === undefined ? NaN : Number(info.position);
    let message = info.exception_message ?? raw;
    // Only a syntax error is about what the author typed; anything else is about the
    // analysis, and says so, so "Column id does not exist" is not read as the query's fault.
    if (type !== null && type !== 'Parser') message = `could not find the tables this query reads: ${message}`;
    return new SqlAnalysisError(message, Number.isFinite(at) ? toOriginal(at) : null, type);
  } catch {
    // Not DuckDB's JSON shape (an older build, a worker failure): keep the text as it is.
    return new SqlAnalysisError(raw, null, null);
  }
}

/**
 * `sql` with `$1`, `$name` (and `$name.from`/`.to`) and `?` placeholders replaced by `NULL`
 * (outside strings, quoted identifiers, dollar-quoted strings and comments: see
 * kernels/sql-placeholders.ts), and a map from offsets in the new text back to the
 * original, so error positions still point at what the author wrote.
 */
export function neutralizeParameters(sql: string): { text: string; toOriginal: (offset: number) => number } {
  let text = '';
  // [offset in new text, shift to add] for each replacement, in order.
  const shifts: Array<[number, number]> = [];
  let at = 0;
  for (const p of scanPlaceholders(sql, 'duckdb')) {
    text += sql.slice(at, p.start);
    shifts.push([text.length + 4, p.end - p.start - 4]);
    text += 'NULL';
    at = p.end;
  }
  text += sql.slice(at);
  const toOriginal = (offset: number): number => {
    let shift = 0;
    for (const [at, by] of shifts) if (offset >= at) shift += by;
    return Math.max(0, Math.min(sql.length, offset + shift));
  };
  return { text, toOriginal };
}
