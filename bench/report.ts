/**
 * What every benchmark returns, and how it is printed. A benchmark compares Cairn with a
 * baseline measured in the same run; targets are printed PASS/MISS but never fail the run.
 */

export type Cell = string | number | null;

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
}

export interface Target {
  /** What is compared, e.g. "p99 ratio Cairn/bare @10 editors". */
  name: string;
  /** The goal, e.g. "≤ 1.2". */
  goal: string;
  measured: number | null;
  /** null when it could not be measured. */
  pass: boolean | null;
}

export interface BenchResult {
  name: string;
  title: string;
  tables: Table[];
  targets: Target[];
  notes: string[];
  /** Everything measured, for bench/results/<name>.json. */
  data: unknown;
}

/** A target `measured ≤ max` (or `≥ min`). */
export function target(name: string, measured: number | null, goal: { max: number } | { min: number }): Target {
  const ok = measured === null || !Number.isFinite(measured) ? null : 'max' in goal ? measured <= goal.max : measured >= goal.min;
  return { name, goal: 'max' in goal ? `≤ ${goal.max}` : `≥ ${goal.min}`, measured: measured !== null && Number.isFinite(measured) ? measured : null, pass: ok };
}

/** Round to `digits` significant-ish decimals for display. */
export function fmt(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 1000 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(digits);
}

export function formatTable(table: Table): string {
  const cells = table.rows.map((row) => row.map((c) => (c === null ? '–' : typeof c === 'number' ? fmt(c) : c)));
  const widths = table.columns.map((col, i) => Math.max(col.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [table.title, line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function formatTargets(targets: Target[]): string {
  const width = Math.max(...targets.map((t) => t.name.length));
  return targets
    .map((t) => {
      const verdict = t.pass === null ? 'N/A ' : t.pass ? 'PASS' : 'MISS';
      return `${verdict}  ${t.name.padEnd(width)}  target ${t.goal.padEnd(6)}  measured ${fmt(t.measured)}`;
    })
    .join('\n');
}

export function formatResult(result: BenchResult): string {
  const parts = [`== ${result.title} ==`, ...result.tables.map(formatTable)];
  if (result.targets.length > 0) parts.push('Targets\n' + formatTargets(result.targets));
  if (result.notes.length > 0) parts.push(result.notes.map((n) => `note: ${n}`).join('\n'));
  return parts.join('\n\n');
}
