/** Pure helpers for the value inspector: what kind a cloned value is, its one-line preview, its children. */
import { OPAQUE_KEY } from './protocol.js';

/** How the inspector draws a value. */
export type InspectKind =
  | 'undefined' | 'null' | 'boolean' | 'number' | 'bigint' | 'string' | 'date' | 'regexp'
  | 'opaque' | 'error' | 'array' | 'typed' | 'map' | 'set' | 'buffer' | 'object';

/** The inspector kind of a structured-cloned value. */
export function inspectKind(value: unknown): InspectKind {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean': return 'boolean';
    case 'number': return 'number';
    case 'bigint': return 'bigint';
    case 'string': return 'string';
  }
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regexp';
  if (value instanceof Error) return 'error';
  if (Array.isArray(value)) return 'array';
  if (ArrayBuffer.isView(value)) return 'typed';
  if (value instanceof ArrayBuffer) return 'buffer';
  if (value instanceof Map) return 'map';
  if (value instanceof Set) return 'set';
  if (isOpaque(value)) return 'opaque';
  return 'object';
}

function isOpaque(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === OPAQUE_KEY;
}

/** True when the value has children to expand. */
export function expandable(kind: InspectKind): boolean {
  return kind === 'array' || kind === 'typed' || kind === 'map' || kind === 'set' || kind === 'object' || kind === 'error';
}

/** A primitive-ish value as one short string (strings quoted). */
export function leafText(value: unknown, kind = inspectKind(value), max = 80): string {
  switch (kind) {
    case 'string': {
      const s = JSON.stringify(value);
      return s.length > max ? `${s.slice(0, max - 2)}…"` : s;
    }
    case 'bigint': return `${String(value)}n`;
    case 'date': return Number.isNaN((value as Date).getTime()) ? 'Invalid Date' : (value as Date).toISOString();
    case 'opaque': return (value as Record<string, string>)[OPAQUE_KEY];
    case 'error': return `${(value as Error).name}: ${(value as Error).message}`;
    case 'buffer': return `ArrayBuffer(${(value as ArrayBuffer).byteLength})`;
    default: return String(value);
  }
}

/** The label before an expandable value's preview: `Array(3)`, `Map(2)`, `Object`. */
export function typeLabel(value: unknown, kind = inspectKind(value)): string {
  switch (kind) {
    case 'array': return `Array(${(value as unknown[]).length})`;
    case 'typed': return `${value!.constructor.name}(${(value as ArrayLike<unknown>).length})`;
    case 'map': return `Map(${(value as Map<unknown, unknown>).size})`;
    case 'set': return `Set(${(value as Set<unknown>).size})`;
    case 'error': return (value as Error).name;
    default: return 'Object';
  }
}

/** A collapsed preview: `[1, 2, 3]`, `{a: 1, b: "x"}`; nested containers shown by their label. */
export function preview(value: unknown, kind = inspectKind(value), budget = 60): string {
  const short = (v: unknown): string => {
    const k = inspectKind(v);
    return expandable(k) ? (k === 'array' ? `Array(${(v as unknown[]).length})` : k === 'object' ? '{…}' : typeLabel(v, k)) : leafText(v, k, 24);
  };
  const parts: string[] = [];
  let used = 0;
  let more = false;
  for (const [key, child] of entries(value, kind)) {
    const text = kind === 'array' || kind === 'typed' || kind === 'set' ? short(child) : `${key}: ${short(child)}`;
    if (used + text.length > budget && parts.length > 0) {
      more = true;
      break;
    }
    parts.push(text);
    used += text.length + 2;
  }
  const inner = parts.join(', ') + (more ? ', …' : '');
  return kind === 'array' || kind === 'typed' || kind === 'set' ? `[${inner}]` : `{${inner}}`;
}

/** Children as [label, value] pairs (map entries as `key => value`). */
export function* entries(value: unknown, kind = inspectKind(value)): Generator<[string, unknown]> {
  if (kind === 'array' || kind === 'typed') {
    const list = value as ArrayLike<unknown>;
    for (let i = 0; i < list.length; i++) yield [String(i), list[i]];
  } else if (kind === 'map') {
    for (const [k, v] of value as Map<unknown, unknown>) yield [`${leafText(k)} =>`, v];
  } else if (kind === 'set') {
    let i = 0;
    for (const v of value as Set<unknown>) yield [String(i++), v];
  } else if (kind === 'error') {
    const e = value as Error;
    yield ['message', e.message];
    if (e.stack) yield ['stack', e.stack];
  } else if (kind === 'object') {
    for (const key of Object.keys(value as object)) yield [key, (value as Record<string, unknown>)[key]];
  }
}
