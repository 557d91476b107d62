/**
 * What a result was computed from, read off the cell graph the same way on the page and in
 * the server's reports, so both record the same provenance for the same result key.
 */
import type { Graph } from '../../../kernels/graph/index.js';

/** The result keys of the cells `id` reads (input cells are its parameters, not its inputs). */
export function resultInputs(graph: Graph, id: string): string[] {
  const node = graph.node(id);
  if (!node) return [];
  const keys = new Set<string>();
  for (const input of node.inputs) {
    if (input.kind !== 'cell') continue;
    const from = graph.node(input.id);
    if (!from || from.cell.kind === 'input' || !from.key) continue;
    keys.add(from.key);
  }
  return [...keys];
}

/** The values of the input cells `id` reads, by input name: its bound parameters. */
export function boundInputs(graph: Graph, id: string): Record<string, unknown> {
  const node = graph.node(id);
  const values: Record<string, unknown> = {};
  if (!node) return values;
  for (const input of node.inputs) {
    if (input.kind !== 'cell') continue;
    const from = graph.node(input.id);
    if (from?.cell.kind !== 'input') continue;
    values[from.cell.name] = (from.cell.params as { value?: unknown } | null)?.value ?? null;
  }
  return values;
}
