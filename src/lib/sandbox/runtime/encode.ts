/**
 * Inside the sandbox: a cell's value (or a console argument) as a {@link SandboxValue} that
 * survives postMessage. Tables become Arrow IPC; values structured clone refuses are copied
 * with markers in place of what cannot travel, so the inspector still shows their shape.
 */
import { Table, tableFromIPC, tableFromJSON, tableToIPC } from 'apache-arrow';
import { Decimal } from '../../../../kernels/arrow/decimal.js';
import { OPAQUE_KEY, type SandboxValue, type WireInput } from '../protocol.js';

/** An encoded value and the buffers to transfer with it. */
export interface Encoded {
  value: SandboxValue;
  transfer: ArrayBuffer[];
}

/** True for a DOM node, in a realm that has a DOM. */
export function isNode(value: unknown): value is Node {
  return typeof Node !== 'undefined' && value instanceof Node;
}

/** Encode a cell value; `asTable` turns arrays of objects into tables (console arguments stay as they are). */
export function encodeValue(value: unknown, asTable = true): Encoded {
  if (value === undefined) return { value: { kind: 'undefined' }, transfer: [] };
  value = decimalsAsText(value, 0);
  if (isNode(value)) return { value: { kind: 'dom', description: describeNode(value) }, transfer: [] };
  if (value instanceof Table) return encodeTable(value);
  if (asTable && isArrayOfObjects(value)) {
    try {
      return encodeTable(tableFromJSON(value as Record<string, unknown>[]));
    } catch {
      // Mixed or nested rows Arrow cannot infer a schema for: keep them as a plain value.
    }
  }
  return { value: { kind: 'json', value: cloneable(value) }, transfer: [] };
}

/**
 * `value` with every {@link Decimal} in it (itself, or in arrays and plain objects) as its
 * exact text: a class instance would cross postMessage as a bare `{unscaled, scale}`.
 * Unchanged values are returned as they are.
 */
function decimalsAsText(value: unknown, depth: number): unknown {
  if (value instanceof Decimal) return value.toString();
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    value.forEach((item, i) => {
      const next = decimalsAsText(item, depth + 1);
      if (next !== item) (out ??= value.slice())[i] = next;
    });
    return out ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let out: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(value)) {
    const next = decimalsAsText(item, depth + 1);
    if (next !== item) (out ??= { ...value })[key] = next;
  }
  return out ?? value;
}

function encodeTable(table: Table): Encoded {
  const ipc = tableToIPC(table, 'stream');
  return {
    value: {
      kind: 'table',
      ipc,
      numRows: table.numRows,
      columns: table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) }))
    },
    transfer: [ipc.buffer as ArrayBuffer]
  };
}

/** Decode an input: tables become apache-arrow Tables of the sandbox's own copy. */
export function decodeInput(input: WireInput): unknown {
  return input.kind === 'table' ? tableFromIPC(input.ipc) : input.value;
}

function isArrayOfObjects(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0) return false;
  return value.every((row) => row !== null && typeof row === 'object' && Object.getPrototypeOf(row) === Object.prototype);
}

function describeNode(node: Node): string {
  if (node instanceof Element) return `<${node.tagName.toLowerCase()}>`;
  return node.nodeName;
}

/** The value itself when structured clone accepts it; else a copy with opaque markers. */
export function cloneable(value: unknown): unknown {
  try {
    structuredClone(value);
    return value;
  } catch {
    return sanitize(value, new Map(), 0);
  }
}

const MAX_DEPTH = 12;

function opaque(description: string): Record<string, string> {
  return { [OPAQUE_KEY]: description };
}

function sanitize(value: unknown, seen: Map<object, unknown>, depth: number): unknown {
  if (typeof value === 'function') return opaque(`ƒ ${value.name || 'anonymous'}()`);
  if (typeof value === 'symbol') return opaque(value.toString());
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  if (depth > MAX_DEPTH) return opaque('…');
  if (isNode(value)) return opaque(describeNode(value));
  if (value instanceof Table) return opaque(`Table ${value.numRows} rows × ${value.numCols} cols`);
  if (value instanceof Promise) return opaque('Promise');
  if (value instanceof WeakMap || value instanceof WeakSet) return opaque(value.constructor.name);
  try {
    structuredClone(value);
    return value;
  } catch {
    // Something inside cannot be cloned: copy this level and look deeper.
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(sanitize(item, seen, depth + 1));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map();
    seen.set(value, out);
    for (const [k, v] of value) out.set(sanitize(k, seen, depth + 1), sanitize(v, seen, depth + 1));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    seen.set(value, out);
    for (const v of value) out.add(sanitize(v, seen, depth + 1));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const key of Object.keys(value)) {
    let field: unknown;
    try {
      field = (value as Record<string, unknown>)[key];
    } catch (e) {
      field = opaque(`getter threw: ${String(e)}`);
    }
    out[key] = sanitize(field, seen, depth + 1);
  }
  return out;
}
