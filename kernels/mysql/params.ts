/**
 * Notebook SQL binds parameters Postgres-style (`$1`, `$2`, …; docs/api.md, Execution);
 * MySQL's prepared statements take anonymous `?` placeholders in order. This rewrites the
 * one into the other, outside string literals, quoted identifiers and comments, and
 * orders (or repeats) the values to match, so they are still bound by the server and
 * never spliced into the text.
 */

/** A statement ready for `execute`: `?` placeholders and one value per placeholder. */
export interface TranslatedSql {
  sql: string;
  values: unknown[];
}

/** Thrown for a parameter reference the values cannot satisfy; the engine wraps it in a QueryError. */
export class ParameterError extends Error {
  constructor(
    message: string,
    /** 0-based offset of the offending reference in the original SQL. */
    readonly position: number
  ) {
    super(message);
    this.name = 'ParameterError';
  }
}

/**
 * Rewrites `$n` references to `?` and returns the values in placeholder order.
 * A bare `?` in the text is refused: it would be a placeholder with no value, and mixing
 * the two styles makes the numbering ambiguous.
 */
export function translateParams(sql: string, params: readonly unknown[]): TranslatedSql {
  const values: unknown[] = [];
  let out = '';
  let copied = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      i = skipQuoted(sql, i, c);
    } else if (c === '#' || (c === '-' && sql[i + 1] === '-' && isDashCommentStart(sql, i + 2))) {
      i = skipLine(sql, i);
    } else if (c === '/' && sql[i + 1] === '*') {
      // `/*! … */` and `/*M! … */` are executable comments: the server runs their text, so
      // a `$1` inside is a real reference and is scanned like code.
      if (sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!')) i += sql[i + 2] === '!' ? 3 : 4;
      else i = skipBlockComment(sql, i);
    } else if (c === '?') {
      throw new ParameterError('use $1, $2, … for parameters, not ?', i);
    } else if (c === '$' && isDigit(sql[i + 1]) && !isIdentChar(sql[i - 1])) {
      let end = i + 1;
      while (end < n && isDigit(sql[end])) end++;
      // `$1abc` is an identifier in MySQL (a `$` and digits may start one), not a reference.
      if (isIdentChar(sql[end])) {
        i = end;
        continue;
      }
      const index = Number(sql.slice(i + 1, end));
      if (index < 1 || index > params.length) {
        throw new ParameterError(
          `there is no parameter $${index}: ${params.length === 0 ? 'no values were given' : `values are $1 … $${params.length}`}`,
          i
        );
      }
      out += sql.slice(copied, i) + '?';
      values.push(params[index - 1]);
      copied = end;
      i = end;
    } else {
      i++;
    }
  }
  return { sql: out + sql.slice(copied), values };
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Characters of an unquoted MySQL identifier: ASCII word characters, `$`, and anything beyond ASCII. */
function isIdentChar(c: string | undefined): boolean {
  if (c === undefined) return false;
  return /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80;
}

/** MySQL needs whitespace (or the end) after `--` for a comment; `1--1` is arithmetic. */
function isDashCommentStart(sql: string, i: number): boolean {
  return i >= sql.length || /\s/.test(sql[i]!) || sql.charCodeAt(i) < 0x20;
}

/**
 * The index just past a quoted string or identifier starting at `start`. A doubled quote
 * stays inside; so does a backslash-escaped one in strings (MySQL's default; with
 * NO_BACKSLASH_ESCAPES a trailing backslash would end the literal earlier, which only
 * matters for a `$n` placed right after such a string). An unterminated quote runs to the
 * end, leaving the server to report the syntax error.
 */
function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '\\' && quote !== '`') i += 2;
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

function skipLine(sql: string, start: number): number {
  const end = sql.indexOf('\n', start);
  return end === -1 ? sql.length : end + 1;
}

function skipBlockComment(sql: string, start: number): number {
  const end = sql.indexOf('*/', start + 2);
  return end === -1 ? sql.length : end + 2;
}
