/**
 * Inside the sandbox: compile a cell body (from kernels/graph/js-value) as an async function
 * of its inputs, run it, and map an error's position back to the cell's source.
 */
import * as arrow from 'apache-arrow';
import * as Plot from '@observablehq/plot';
import * as d3 from 'd3';
import * as cairn from './cairn.js';
import { SANDBOX_IMPORTER, type SandboxErrorInfo } from '../protocol.js';

const MODULES: Record<string, unknown> = { 'apache-arrow': arrow, '@observablehq/plot': Plot, d3, cairn };

/** The loader a cell's `import`s call: Cairn's bundled libraries by name, or a full URL. */
export async function importModule(specifier: string): Promise<unknown> {
  const bundled = MODULES[specifier];
  if (bundled) return bundled;
  if (/^https?:\/\//.test(specifier)) return import(/* @vite-ignore */ specifier);
  throw new Error(`Cannot import "${specifier}": cells can import ${Object.keys(MODULES).join(', ')}, or a module by its full https:// URL.`);
}

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<unknown>;

/** The script name stack frames of a cell carry, so its frames can be told from the runtime's. */
export function cellScriptName(cellId: string): string {
  return `cairn-cell-${cellId.replace(/[^\w-]/g, '_')}.js`;
}

/** Run a cell body with named inputs; resolves with its value. */
export function runCellBody(cellId: string, body: string, inputs: { name: string; value: unknown }[]): Promise<unknown> {
  const fn = new AsyncFunction(SANDBOX_IMPORTER, ...inputs.map((i) => i.name), `${body}\n//# sourceURL=${cellScriptName(cellId)}`);
  return fn(importModule, ...inputs.map((i) => i.value));
}

/**
 * An error as plain data, with the line and column in the cell's source: V8 numbers lines of a
 * `new AsyncFunction` body from its synthesized header `async function anonymous(…\n) {\n`,
 * two lines above the body; `firstLineShift` is what hoisted imports added to line 1.
 */
export function errorInfo(error: unknown, cellId: string, firstLineShift: number): SandboxErrorInfo {
  const e = error instanceof Error ? error : null;
  const info: SandboxErrorInfo = {
    name: e?.name ?? 'Error',
    message: e ? e.message : describeThrown(error)
  };
  const stack = e?.stack;
  if (stack) {
    const name = cellScriptName(cellId);
    const lines = stack.split('\n').filter((l) => l.includes(name));
    const at = new RegExp(`${name.replace(/[.]/g, '\\.')}:(\\d+):(\\d+)`).exec(lines[0] ?? '');
    if (at) {
      const line = Number(at[1]) - 2;
      let column = Number(at[2]);
      if (line === 1 && column > firstLineShift) column -= firstLineShift;
      if (line >= 1) {
        info.line = line;
        info.column = column;
      }
    }
    // Keep only the cell's own frames, renamed to something readable.
    info.stack = lines.map((l) => l.replace(/\(?eval at [^)]*\), /, '(').replace(new RegExp(`${name.replace(/[.]/g, '\\.')}:(\\d+):(\\d+)`), (_m, l1: string, c1: string) => `cell:${Number(l1) - 2}:${c1}`)).join('\n');
  }
  return info;
}

function describeThrown(value: unknown): string {
  try {
    return typeof value === 'string' ? value : `Uncaught ${JSON.stringify(value) ?? String(value)}`;
  } catch {
    return `Uncaught ${String(value)}`;
  }
}
