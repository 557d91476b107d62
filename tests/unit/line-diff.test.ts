import { describe, expect, it } from 'vitest';
import { configDiff, foldContext, lineDiff } from '../../src/lib/history/line-diff.js';

describe('line diffs of cell sources', () => {
  it('marks kept, added and removed lines with their numbers on each side', () => {
    expect(lineDiff('select a\nfrom t\nwhere x', 'select a, b\nfrom t\nwhere x\nlimit 5')).toEqual([
      { kind: 'removed', text: 'select a', before: 1, after: null },
      { kind: 'added', text: 'select a, b', before: null, after: 1 },
      { kind: 'same', text: 'from t', before: 2, after: 2 },
      { kind: 'removed', text: 'where x', before: 3, after: null },
      { kind: 'added', text: 'where x', before: null, after: 3 },
      { kind: 'added', text: 'limit 5', before: null, after: 4 }
    ]);
  });

  it('folds long unchanged runs away from the changes', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const after = before.replace('line 10', 'line ten');
    const shown = foldContext(lineDiff(before, after), 2);
    expect(shown[0]).toEqual({ kind: 'fold', count: 8 });
    expect(shown.filter((l) => l.kind === 'removed' || l.kind === 'added').map((l) => ('text' in l ? l.text : ''))).toEqual(['line 10', 'line ten']);
    expect(shown[shown.length - 1]).toEqual({ kind: 'fold', count: 7 });
  });

  it('lists only the chart settings that changed', () => {
    expect(configDiff({ mark: 'bar', x: 'a', y: '' }, { mark: 'line', x: 'a', y: 'b', title: 'T' })).toEqual([
      { key: 'mark', before: 'bar', after: 'line' },
      { key: 'title', before: '—', after: 'T' },
      { key: 'y', before: '(empty)', after: 'b' }
    ]);
  });
});
