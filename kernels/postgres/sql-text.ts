/**
 * Just enough of PostgreSQL's lexical rules to wrap a user's query safely: where its code
 * ends (so a trailing `;` or `-- comment` cannot swallow the closing parenthesis of a
 * wrapper) and what its first keyword is (only a query can sit inside `COPY (…)` or a
 * subquery). Strings, quoted identifiers, dollar quotes and nested block comments are
 * skipped so a `;` or `--` inside them counts for nothing.
 */

/** Start and end of each stretch of code outside comments, in order. */
function codeRanges(sql: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      if (i > start) ranges.push([start, i]);
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
      start = i;
    } else if (c === '/' && next === '*') {
      if (i > start) ranges.push([start, i]);
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      start = i;
    } else if (c === "'") {
      // E'…' strings take backslash escapes; '' doubles a quote in both kinds.
      const escapes = i > 0 && (sql[i - 1] === 'E' || sql[i - 1] === 'e');
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
    } else if (c === '"') {
      i++;
      while (i < n && !(sql[i] === '"' && sql[i + 1] !== '"')) i += sql[i] === '"' ? 2 : 1;
      i++;
    } else if (c === '$' && !/[0-9]/.test(next ?? '0') && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? ' ')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 70));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? n : close + tag[0].length;
      } else i++;
    } else i++;
  }
  if (n > start) ranges.push([start, n]);
  return ranges;
}

/** `sql` without trailing semicolons, whitespace and comments (text before them is unchanged, so positions stay valid). */
export function trimStatementEnd(sql: string): string {
  const ranges = codeRanges(sql);
  for (let r = ranges.length - 1; r >= 0; r--) {
    const [start, end] = ranges[r];
    for (let i = end - 1; i >= start; i--) {
      const c = sql[i];
      if (c !== ';' && !/\s/.test(c)) return sql.slice(0, i + 1);
    }
  }
  return '';
}

/** The statement's first keyword in lower case (`select`, `with`, `explain`…), `(` for a parenthesized query, or '' when empty. */
export function firstKeyword(sql: string): string {
  for (const [start, end] of codeRanges(sql)) {
    const m = /^\s*(\(|[A-Za-z_]+)/.exec(sql.slice(start, end));
    if (m) return m[1].toLowerCase();
    if (sql.slice(start, end).trim() !== '') return '';
  }
  return '';
}

/** Whether the statement is a query that can be a subquery and the body of `COPY (…) TO STDOUT`. */
export function isWrappableQuery(sql: string): boolean {
  return ['select', 'with', 'values', 'table', '('].includes(firstKeyword(sql));
}
