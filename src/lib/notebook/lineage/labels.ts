/** Text of the lineage view's nodes: fixed-size boxes, so long text is cut to fit and shown whole on hover. */

/** `text` cut to `max` characters, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** What the second line of a node says: where the cell runs. */
export function runsOn(kind: string, engineName: string | null): string {
  switch (kind) {
    case 'sql':
      return engineName ?? 'Browser (DuckDB-WASM)';
    case 'js':
      return 'JavaScript · browser';
    case 'chart':
      return 'Chart · browser';
    case 'input':
      return 'Input value';
    default:
      return kind;
  }
}
