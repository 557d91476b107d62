/** Line diffs of cell sources for the diff views, from jsdiff (the `diff` package). */
import { diffLines } from 'diff';

export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
  /** Line numbers on each side (null where the line is not on that side). */
  before: number | null;
  after: number | null;
}

/** Every line of `before` and `after`, marked as kept, added or removed. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const out: DiffLine[] = [];
  let b = 1;
  let a = 1;
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    for (const text of lines) {
      if (part.added) out.push({ kind: 'added', text, before: null, after: a++ });
      else if (part.removed) out.push({ kind: 'removed', text, before: b++, after: null });
      else out.push({ kind: 'same', text, before: b++, after: a++ });
    }
  }
  return out;
}

/**
 * The lines to show: changed ones with `context` unchanged lines around them; long unchanged
 * runs fold into a count.
 */
export function foldContext(lines: DiffLine[], context = 3): (DiffLine | { kind: 'fold'; count: number })[] {
  const near = new Set<number>();
  lines.forEach((l, i) => {
    if (l.kind !== 'same') for (let k = i - context; k <= i + context; k++) near.add(k);
  });
  const out: (DiffLine | { kind: 'fold'; count: number })[] = [];
  let folded = 0;
  lines.forEach((l, i) => {
    if (l.kind === 'same' && !near.has(i)) {
      folded++;
      return;
    }
    if (folded > 0) out.push({ kind: 'fold', count: folded });
    folded = 0;
    out.push(l);
  });
  if (folded > 0) out.push({ kind: 'fold', count: folded });
  return out;
}

/** Config keys whose values differ, with both sides as text. */
export function configDiff(before: Record<string, unknown> | null | undefined, after: Record<string, unknown> | null | undefined): { key: string; before: string; after: string }[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? (v === '' ? '(empty)' : v) : JSON.stringify(v));
  return keys
    .filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]))
    .map((k) => ({ key: k, before: show(before?.[k]), after: show(after?.[k]) }));
}
