/**
 * Provenance of the page's runs (README.md, "Provenance"). A server cell's query carries its
 * result key and inputs, so the server records the run as it ends; a run on this browser's
 * own engine (DuckDB-WASM SQL, a JS cell, a chart) is reported to the server afterwards by
 * its editors, with a hash of its result: the SHA-256 of its Arrow IPC stream bytes, as the
 * server hashes its own results, or of a JS value's canonical JSON text.
 */
import { tableToIPC, type Table } from 'apache-arrow';
import { canonicalJson, sha256Hex, type Graph, type GraphCell } from '$kernels/graph/index.js';
import type { BrowserRunBody, RunProvenance } from '$lib/contract/provenance.js';
import { boundInputs, resultInputs } from '$lib/provenance/result-inputs.js';
import type { SandboxValue } from '$lib/sandbox/protocol.js';

/** What a server cell's query adds so its result resolves by key (nothing for a cell that cannot run). */
export function serverRunProvenance(graph: Graph, cellId: string): { provenance?: RunProvenance } {
  const key = graph.node(cellId)?.key;
  return key ? { provenance: { resultKey: key, inputs: resultInputs(graph, cellId) } } : {};
}

/**
 * What a cell's output (executor.ts `CellOutput`) says about its result, as far as its
 * provenance needs: declared here so this module stays free of the page's engines.
 */
export type RecordedOutput =
  | { kind: 'sql'; table: Table; server?: unknown }
  | { kind: 'chart'; chart: { sql: string }; table: Table }
  | { kind: 'js'; value: SandboxValue }
  | { kind: 'input' };

/** A run that succeeded and whose result is still current on the page. */
export interface FinishedRun {
  cell: GraphCell;
  /** The key it ran under. */
  key: string;
  /** The graph it ran in. */
  graph: Graph;
  output: RecordedOutput;
  durationMs: number;
}

export interface RunRecorderDeps {
  record: (run: BrowserRunBody) => Promise<unknown>;
  /** False while the user may only read the notebook: the server would refuse the report. */
  mayRecord: () => boolean;
  /** Where a report that failed is told (default `console.warn`): a lost record must not break the run. */
  onError?: (error: unknown) => void;
}

/**
 * Reports each finished browser run; server runs and inputs are left alone (the server has
 * them, or they have no run). The promise settles once reported or skipped; it never rejects.
 */
export function createRunRecorder(deps: RunRecorderDeps): (run: FinishedRun) => Promise<void> {
  return async (run) => {
    if (!deps.mayRecord()) return;
    const { cell, output } = run;
    // A server cell's output says where it came from: the server recorded that run itself.
    if (output.kind === 'input' || (output.kind === 'sql' && output.server)) return;
    try {
      const body = await browserRunBody(run);
      if (body) await deps.record(body);
    } catch (err) {
      (deps.onError ?? ((e: unknown) => console.warn('Could not record the run of', cell.name || cell.id, e)))(err);
    }
  };
}

async function browserRunBody({ cell, key, graph, output, durationMs }: FinishedRun): Promise<BrowserRunBody | null> {
  const common = { resultKey: key, cellId: cell.id, inputs: resultInputs(graph, cell.id), durationMs: Math.max(0, durationMs) };
  switch (output.kind) {
    case 'sql':
      return { ...common, kind: 'sql', source: cell.source ?? '', params: boundInputs(graph, cell.id), rows: output.table.numRows, resultHash: await tableHash(output.table) };
    case 'chart':
      // What ran is the chart's aggregation; its settings are what the author chose.
      return { ...common, kind: 'chart', source: output.chart.sql, params: { config: cell.params ?? {} }, rows: output.table.numRows, resultHash: await tableHash(output.table) };
    case 'js': {
      const { bytes, rows } = jsValueBytes(output.value);
      return { ...common, kind: 'js', source: cell.source ?? '', params: boundInputs(graph, cell.id), rows, resultHash: await sha256(bytes) };
    }
    default:
      return null;
  }
}

function tableHash(table: Table): Promise<string> {
  return sha256(tableToIPC(table, 'stream'));
}

/** A JS value in the form its hash covers: a table's IPC bytes, else its canonical JSON text. */
function jsValueBytes(value: SandboxValue): { bytes: Uint8Array; rows: number | null } {
  const text = (s: string) => new TextEncoder().encode(s);
  switch (value.kind) {
    case 'table':
      return { bytes: value.ipc, rows: value.numRows };
    case 'json': {
      let json: string;
      try {
        json = canonicalJson(value.value);
      } catch {
        // Values JSON cannot key (bigints, non-finite numbers) still get a stable text.
        json = JSON.stringify(value.value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? 'undefined';
      }
      return { bytes: text(json), rows: Array.isArray(value.value) ? value.value.length : null };
    }
    case 'dom':
      return { bytes: text(`dom:${value.description}`), rows: null };
    default:
      return { bytes: text('undefined'), rows: null };
  }
}

/** SHA-256 hex, by Web Crypto where the page has it (secure contexts), else the graph's own. */
async function sha256(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return sha256Hex(bytes);
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
