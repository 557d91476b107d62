/** Which control edits each config key of chart and input cells. */
import { CHART_AGGREGATES, CHART_MARKS, type CellKind } from '$doc';
import { INPUT_TYPES } from '$lib/contract/inputs.js';

export type FieldSpec =
  | { key: string; label: string; type: 'text'; placeholder?: string }
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
  { key: 'value', label: 'Value', type: 'text', placeholder: 'initial value' }
];

/**
 * The fields for a cell: the known ones for its kind, then a text field for any other key a
 * newer client may have added (so nothing in the document is invisible).
 */
export function fieldsFor(kind: CellKind, keys: string[]): FieldSpec[] {
  const known = kind === 'chart' ? CHART_FIELDS : kind === 'input' ? INPUT_FIELDS : [];
  const knownKeys = new Set(known.map((f) => f.key));
  const extra: FieldSpec[] = keys.filter((k) => !knownKeys.has(k)).sort().map((k) => ({ key: k, label: k, type: 'text' }));
  return [...known, ...extra];
}
