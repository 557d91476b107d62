/** SQL text helpers for chart queries: quoting, and what kind of data a column type holds. */

import { quoteIdent } from '../../../kernels/sql-ident.js';

export { quoteIdent };

/** How a column can be plotted: a measure, a point in time, or a category. */
export type ColumnKind = 'quantitative' | 'temporal' | 'nominal';

const QUANTITATIVE = /^(u?(tiny|small|big|huge)?int(eger)?\d*|int\d+|uint\d+|float\d*|double|real|decimal.*|numeric.*|long|short)$/i;
const TEMPORAL = /^(date|datetime|timestamp.*|timestamptz|date\d*<.*>|date32.*|date64.*)$/i;

/** The kind of a column from its type name, as DuckDB (`BIGINT`, `TIMESTAMP`) or Arrow (`Int64`, `Timestamp<MICROSECOND>`) spells it. */
export function columnKind(type: string): ColumnKind {
  const t = type.trim();
  if (QUANTITATIVE.test(t) || /^(DECIMAL|Decimal)\b/.test(t)) return 'quantitative';
  if (TEMPORAL.test(t) || /^Timestamp</.test(t) || /^Date</.test(t)) return 'temporal';
  return 'nominal';
}

/** Whether a column type is an exact decimal, as DuckDB (`DECIMAL(18,2)`) or Arrow (`Decimal[18e+2]`) spells it. */
export function isDecimalType(type: string): boolean {
  return /^(decimal|numeric)\b/i.test(type.trim());
}
