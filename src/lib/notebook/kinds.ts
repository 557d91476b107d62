/** How each cell kind is labelled in the UI. */
import type { CellKind } from '$doc';

export const KIND_LABELS: Record<CellKind, string> = {
  sql: 'SQL',
  js: 'JS',
  chart: 'Chart',
  text: 'Text',
  input: 'Input'
};
