/**
 * What the browser engine is doing, for the UI: starting, ready or failed (with how long
 * instantiating took), sources loading (rows so far), queries running (rows so far). A
 * Svelte store (`$kernelStatus` in components); updates come from the kernel host only.
 */
import { writable, type Readable } from 'svelte/store';
import type { SourceProgress } from '$kernels/duckdb-wasm/index.js';

/** One query in flight. */
export interface QueryProgress {
  id: number;
  /** The caller's label (a cell id, say), when it gave one. */
  label: string | null;
  rows: number;
  startedAt: number;
}

export interface KernelStatus {
  /** `idle` until first use; `starting` while DuckDB-WASM instantiates. */
  phase: 'idle' | 'starting' | 'ready' | 'failed';
  /** Milliseconds DuckDB-WASM took to instantiate (worker + wasm), once known. */
  instantiateMs: number | null;
  error: string | null;
  /** Sources by table name: the latest progress of each load. */
  sources: Record<string, SourceProgress>;
  /** Queries running now. */
  queries: QueryProgress[];
}

const INITIAL: KernelStatus = { phase: 'idle', instantiateMs: null, error: null, sources: {}, queries: [] };

const store = writable<KernelStatus>(INITIAL);

/** The browser engine's status. */
export const kernelStatus: Readable<KernelStatus> = { subscribe: store.subscribe };

/** Applies `change` to the status (kernel host only). */
export function updateStatus(change: (s: KernelStatus) => KernelStatus): void {
  store.update(change);
}
