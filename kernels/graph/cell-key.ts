/**
 * Cache keys (README.md, "A result is keyed by a hash of (cell source, engine, parameters,
 * input result keys)"): equal keys mean the same computation over the same inputs, so a
 * result with an unchanged key is reused instead of re-run.
 */
import { sha256Hex } from './sha256.js';

/** What a cell's key is computed from. */
export interface KeyParts {
  kind: string;
  source: string;
  engine: string | null;
  /** Chart config, bound SQL parameters, …: any JSON value; object key order does not matter. */
  params: unknown;
  /** Each input as the name the cell reads it by and that input's own key. */
  inputs: ReadonlyArray<readonly [name: string, key: string]>;
}

/**
 * The cache key of a computation. The cell's own name is not part of it: renaming a cell
 * does not change what it computes.
 */
export function cellKey(parts: KeyParts): string {
  const inputs = [...parts.inputs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // A versioned, canonical JSON text: no two different part sets serialize the same.
  return sha256Hex(canonicalJson(['cairn-key-1', parts.kind, parts.engine, sourceDigest(parts.source), parts.params ?? null, inputs]));
}

// The graph is rebuilt on every keystroke; remembering recent sources' digests means only
// the edited cell's text is hashed again. Bounded so a long session does not grow it forever.
const digests = new Map<string, string>();
const MAX_DIGESTS = 2000;

function sourceDigest(source: string): string {
  let digest = digests.get(source);
  if (digest === undefined) {
    digest = sha256Hex(source);
    if (digests.size >= MAX_DIGESTS) digests.delete(digests.keys().next().value!);
    digests.set(source, digest);
  }
  return digest;
}

/**
 * JSON with object keys sorted, so equal values always give equal text. `undefined`
 * properties are dropped as in JSON; values JSON cannot carry (functions, symbols,
 * bigints, non-finite numbers) are refused rather than silently collapsed into `null`.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot key the number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    // Dates and the like key as JSON would carry them.
    return canonicalJson((value as { toJSON(): unknown }).toJSON());
  }
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  throw new TypeError(`cannot key a value of type ${typeof value}`);
}
