/** The read-only plain view of a notebook (`GET /api/notebooks/:id`). */
import * as Y from 'yjs';
import { cellKind, cellName, cellsOf, readOrder } from './cells.js';
import { proseToMarkdown } from './markdown.js';
import type { CellJSON, ConfigValue } from './schema.js';

/** Every readable cell in display order; cells with an unknown kind are left out. */
export function cellsToJSON(doc: Y.Doc): CellJSON[] {
  const cells = cellsOf(doc);
  const out: CellJSON[] = [];
  for (const id of readOrder(doc)) {
    const cell = cells.get(id);
    const kind = cell ? cellKind(cell) : null;
    if (!cell || !kind) continue;
    const source = cell.get('source');
    const prose = cell.get('prose');
    const config = cell.get('config');
    const engine = cell.get('engine');
    out.push({
      id,
      kind,
      name: cellName(cell),
      engine: typeof engine === 'string' ? engine : null,
      source: source instanceof Y.Text ? source.toString() : prose instanceof Y.XmlFragment ? proseToMarkdown(prose) : null,
      config: config instanceof Y.Map ? (config.toJSON() as Record<string, ConfigValue>) : null,
      hidden: cell.get('hidden') === true,
      showCode: cell.get('showCode') === true
    });
  }
  return out;
}
