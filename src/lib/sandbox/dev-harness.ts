/**
 * A test hook for the dev page `/dev/sandbox`: end-to-end tests drive sandboxes through
 * `window.cairnSandbox` with plain data (Playwright cannot pass Tables or functions).
 */
import { tableFromArrays, tableFromIPC } from 'apache-arrow';
import { jsCellBody } from '../../../kernels/graph/js-value.js';
import { SANDBOX_IMPORTER, type SandboxConsoleEntry, type SandboxValue } from './protocol.js';
import { createSandbox, SandboxError, type Sandbox } from './sandbox.js';

/** An input as a test passes it: `{arrow: {col: values}}` becomes an Arrow table. */
export type DevInput = { arrow: Record<string, unknown[]> } | { value: unknown };

/** What a test gets back from a run. */
export interface DevRunResult {
  ok: boolean;
  ms: number;
  value?: SandboxValue['kind'];
  rows?: unknown[];
  json?: unknown;
  display?: boolean;
  height?: number;
  svg?: boolean;
  console: SandboxConsoleEntry[];
  error?: { kind: string; message: string; line?: number; column?: number };
}

/** Install `window.cairnSandbox`; `onValue` shows the last value on the page. */
export function installDevHarness(container: HTMLElement, onValue: (value: SandboxValue | null) => void): void {
  const sandboxes = new Map<string, Sandbox>();
  const resets: string[] = [];
  const api = {
    resets,
    /** Create a sandbox in its own box; resolves once it is ready, with the start time in ms. */
    async create(id: string): Promise<number> {
      const t0 = performance.now();
      const box = document.createElement('div');
      box.dataset.sandbox = id;
      container.appendChild(box);
      const sandbox = createSandbox(box, { onReset: () => resets.push(id) });
      sandboxes.set(id, sandbox);
      await sandbox.ready();
      return performance.now() - t0;
    },
    async run(id: string, source: string, inputs: Record<string, DevInput> = {}, timeoutMs?: number, cancelAfterMs?: number): Promise<DevRunResult> {
      const sandbox = sandboxes.get(id)!;
      const body = jsCellBody(source, { importer: SANDBOX_IMPORTER });
      if (!body.ok) throw new Error(body.error.message);
      const map = new Map<string, unknown>();
      for (const [name, input] of Object.entries(inputs)) map.set(name, 'arrow' in input ? tableFromArrays(input.arrow as never) : input.value);
      const logs: SandboxConsoleEntry[] = [];
      const controller = new AbortController();
      if (cancelAfterMs !== undefined) setTimeout(() => controller.abort(), cancelAfterMs);
      const t0 = performance.now();
      try {
        const { value, display } = await sandbox.run(id, body.body, map, { timeoutMs, source, signal: controller.signal, onConsole: (e) => logs.push(e) });
        onValue(value);
        await new Promise((r) => setTimeout(r, 50));
        return {
          ok: true,
          ms: performance.now() - t0,
          value: value.kind,
          rows: value.kind === 'table' ? tableFromIPC(value.ipc).toArray().map((r) => r.toJSON()) : undefined,
          json: value.kind === 'json' ? value.value : undefined,
          display,
          height: sandbox.iframe.getBoundingClientRect().height,
          console: logs
        };
      } catch (e) {
        const err = e as SandboxError;
        return { ok: false, ms: performance.now() - t0, console: logs, error: { kind: err.kind, message: err.message, line: err.line, column: err.column } };
      }
    },
    iframeCount: () => container.querySelectorAll('iframe').length
  };
  (window as unknown as { cairnSandbox: typeof api }).cairnSandbox = api;
}
