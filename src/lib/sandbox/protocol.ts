/**
 * The messages between the host page and a JS cell sandbox (an opaque-origin iframe), and
 * the values they carry. Everything here survives structured clone; tables travel as
 * Arrow IPC bytes so neither side depends on the other's apache-arrow classes.
 */

/** The name a cell's static `import`s are rewritten to call (`jsCellBody(source, {importer})`). */
export const SANDBOX_IMPORTER = '__cairn_import';

/** Module specifiers a cell can import without a URL: the libraries Cairn bundles, and `cairn` (exact rows and sums; README.md, "JS cells"). */
export const SANDBOX_MODULES = ['apache-arrow', '@observablehq/plot', 'd3', 'cairn'] as const;

/** Key of the marker object that stands in for a value structured clone cannot copy (a function, a symbol). */
export const OPAQUE_KEY = '__cairnOpaque';

/** A column of a table value, for summaries (`Table 24 rows × 3 cols`). */
export interface SandboxColumn {
  name: string;
  type: string;
}

/** A cell's value as the host receives it. */
export type SandboxValue =
  | { kind: 'undefined' }
  /** An Arrow table or an array of objects: Arrow IPC stream bytes, queryable by SQL cells. */
  | { kind: 'table'; ipc: Uint8Array; numRows: number; columns: SandboxColumn[] }
  /** Anything else, structured-cloned; leaves clone cannot copy are `{[OPAQUE_KEY]: description}`. */
  | { kind: 'json'; value: unknown }
  /** A DOM node or SVG: rendered inside the sandbox iframe, described here. */
  | { kind: 'dom'; description: string };

/** One `console.*` call inside a cell. */
export interface SandboxConsoleEntry {
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  args: SandboxValue[];
  /** Milliseconds since the run started. */
  at: number;
}

/** What a failing cell reports; `line`/`column` are 1-based positions in the cell's source. */
export interface SandboxErrorInfo {
  name: string;
  message: string;
  stack?: string;
  line?: number;
  column?: number;
}

/** Where a cell's code runs inside the sandbox: a Worker (killable) or the iframe's page (has a DOM). */
export type SandboxThread = 'worker' | 'main';

/** An input as it travels: a table as IPC bytes, anything else cloned. */
export type WireInput = { name: string; kind: 'table'; ipc: Uint8Array } | { name: string; kind: 'value'; value: unknown };

/** Host → sandbox. */
export type ToSandbox =
  | { cairn: 1; type: 'runtime'; source: string }
  | {
      cairn: 1;
      type: 'run';
      runId: number;
      cellId: string;
      body: string;
      inputs: WireInput[];
      thread: SandboxThread;
      /** Characters the body's first line has before the source's own first line (hoisted imports). */
      firstLineShift: number;
    }
  | { cairn: 1; type: 'cancel'; runId: number }
  | { cairn: 1; type: 'style'; style: Record<string, string> };

/** Sandbox → host. */
export type FromSandbox =
  | { cairn: 1; type: 'boot' }
  | { cairn: 1; type: 'ready' }
  | { cairn: 1; type: 'height'; height: number }
  | { cairn: 1; type: 'console'; runId: number; entry: SandboxConsoleEntry }
  | { cairn: 1; type: 'result'; runId: number; value: SandboxValue; display: boolean }
  | { cairn: 1; type: 'error'; runId: number; error: SandboxErrorInfo }
  | { cairn: 1; type: 'cancelled'; runId: number };

/** True for a message that claims to be part of this protocol. */
export function isSandboxMessage(data: unknown): data is { cairn: 1; type: string } {
  return typeof data === 'object' && data !== null && (data as { cairn?: unknown }).cairn === 1 && typeof (data as { type?: unknown }).type === 'string';
}
