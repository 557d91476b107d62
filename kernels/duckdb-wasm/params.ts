/**
 * Query parameters as DuckDB-WASM can bind them. Its prepared statements take their
 * values as JSON, so only what JSON carries faithfully goes through as it is; the rest
 * is converted here, or refused with a message that names the parameter.
 */
import { QueryError } from '../engine.js';
import { ENGINE_ID } from './errors.js';

/** A value DuckDB-WASM binds as is. */
export type BindValue = string | number | boolean | null;

/** `params` as values to bind to `$1`, `$2`, …; throws a {@link QueryError} for one it cannot bind. */
export function toBindValues(params: readonly unknown[]): BindValue[] {
  return params.map((value, i) => toBindValue(value, i + 1));
}

function toBindValue(value: unknown, n: number): BindValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw unsupported(n, String(value));
      return value;
    case 'bigint':
      // JSON has no 64-bit integers: a big one travels as text, which DuckDB casts to the parameter's type.
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'object':
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw unsupported(n, 'an invalid Date');
        return value.toISOString();
      }
      throw unsupported(n, Array.isArray(value) ? 'an array' : 'an object');
    default:
      throw unsupported(n, `a ${typeof value}`);
  }
}

function unsupported(n: number, what: string): QueryError {
  return new QueryError(`Parameter $${n} is ${what}; parameters are strings, numbers, booleans, bigints, Dates or null`, ENGINE_ID);
}
