/** Which control edits each config key of chart and input cells. */
import { CHART_AGGREGATES, CHART_MARKS, type CellKind } from '$doc';
import { INPUT_TYPES } from '$lib/contract/inputs.js';

export type FieldSpec =
  | { key: string; label: string; type: 'text'; placeholder?: string }
  | { key: string; label: string; type: 'number'; placeholder?: string }
  // A list of values, edited as text separated by commas.
  | { key: string; label: string; type: 'list'; placeholder?: string }
  | { key: string; label: string; type: 'select'; options: readonly string[] }
  | { key: string; label: string; type: 'bin' };

const CHART_FIELDS: FieldSpec[] = [
  { key: 'source', label: 'Data', type: 'text', placeholder: 'cell name' },
  { key: 'mark', label: 'Mark', type: 'select', options: CHART_MARKS },
  { key: 'x', label: 'X', type: 'text', placeholder: 'column' },
  { key: 'y', label: 'Y', type: 'text', placeholder: 'column' },
  { key: 'color', label: 'Color', type: 'text', placeholder: 'column' },
  { key: 'facet', label: 'Facet', type: 'text', placeholder: 'column' },
  { key: 'aggregate', label: 'Aggregate', type: 'select', options: CHART_AGGREGATES },
  { key: 'bin', label: 'Bin', type: 'bin' },
  { key: 'sort', label: 'Sort', type: 'text', placeholder: 'column or -column' },
  { key: 'title', label: 'Title', type: 'text', placeholder: 'chart title' }
];

const INPUT_FIELDS: FieldSpec[] = [
  { key: 'type', label: 'Type', type: 'select', options: INPUT_TYPES },
  { key: 'label', label: 'Label', type: 'text', placeholder: 'shown next to the input' },
  { key: 'options', label: 'Options', type: 'list', placeholder: 'a, b, c' },
  { key: 'optionsFrom', label: 'Options from', type: 'text', placeholder: 'cell.column' },
  { key: 'min', label: 'Min', type: 'number' },
  { key: 'max', label: 'Max', type: 'number' },
  { key: 'step', label: 'Step', type: 'number' }
];

/** Which input settings apply to each type (the others stay in the document, unshown). */
const INPUT_FIELDS_BY_TYPE: Record<string, readonly string[]> = {
  select: ['options', 'optionsFrom'],
  number: ['min', 'max', 'step'],
  slider: ['min', 'max', 'step']
};
const INPUT_KEYS = new Set(['type', 'label', 'value', 'options', 'optionsFrom', 'min', 'max', 'step']);

/**
 * The fields for a cell: the known ones for its kind, then a text field for any other key a
 * newer client may have added (so nothing in the document is invisible). An input's value
 * is edited by its control, and only the settings its type uses are shown.
 */
export function fieldsFor(kind: CellKind, keys: string[], values: Record<string, unknown> = {}): FieldSpec[] {
  if (kind === 'input') {
    const extra = INPUT_FIELDS_BY_TYPE[String(values.type)] ?? [];
    const shown = INPUT_FIELDS.filter((f) => f.key === 'type' || f.key === 'label' || extra.includes(f.key));
    const others: FieldSpec[] = keys.filter((k) => !INPUT_KEYS.has(k)).sort().map((k) => ({ key: k, label: k, type: 'text' }));
    return [...shown, ...others];
  }
  const known = kind === 'chart' ? CHART_FIELDS : [];
  const knownKeys = new Set(known.map((f) => f.key));
  const extra: FieldSpec[] = keys.filter((k) => !knownKeys.has(k)).sort().map((k) => ({ key: k, label: k, type: 'text' }));
  return [...known, ...extra];
}
