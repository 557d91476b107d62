/**
 * Cell-level diff of two views of a notebook. Cells are matched by id (stable, never
 * reused), so a renamed or moved cell is that, not a removal plus an addition.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../kernels/graph/cell-key.js';
import type { CellJSON } from '../../src/lib/doc/index.js';
import type { CellChange, CellChangeKind, VersionSummary } from '../../src/lib/contract/index.js';

/** What makes two versions of a cell different in content (its name and position aside). */
function contentOf(cell: CellJSON): unknown {
  return [cell.kind, cell.engine, cell.source, cell.config, cell.hidden, cell.showCode];
}

export function cellDigest(cell: CellJSON): string {
  return createHash('sha256').update(canonicalJson([cell.name, contentOf(cell)])).digest('base64url').slice(0, 22);
}

/** What a version row keeps to summarize the next version without rebuilding this one. */
export interface Fingerprint {
  order: string[];
  cells: Record<string, string>;
}

export function fingerprintOf(cells: CellJSON[]): Fingerprint {
  const out: Fingerprint = { order: [], cells: {} };
  for (const cell of cells) {
    out.order.push(cell.id);
    out.cells[cell.id] = cellDigest(cell);
  }
  return out;
}

/** Ids of `after` that keep their relative order from `before` (a longest common subsequence). */
export function steadyIds(before: string[], after: string[]): Set<string> {
  const inBoth = new Set(before.filter((id) => after.includes(id)));
  const a = before.filter((id) => inBoth.has(id));
  const b = after.filter((id) => inBoth.has(id));
  // Patience-style LIS over positions: O(n log n), fine for thousands of cells.
  const pos = new Map(a.map((id, i) => [id, i]));
  const seq = b.map((id) => pos.get(id)!);
  const tails: number[] = [];
  const tailIdx: number[] = [];
  const prev = new Array<number>(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tails[mid] < seq[i]) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = seq[i];
    tailIdx[lo] = i;
    prev[i] = lo > 0 ? tailIdx[lo - 1] : -1;
  }
  const keep = new Set<string>();
  for (let i = tailIdx[tails.length - 1] ?? -1; i >= 0; i = prev[i]) keep.add(b[i]);
  return keep;
}

/** How `after` differs from `before`, in `after`'s order with removed cells where they stood. */
export function diffCells(before: CellJSON[], after: CellJSON[]): CellChange[] {
  const beforeById = new Map(before.map((c) => [c.id, c]));
  const afterById = new Map(after.map((c) => [c.id, c]));
  const steady = steadyIds(
    before.map((c) => c.id),
    after.map((c) => c.id)
  );
  const changeOf = (b: CellJSON, a: CellJSON): CellChange | null => {
    const changes: CellChangeKind[] = [];
    if (canonicalJson(contentOf(b)) !== canonicalJson(contentOf(a))) changes.push('changed');
    if (b.name !== a.name) changes.push('renamed');
    if (!steady.has(a.id)) changes.push('moved');
    return changes.length === 0 ? null : { id: a.id, name: a.name, change: changes[0], changes, before: b, after: a };
  };
  const out: CellChange[] = [];
  const removedAfter = new Map<string | null, CellJSON[]>();
  // A removed cell is shown after the nearest earlier cell that still exists.
  let anchor: string | null = null;
  for (const cell of before) {
    if (afterById.has(cell.id)) anchor = cell.id;
    else removedAfter.set(anchor, [...(removedAfter.get(anchor) ?? []), cell]);
  }
  const pushRemoved = (key: string | null) => {
    for (const cell of removedAfter.get(key) ?? []) out.push({ id: cell.id, name: cell.name, change: 'removed', changes: ['removed'], before: cell });
  };
  pushRemoved(null);
  for (const cell of after) {
    const old = beforeById.get(cell.id);
    if (!old) out.push({ id: cell.id, name: cell.name, change: 'added', changes: ['added'], after: cell });
    else {
      const change = changeOf(old, cell);
      if (change) out.push(change);
    }
    pushRemoved(cell.id);
  }
  return out;
}

/** Counts of what changed between two fingerprints (the first version counts every cell as added). */
export function summarize(before: Fingerprint | null, after: Fingerprint): VersionSummary {
  const prev = before ?? { order: [], cells: {} };
  let added = 0;
  let changed = 0;
  for (const [id, digest] of Object.entries(after.cells)) {
    if (!(id in prev.cells)) added++;
    else if (prev.cells[id] !== digest) changed++;
  }
  const removed = Object.keys(prev.cells).filter((id) => !(id in after.cells)).length;
  const steady = steadyIds(prev.order, after.order);
  const moved = after.order.filter((id) => id in prev.cells && !steady.has(id)).length;
  return { added, removed, changed, moved };
}

export function isEmptySummary(s: VersionSummary): boolean {
  return s.added + s.removed + s.changed + s.moved === 0;
}
