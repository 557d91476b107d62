/**
 * Where the parameter placeholders of a SQL text are: `$1` (positional), `$name` (an input,
 * README.md "Inputs"; `$name.from` / `$name.to` for a date range's ends) and `?` — outside
 * strings, quoted identifiers, dollar-quoted text and comments, by the rules of the dialect
 * the text is for. One tokenizer for finding a cell's inputs, neutralizing parameters
 * before DuckDB's parser sees them, and binding inputs on every engine.
 */
import type { SqlDialect } from './sql-ident.js';

/** One placeholder: where it is and what it names. */
export type Placeholder =
  | { kind: 'positional'; start: number; end: number; index: number }
  | { kind: 'named'; start: number; end: number; name: string; part: 'from' | 'to' | null }
  | { kind: 'anonymous'; start: number; end: number };

const IDENT_CHAR = /[A-Za-z0-9_$]/;

/** Every placeholder of `sql` in text order. Unterminated strings and comments run to the end. */
export function scanPlaceholders(sql: string, dialect: SqlDialect = 'duckdb'): Placeholder[] {
  const mysql = dialect === 'mysql';
  const out: Placeholder[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || c === '"' || (mysql && c === '`')) {
      // MySQL strings take backslash escapes; PostgreSQL and DuckDB only in E'…' strings.
      const backslash = (mysql && c !== '`') || (c === "'" && i > 0 && /[eE]/.test(sql[i - 1]) && (i < 2 || !IDENT_CHAR.test(sql[i - 2])));
      i = quotedEnd(sql, i, c, backslash);
    } else if (c === '-' && next === '-' && (!mysql || /[\s]/.test(sql[i + 2] ?? ' '))) {
      // MySQL needs whitespace after `--`: `1--$1` is arithmetic there.
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (mysql && c === '#') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === '/' && next === '*') {
      if (mysql && sql[i + 2] === '!') {
        // An executable comment is SQL the server runs: scan inside it.
        i += 3;
        continue;
      }
      i = blockCommentEnd(sql, i, dialect === 'postgres');
    } else if (c === '$' && i > 0 && IDENT_CHAR.test(sql[i - 1])) {
      i++; // part of an identifier (`a$b`, `a$1`), not a placeholder
    } else if (c === '$') {
      const rest = sql.slice(i);
      const tag = mysql ? null : /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest);
      const positional = /^\$(\d+)(?![A-Za-z0-9_])/.exec(rest);
      const named = /^\$([A-Za-z_][A-Za-z0-9_]*)(?:\.(from|to)(?![A-Za-z0-9_$]))?/.exec(rest);
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? n : close + tag[0].length;
      } else if (positional) {
        out.push({ kind: 'positional', start: i, end: i + positional[0].length, index: Number(positional[1]) });
        i += positional[0].length;
      } else if (named) {
        out.push({ kind: 'named', start: i, end: i + named[0].length, name: named[1], part: (named[2] as 'from' | 'to' | undefined) ?? null });
        i += named[0].length;
      } else i++;
    } else if (c === '?') {
      out.push({ kind: 'anonymous', start: i, end: i + 1 });
      i++;
    } else i++;
  }
  return out;
}

/** End (exclusive) of the quoted text opening at `start`; a doubled quote continues it. */
function quotedEnd(sql: string, start: number, quote: string, backslash: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    const c = sql[i];
    if (backslash && c === '\\') i++;
    else if (c === quote) {
      if (sql[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  return sql.length;
}

/** End (exclusive) of the block comment opening at `start`; PostgreSQL's nest. */
function blockCommentEnd(sql: string, start: number, nested: boolean): number {
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth = nested ? depth + 1 : 1;
      i++;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      if (--depth === 0) return i + 2;
      i++;
    }
  }
  return sql.length;
}

/** The input names `sql` reads as `$name` (or `$name.from`/`.to`), each with the offset of its first use. */
export function inputNames(sql: string, dialect: SqlDialect = 'duckdb'): Map<string, number> {
  const names = new Map<string, number>();
  for (const p of scanPlaceholders(sql, dialect)) if (p.kind === 'named' && !names.has(p.name)) names.set(p.name, p.start);
  return names;
}
