/**
 * Reading and changing cells. Each change is one `doc.transact`, so a user action is one
 * update on the wire and one step for Y.UndoManager; pass `origin` to let an undo manager
 * track it.
 */
import * as Y from 'yjs';
import {
  BROWSER_ENGINE,
  CELLS,
  ORDER,
  hasConfig,
  hasSource,
  isCellKind,
  type CellKind,
  type CellMap,
  type ConfigValue
} from './schema.js';

export interface NewCell {
  kind: CellKind;
  name?: string;
  /** Initial text for sql and js cells. */
  source?: string;
  engine?: string;
  config?: Record<string, ConfigValue>;
  hidden?: boolean;
  /** Fixed id, for seeding; otherwise a fresh random one. */
  id?: string;
}

/** The cells map of a notebook document. */
export function cellsOf(doc: Y.Doc): Y.Map<CellMap> {
  return doc.getMap<CellMap>(CELLS);
}

/** The display order array of a notebook document. */
export function orderOf(doc: Y.Doc): Y.Array<string> {
  return doc.getArray<string>(ORDER);
}

/** A new cell id: random, so two clients never pick the same one, and never reused. */
export function newCellId(): string {
  const bytes = new Uint8Array(9);
  globalThis.crypto.getRandomValues(bytes);
  let out = 'c';
  for (const b of bytes) out += (b % 36).toString(36);
  return out;
}

/** Default config for a new chart cell: every key src/lib/doc/schema.ts names, empty. */
export function defaultChartConfig(): Record<string, ConfigValue> {
  return { source: '', mark: 'bar', x: '', y: '', color: '', facet: '', aggregate: 'count', bin: false, sort: '', title: '' };
}

/** Default config for a new input cell. */
export function defaultInputConfig(): Record<string, ConfigValue> {
  return { type: 'text', label: '', value: '' };
}

function buildCell(spec: NewCell, id: string): CellMap {
  const cell: CellMap = new Y.Map();
  cell.set('id', id);
  cell.set('kind', spec.kind);
  cell.set('name', spec.name ?? '');
  if (hasSource(spec.kind)) {
    cell.set('source', new Y.Text(spec.source ?? ''));
  }
  if (spec.kind === 'sql') cell.set('engine', spec.engine ?? BROWSER_ENGINE);
  if (spec.kind === 'text') cell.set('prose', new Y.XmlFragment());
  if (hasConfig(spec.kind)) {
    const config = new Y.Map<ConfigValue>();
    const defaults = spec.kind === 'chart' ? defaultChartConfig() : defaultInputConfig();
    for (const [k, v] of Object.entries({ ...defaults, ...spec.config })) config.set(k, v);
    cell.set('config', config);
  }
  cell.set('hidden', spec.hidden ?? false);
  return cell;
}

/** Insert a cell at display position `index` (clamped; default: the end). Returns its id. */
export function insertCell(doc: Y.Doc, spec: NewCell, index?: number, origin?: unknown): string {
  const id = spec.id ?? newCellId();
  doc.transact(() => {
    const order = orderOf(doc);
    cellsOf(doc).set(id, buildCell(spec, id));
    const at = index === undefined ? order.length : Math.max(0, Math.min(index, order.length));
    order.insert(at, [id]);
  }, origin);
  return id;
}

/**
 * Move a cell to display position `to` in the order readers see (see {@link readOrder}).
 * Moving changes only `order`: the cell's content keeps its Yjs items, so concurrent edits
 * to the moved cell are never lost.
 */
export function moveCell(doc: Y.Doc, id: string, to: number, origin?: unknown): void {
  doc.transact(() => {
    const order = orderOf(doc);
    const visible = readOrder(doc);
    const from = visible.indexOf(id);
    if (from < 0) return;
    const target = Math.max(0, Math.min(to, visible.length - 1));
    if (target === from) return;
    // Remove every occurrence (concurrent moves can leave duplicates) before inserting.
    const raw = order.toArray();
    for (let i = raw.length - 1; i >= 0; i--) if (raw[i] === id) order.delete(i, 1);
    const rest = visible.filter((v) => v !== id);
    // Insert next to the neighbour it should follow, in raw-array terms.
    const after = target === 0 ? undefined : rest[target - 1];
    const rawNow = order.toArray();
    const afterIndex = after === undefined ? -1 : rawNow.indexOf(after);
    // An orphan neighbour (in `cells`, not in `order`) is shown at the end: append there.
    const at = after === undefined ? 0 : afterIndex < 0 ? rawNow.length : afterIndex + 1;
    order.insert(at, [id]);
  }, origin);
}

/** Delete a cell: its id leaves `order` and its content leaves `cells`. */
export function deleteCell(doc: Y.Doc, id: string, origin?: unknown): void {
  doc.transact(() => {
    const order = orderOf(doc);
    const raw = order.toArray();
    for (let i = raw.length - 1; i >= 0; i--) if (raw[i] === id) order.delete(i, 1);
    cellsOf(doc).delete(id);
  }, origin);
}

/**
 * The cell ids in display order, as src/lib/doc/schema.ts fixes it for every reader: the first of
 * duplicate ids wins, ids with no cell are skipped, and cells missing from `order` follow
 * at the end (sorted by id, so every client shows the same thing).
 */
export function readOrder(doc: Y.Doc): string[] {
  const cells = cellsOf(doc);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of orderOf(doc).toArray()) {
    if (typeof id !== 'string' || seen.has(id) || !cells.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  const orphans = [...cells.keys()].filter((id) => !seen.has(id)).sort();
  return out.concat(orphans);
}

/** The kind of a stored cell, or null when the map holds something unexpected. */
export function cellKind(cell: CellMap): CellKind | null {
  const kind = cell.get('kind');
  return isCellKind(kind) ? kind : null;
}

/** A cell's result name ('' when unset). */
export function cellName(cell: CellMap): string {
  const name = cell.get('name');
  return typeof name === 'string' ? name : '';
}

/** Set a cell's scalar field (name, engine, hidden, showCode) in one transaction. */
export function setCellField(doc: Y.Doc, id: string, key: 'name' | 'engine' | 'hidden' | 'showCode', value: string | boolean, origin?: unknown): void {
  doc.transact(() => {
    cellsOf(doc).get(id)?.set(key, value);
  }, origin);
}

/**
 * Set the engine a SQL cell runs on: `'browser'` or a server connection id. Only SQL cells
 * have an engine, so other kinds are left alone; setting the current value writes nothing
 * (no update goes out, no undo step is made). Returns whether it changed.
 */
export function setCellEngine(doc: Y.Doc, id: string, engine: string, origin?: unknown): boolean {
  const cell = cellsOf(doc).get(id);
  if (!cell || cellKind(cell) !== 'sql' || engine === '' || cell.get('engine') === engine) return false;
  doc.transact(() => cell.set('engine', engine), origin);
  return true;
}

/** Seconds a server SQL cell's cached result stays fresh when none is set on the cell. */
export const DEFAULT_CACHE_TTL_SECONDS = 600;

/** A SQL cell's cache TTL in seconds: its `ttl` field, else the default. */
export function cellTtl(cell: CellMap): number {
  const ttl = cell.get('ttl');
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl >= 0 ? ttl : DEFAULT_CACHE_TTL_SECONDS;
}

/**
 * Set how long a server SQL cell's cached result stays fresh (seconds; 0 = always ask the
 * warehouse when the notebook opens). Other kinds are left alone.
 */
export function setCellTtl(doc: Y.Doc, id: string, seconds: number, origin?: unknown): boolean {
  const cell = cellsOf(doc).get(id);
  if (!cell || cellKind(cell) !== 'sql' || !Number.isFinite(seconds) || seconds < 0 || cell.get('ttl') === seconds) return false;
  doc.transact(() => cell.set('ttl', seconds), origin);
  return true;
}

/** Set one key of a chart or input cell's config. */
export function setConfigValue(doc: Y.Doc, id: string, key: string, value: ConfigValue, origin?: unknown): void {
  setConfigValues(doc, id, { [key]: value }, origin);
}

/** Set several keys of a chart or input cell's config in one transaction (collaborators never see half of it). */
export function setConfigValues(doc: Y.Doc, id: string, values: Record<string, ConfigValue>, origin?: unknown): void {
  doc.transact(() => {
    const config = cellsOf(doc).get(id)?.get('config');
    if (config instanceof Y.Map) for (const [key, value] of Object.entries(values)) config.set(key, value);
  }, origin);
}

/**
 * A name not used by any cell yet, from `base` (`query` → `query1`, `query2`, …), so a
 * new cell never starts with a duplicate-name error.
 */
export function freshName(doc: Y.Doc, base: string): string {
  const used = new Set<string>();
  for (const cell of cellsOf(doc).values()) used.add(cellName(cell));
  for (let i = 1; ; i++) {
    const candidate = `${base}${i}`;
    if (!used.has(candidate)) return candidate;
  }
}
