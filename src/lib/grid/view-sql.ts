/**
 * A grid's sort and filters as SQL. The grid never sorts or filters in JavaScript: it
 * describes what the user asked for as a `GridView`, and the owner re-runs the query
 * through `viewToSql` on the engine. Identifiers are quoted, values are `$n` parameters
 * (docs/api.md: "Parameters are bound, never spliced into text").
 *
 * Decimals compare exactly, never through a DOUBLE (docs/types.md, "In the browser"): a
 * DECIMAL column sorts natively and is compared with the typed number cast to a DECIMAL
 * wide enough for both; a `cairn.type: decimal` text column (VARCHAR in DuckDB) sorts and
 * compares by {@link decimalTextKey}, a text whose byte order is the numbers' order.
 */
import { DataType, type Schema } from 'apache-arrow';
import { isDecimalText } from '../../../kernels/arrow/field-metadata.js';
import { DECIMAL_LITERAL } from '../../../kernels/arrow/decimal.js';
import { quoteIdent } from '../../../kernels/sql-ident.js';

/** Sort direction of one column. */
export type SortDir = 'asc' | 'desc';

/** Comparison a filter applies. `contains` and `starts_with` compare text case-insensitively. */
export type FilterOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'not_contains' | 'starts_with' | 'is_null' | 'not_null';

/** A value a filter compares with: JSON-able so it travels to the server as a parameter. */
export type FilterValue = string | number | boolean | null;

/** One filter: `column op value` (`value` is ignored by is_null/not_null). */
export interface GridFilter {
  column: string;
  op: FilterOp;
  value: FilterValue;
}

/** What the user asked the grid for: sort keys in priority order and filters ANDed together. */
export interface GridView {
  orderBy: { column: string; dir: SortDir }[];
  filters: GridFilter[];
}

/** The view with neither sort nor filter. */
export const EMPTY_VIEW: GridView = Object.freeze({ orderBy: [], filters: [] }) as GridView;

/** What `viewToSql` must know of a column to sort and compare it exactly: a DECIMAL(p, s), or exact decimal text. */
export type ViewColumn = { kind: 'decimal'; precision: number; scale: number } | { kind: 'decimal_text' };

/** The columns of `schema` that need {@link ViewColumn} treatment, by name. */
export function viewColumns(schema: Schema): Record<string, ViewColumn> {
  const out: Record<string, ViewColumn> = {};
  for (const field of schema.fields) {
    const type = DataType.isDictionary(field.type) ? field.type.dictionary : field.type;
    if (DataType.isDecimal(type)) out[field.name] = { kind: 'decimal', precision: type.precision, scale: type.scale };
    else if (isDecimalText(field)) out[field.name] = { kind: 'decimal_text' };
  }
  return out;
}

/** Largest DECIMAL width DuckDB has. */
const MAX_DECIMAL_WIDTH = 38;

/**
 * SQL for a text key of the exact decimal text `t` (a SQL expression: `-12.50`, `NaN`,
 * `Infinity`) whose byte order is numeric order, equal for equal numbers (`12.5`, `12.50`):
 * a class digit (-Infinity 0, negative 1, zero 2, positive 3, Infinity 4, NaN 5 — NaN
 * above everything, as in PostgreSQL), then for a positive number its integer-digit count
 * (six digits) and its digits without leading or trailing zeros; for a negative one the same
 * mirrored (999999 − count, each digit 9 − d, and a closing `~` so that a longer fraction
 * sorts first). Null for null.
 */
export function decimalTextKey(t: string): string {
  const tt = `trim(${t})`;
  const body = `ltrim(${tt}, '+-')`;
  const whole = `ltrim(split_part(${body}, '.', 1), '0')`;
  const digits = `(${whole} || rtrim(split_part(${body}, '.', 2), '0'))`;
  return `(CASE WHEN ${t} IS NULL THEN NULL
  WHEN lower(${tt}) IN ('nan', '+nan', '-nan') THEN '5'
  WHEN lower(${tt}) IN ('infinity', '+infinity', 'inf', '+inf') THEN '4'
  WHEN lower(${tt}) IN ('-infinity', '-inf') THEN '0'
  WHEN ${digits} = '' THEN '2'
  WHEN starts_with(${tt}, '-') THEN '1' || lpad(CAST(999999 - length(${whole}) AS VARCHAR), 6, '0') || translate(${digits}, '0123456789', '9876543210') || '~'
  ELSE '3' || lpad(CAST(length(${whole}) AS VARCHAR), 6, '0') || ${digits} END)`;
}

/** NaN and ±Infinity as a user may type them; exact decimal text columns hold them, DECIMAL cannot. */
const SPECIAL_NUMBER = /^[+-]?(nan|inf|infinity)$/i;

/** A filter value as exact number text (`1,234.50` → `1234.50`), or null when it is not a number. */
function exactNumberText(value: FilterValue): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? exactNumberText(String(value)) : null;
  if (typeof value !== 'string') return null;
  const text = value.trim().replace(/,/g, '');
  if (DECIMAL_LITERAL.test(text) || SPECIAL_NUMBER.test(text)) return text;
  // An exponent (1e3, 2.5E-2) is a plain decimal too; written out so the comparison stays exact.
  const m = /^([+-]?)(\d+\.?\d*|\.\d+)e([+-]?\d{1,4})$/i.exec(text);
  if (!m) return null;
  const [whole, fraction = ''] = m[2].split('.');
  const digits = (whole || '0') + fraction;
  const point = (whole || '0').length + Number(m[3]);
  if (point <= 0) return `${m[1]}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return m[1] + digits + '0'.repeat(point - digits.length);
  return `${m[1]}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Digits before and after the point of a plain decimal literal, without leading or trailing zeros (at least one before). */
function literalWidth(text: string): { whole: number; fraction: number } {
  const [whole, fraction = ''] = text.replace(/^[+-]/, '').split('.');
  return { whole: Math.max(1, whole.replace(/^0+/, '').length), fraction: fraction.replace(/0+$/, '').length };
}

/** SQL text and its positional parameters ($1 is params[0]). */
export interface SqlWithParams {
  sql: string;
  params: FilterValue[];
}

const OPS: ReadonlySet<string> = new Set<FilterOp>(['=', '!=', '<', '<=', '>', '>=', 'contains', 'not_contains', 'starts_with', 'is_null', 'not_null']);

export { quoteIdent };

/** Whether a view asks for anything (a sort or a filter). */
export function isEmptyView(view: GridView): boolean {
  return view.orderBy.length === 0 && view.filters.length === 0;
}

/** A query's text without trailing semicolons, comments-safe for wrapping in a subquery. */
function asSubquery(sql: string): string {
  let body = sql.trim();
  while (body.endsWith(';')) body = body.slice(0, -1).trimEnd();
  if (body === '') throw new Error('the source query is empty');
  // A newline before the closing parenthesis keeps a trailing `-- comment` from eating it.
  return `(\n${body}\n)`;
}

/**
 * SQL selecting `source` under `view`: `source` is either a query (wrapped as a subquery)
 * or `{table}` (a table name, quoted as one identifier; `schema` optional). Filter values
 * become `$n` parameters numbered from `firstParam` (default 1). `limit` adds a LIMIT.
 */
export function viewToSql(
  source: string | { table: string; schema?: string },
  view: GridView,
  options: { limit?: number; firstParam?: number; columns?: Readonly<Record<string, ViewColumn>> } = {}
): SqlWithParams {
  const columns = options.columns ?? {};
  const from = typeof source === 'string' ? `${asSubquery(source)} AS "_cairn_source"` : (source.schema ? quoteIdent(source.schema) + '.' : '') + quoteIdent(source.table);
  const params: FilterValue[] = [];
  const first = options.firstParam ?? 1;
  if (!Number.isInteger(first) || first < 1) throw new Error(`firstParam must be a positive integer, not ${first}`);
  const param = (value: FilterValue) => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };

  const where = view.filters.map((f) => filterSql(f, param, columns[f.column]));
  const order = view.orderBy.map(({ column, dir }) => {
    if (dir !== 'asc' && dir !== 'desc') throw new Error(`unknown sort direction ${JSON.stringify(dir)}`);
    const key = columns[column]?.kind === 'decimal_text' ? decimalTextKey(quoteIdent(column)) : quoteIdent(column);
    return `${key} ${dir === 'asc' ? 'ASC' : 'DESC'} NULLS LAST`;
  });

  let sql = `SELECT * FROM ${from}`;
  if (where.length > 0) sql += `\nWHERE ${where.join('\n  AND ')}`;
  if (order.length > 0) sql += `\nORDER BY ${order.join(', ')}`;
  if (options.limit !== undefined) {
    if (!Number.isSafeInteger(options.limit) || options.limit < 0) throw new Error(`limit must be a non-negative integer, not ${options.limit}`);
    sql += `\nLIMIT ${options.limit}`;
  }
  return { sql, params };
}

function filterSql(filter: GridFilter, param: (v: FilterValue) => string, column?: ViewColumn): string {
  if (!OPS.has(filter.op)) throw new Error(`unknown filter operator ${JSON.stringify(filter.op)}`);
  const col = quoteIdent(filter.column);
  const text = `lower(CAST(${col} AS VARCHAR))`;
  switch (filter.op) {
    case 'is_null':
      return `${col} IS NULL`;
    case 'not_null':
      return `${col} IS NOT NULL`;
    case 'contains':
      return `contains(${text}, lower(${param(String(filter.value ?? ''))}))`;
    case 'not_contains':
      return `(${col} IS NULL OR NOT contains(${text}, lower(${param(String(filter.value ?? ''))})))`;
    case 'starts_with':
      return `starts_with(${text}, lower(${param(String(filter.value ?? ''))}))`;
    default:
      // `= null` is never true in SQL; a null value means the null test the user meant.
      if (filter.value === null) return filter.op === '!=' ? `${col} IS NOT NULL` : `${col} IS NULL`;
      if (column) return exactComparison(col, filter.op === '!=' ? '<>' : filter.op, filter, column, param);
      return `${col} ${filter.op === '!=' ? '<>' : filter.op} ${param(filter.value)}`;
  }
}

/**
 * `col op value` for a decimal column, exactly: DECIMAL against the number cast to a
 * DECIMAL that holds both (their widest integer part and scale), or, past 38 digits or for
 * NaN/Infinity, both sides' {@link decimalTextKey}.
 */
function exactComparison(col: string, op: string, filter: GridFilter, column: ViewColumn, param: (v: FilterValue) => string): string {
  const text = exactNumberText(filter.value);
  if (text === null) throw new Error(`${JSON.stringify(String(filter.value))} is not a number, and ${filter.column} holds numbers`);
  if (column.kind === 'decimal' && !SPECIAL_NUMBER.test(text)) {
    const literal = literalWidth(text);
    const scale = Math.max(column.scale, literal.fraction);
    const width = Math.max(column.precision - column.scale, literal.whole) + scale;
    if (width <= MAX_DECIMAL_WIDTH) return `CAST(${col} AS DECIMAL(${width}, ${scale})) ${op} CAST(${param(text)} AS DECIMAL(${width}, ${scale}))`;
  }
  const value = param(text);
  const left = column.kind === 'decimal' ? `CAST(${col} AS VARCHAR)` : col;
  return `${decimalTextKey(left)} ${op} ${decimalTextKey(value)}`;
}

/**
 * What a user typed in a column's filter box, as a filter: `> 10`, `<= 2024-01-01`, `= x`,
 * `!= x`, `null`, `!null` (or `not null`), `^abc` (starts with), `!abc` (does not contain);
 * a bare word means "contains" on text columns and "=" elsewhere. Blank → null.
 * Numbers typed for a numeric column become numbers (when exactly representable); for a
 * decimal column (`decimal`) they stay exact text, so `> 0.1` means 0.1, not a float near it.
 */
export function parseFilterInput(column: string, input: string, kind: 'number' | 'decimal' | 'text' | 'other'): GridFilter | null {
  const text = input.trim();
  if (text === '') return null;
  const lower = text.toLowerCase();
  if (lower === 'null' || lower === 'is null' || lower === '=null') return { column, op: 'is_null', value: null };
  if (lower === '!null' || lower === 'not null' || lower === 'is not null' || lower === '!=null') return { column, op: 'not_null', value: null };
  const m = /^(<=|>=|!=|<>|=|<|>)\s*(.*)$/s.exec(text);
  if (m) {
    const op = (m[1] === '<>' ? '!=' : m[1]) as FilterOp;
    const raw = unquote(m[2].trim());
    return { column, op, value: kind === 'number' ? toNumber(raw) : kind === 'decimal' ? (exactNumberText(raw) ?? raw) : raw };
  }
  if (text.startsWith('^') && text.length > 1) return { column, op: 'starts_with', value: unquote(text.slice(1)) };
  if (text.startsWith('!') && text.length > 1) return { column, op: 'not_contains', value: unquote(text.slice(1)) };
  if (kind === 'text') return { column, op: 'contains', value: unquote(text) };
  if (kind === 'number') return { column, op: '=', value: toNumber(unquote(text)) };
  if (kind === 'decimal') return { column, op: '=', value: exactNumberText(unquote(text)) ?? unquote(text) };
  return { column, op: '=', value: unquote(text) };
}

/** The filter box text that `parseFilterInput` would turn back into `filter`. */
export function filterToInput(filter: GridFilter): string {
  switch (filter.op) {
    case 'is_null':
      return 'null';
    case 'not_null':
      return '!null';
    case 'contains':
      return String(filter.value ?? '');
    case 'not_contains':
      return '!' + String(filter.value ?? '');
    case 'starts_with':
      return '^' + String(filter.value ?? '');
    default:
      return `${filter.op} ${filter.value === null ? 'null' : String(filter.value)}`;
  }
}

function unquote(s: string): string {
  const m = /^(['"])(.*)\1$/s.exec(s);
  return m ? m[2] : s;
}

/** A number when `s` is one exactly (so "007" and 2^60 stay text and the engine casts them). */
function toNumber(s: string): FilterValue {
  const trimmed = s.replace(/,/g, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return s;
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return s;
  if (/^[+-]?\d+$/.test(trimmed) && !Number.isSafeInteger(n)) return trimmed;
  return n;
}

/** The next sort state when a header is clicked: none → asc → desc → none. */
export function nextSortDir(current: SortDir | null): SortDir | null {
  return current === null ? 'asc' : current === 'asc' ? 'desc' : null;
}

/**
 * The view after clicking `column`'s header: a plain click sorts by that column alone;
 * with `additive` (shift-click) it changes that column's place in a multi-column sort.
 */
export function toggleSort(view: GridView, column: string, additive: boolean): GridView {
  const current = view.orderBy.find((o) => o.column === column)?.dir ?? null;
  const next = nextSortDir(current);
  let orderBy: GridView['orderBy'];
  if (additive) {
    orderBy = next === null ? view.orderBy.filter((o) => o.column !== column) : current === null ? [...view.orderBy, { column, dir: next }] : view.orderBy.map((o) => (o.column === column ? { column, dir: next } : o));
  } else {
    orderBy = next === null ? [] : [{ column, dir: next }];
  }
  return { ...view, orderBy };
}

/** The view with `column`'s filter replaced by `filter` (or removed when null). */
export function setFilter(view: GridView, column: string, filter: GridFilter | null): GridView {
  const filters = view.filters.filter((f) => f.column !== column);
  if (filter) filters.push(filter);
  return { ...view, filters };
}
