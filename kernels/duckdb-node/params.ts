/**
 * Query parameters as DuckDB values, bound to `$1, $2, …` of a prepared statement (never
 * spliced into the SQL). Numbers that are integers bind as INTEGER/BIGINT, others as
 * DOUBLE; a Date as TIMESTAMPTZ; bytes as BLOB; arrays as LISTs; anything else is
 * refused with a message naming the parameter.
 */
import {
  blobValue,
  listValue,
  timestampTZValue,
  type DuckDBPreparedStatement,
  type DuckDBValue
} from '@duckdb/node-api';

/** A parameter DuckDB cannot take; the message names it (`$2`). */
export class ParamError extends Error {}

/** `value` (parameter `$n`) as a DuckDB value. */
export function toDuckDbValue(value: unknown, n: number): DuckDBValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
    case 'bigint':
    case 'number':
      return value;
    case 'object':
      if (value instanceof Date) return timestampTZValue(BigInt(value.getTime()) * 1000n);
      if (value instanceof Uint8Array) return blobValue(value);
      if (Array.isArray(value)) return listValue(value.map((item) => toDuckDbValue(item, n)));
      break;
  }
  throw new ParamError(`parameter $${n}: cannot bind a value of type ${value === null ? 'null' : typeof value}; pass a string, number, boolean, bigint, Date, bytes or an array`);
}

/**
 * Binds the first `parameterCount` of `params` to `prepared`. Every statement of a
 * multi-statement cell sees the same `$1, $2, …`, as in one parameter list for the cell.
 */
export function bindParams(prepared: DuckDBPreparedStatement, params: readonly unknown[]): void {
  const count = prepared.parameterCount;
  for (let i = 0; i < count; i++) {
    if (i >= params.length) throw new ParamError(`the SQL uses $${i + 1} but only ${params.length} parameter(s) were given`);
    prepared.bindValue(i + 1, toDuckDbValue(params[i], i + 1));
  }
}
