/**
 * Binding inputs (README.md, "Inputs"): a SQL cell reads an input as `$name` on every
 * engine, and the value is always bound, never spliced into the text. This rewrites each
 * `$name` into the next positional placeholder `$k` (after any `$1…` the caller already
 * binds) and appends its value to the parameters, so each engine binds it as it binds
 * positional parameters: `$k` on PostgreSQL and DuckDB, `?` on MySQL (kernels/mysql/params.ts).
 *
 * Types travel with the value: a date (and each end of a date range, `$name.from` and
 * `$name.to`) is wrapped in `CAST($k AS DATE)`, so it compares and returns as a date on
 * every engine; on PostgreSQL, whose text parameters otherwise take their type from the
 * context (`select $1` is text), numbers are cast to `numeric` and booleans to `boolean`.
 * The cast is SQL text around the placeholder; the value itself is only ever bound.
 */
import { scanPlaceholders } from './sql-placeholders.js';
import type { SqlDialect } from './sql-ident.js';

/** One input's value with its input type (src/lib/contract/inputs.ts `INPUT_TYPES`). */
export interface ParameterInput {
  type: string;
  value: unknown;
}

/** A `$name` the inputs cannot satisfy; `position` is its offset in the SQL. */
export class InputParameterError extends Error {
  constructor(
    message: string,
    readonly position: number
  ) {
    super(message);
    this.name = 'InputParameterError';
  }
}

/** The SQL with every `$name` made positional, and the parameters to bind to it. */
export interface BoundSql {
  sql: string;
  params: unknown[];
  /** The `$name` (or `$name.from`) each appended parameter stands for, in order. */
  names: string[];
  /** An offset in `sql` (an engine's error position) as an offset into the SQL as written. */
  toOriginal: (offset: number) => number;
}

/**
 * `sql` with its `$name` placeholders rewritten to `$k` (k after `params.length`), values
 * from `inputs` appended to `params`. A repeated `$name` reuses its parameter. Positional
 * `$1…` are left as they are. Throws {@link InputParameterError} for a name with no input
 * or a date range read without `.from`/`.to`.
 */
export function bindInputs(sql: string, inputs: Readonly<Record<string, ParameterInput>>, dialect: SqlDialect, params: readonly unknown[] = []): BoundSql {
  const out: unknown[] = [...params];
  const names: string[] = [];
  const indexOf = new Map<string, number>();
  let text = '';
  let at = 0;
  // Each replacement: [its start in the new text, its end there, its end in the original].
  const spans: Array<[number, number, number]> = [];
  for (const p of scanPlaceholders(sql, dialect)) {
    if (p.kind !== 'named') continue;
    const input = Object.hasOwn(inputs, p.name) ? inputs[p.name] : undefined;
    if (!input) throw new InputParameterError(`$${p.name} is not an input: no input cell is named ${p.name}`, p.start);
    const range = input.type === 'daterange';
    if (range && p.part === null) throw new InputParameterError(`$${p.name} is a date range: read its ends as $${p.name}.from and $${p.name}.to`, p.start);
    if (!range && p.part !== null) throw new InputParameterError(`$${p.name}.${p.part}: only a date range input has .from and .to ($${p.name} is a ${input.type} input)`, p.start);
    const label = p.part ? `${p.name}.${p.part}` : p.name;
    let k = indexOf.get(label);
    if (k === undefined) {
      const value = range ? (input.value as unknown[])[p.part === 'from' ? 0 : 1] : input.value;
      out.push(value);
      names.push(`$${label}`);
      k = out.length;
      indexOf.set(label, k);
    }
    text += sql.slice(at, p.start);
    const start = text.length;
    text += typed(`$${k}`, range ? 'date' : input.type, out[k - 1], dialect);
    spans.push([start, text.length, p.end]);
    at = p.end;
  }
  const toOriginal = (offset: number): number => {
    let shift = 0;
    for (const [start, end, originalEnd] of spans) {
      if (offset < start) break;
      // Inside a replacement: where its placeholder starts as written.
      if (offset < end) return start + shift;
      shift = originalEnd - end;
    }
    return offset + shift;
  };
  return { sql: text + sql.slice(at), params: out, names, toOriginal };
}

/** `placeholder` with the cast that gives its value its type on `dialect`. */
function typed(placeholder: string, type: string, value: unknown, dialect: SqlDialect): string {
  if (type === 'date') return `CAST(${placeholder} AS DATE)`;
  if (dialect === 'postgres' && typeof value === 'number') return `CAST(${placeholder} AS numeric)`;
  if (dialect === 'postgres' && typeof value === 'boolean') return `CAST(${placeholder} AS boolean)`;
  return placeholder;
}
