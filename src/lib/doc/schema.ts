/**
 * The notebook document layout, the contract every client keeps to (docs/api.md points here). Every client — the
 * page, the server, a script speaking y-websocket — reads and writes these names.
 */
import type * as Y from 'yjs';

/** The kinds of cell a notebook holds. */
export const CELL_KINDS = ['sql', 'js', 'chart', 'text', 'input'] as const;
export type CellKind = (typeof CELL_KINDS)[number];

/** Chart marks a chart cell's `config.mark` may name. */
export const CHART_MARKS = ['bar', 'line', 'area', 'dot', 'rect', 'box'] as const;
/** Aggregates a chart cell's `config.aggregate` may name. */
export const CHART_AGGREGATES = ['count', 'sum', 'mean', 'median', 'min', 'max'] as const;

/** The engine a SQL cell runs on when nobody chose one: DuckDB-WASM in the reader's browser. */
export const BROWSER_ENGINE = 'browser';

/** Top-level shared types of a notebook document. */
export const META = 'meta';
export const ORDER = 'order';
export const CELLS = 'cells';
export const RUNS = 'runs';
export const FILES = 'files';

/** A cell as stored: a Y.Map whose keys are those of {@link CellJSON}. */
export type CellMap = Y.Map<unknown>;

/**
 * Plain JSON values a chart or input cell keeps in its `config` map (an input's date range
 * and options are arrays). An input's keys — `type`, `label`, `value`, `options`,
 * `optionsFrom`, `min`, `max`, `step` — and what each may hold are in src/lib/contract/inputs.ts.
 */
export type ConfigValue = string | number | boolean | null | ConfigValue[];

/** A read-only, plain view of a cell (the shape of `GET /api/notebooks/:id`). */
export interface CellJSON {
  id: string;
  kind: CellKind;
  name: string;
  engine: string | null;
  /** SQL or JS text; Markdown for text cells; null for chart and input cells. */
  source: string | null;
  config: Record<string, ConfigValue> | null;
  /** Left out of published reports. */
  hidden: boolean;
  /** SQL/JS source shown in published reports (default false). */
  showCode: boolean;
}

export function isCellKind(value: unknown): value is CellKind {
  return typeof value === 'string' && (CELL_KINDS as readonly string[]).includes(value);
}

/** Kinds whose content is a `source` Y.Text edited in CodeMirror. */
export function hasSource(kind: CellKind): boolean {
  return kind === 'sql' || kind === 'js';
}

/** Kinds whose settings live in a `config` Y.Map. */
export function hasConfig(kind: CellKind): boolean {
  return kind === 'chart' || kind === 'input';
}
