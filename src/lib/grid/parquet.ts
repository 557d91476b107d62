/// <reference types="vite/client" />
/**
 * Parquet downloads: parquet-wasm and its WebAssembly binary are fetched from our own
 * bundle (no network beyond the app), and only the first time someone asks for Parquet.
 */
import { tableToIPC, type Table } from 'apache-arrow';

let parquetModule: Promise<typeof import('parquet-wasm/esm')> | null = null;

/** parquet-wasm and its wasm binary, fetched and initialised once, on first use. */
function loadParquet(): Promise<typeof import('parquet-wasm/esm')> {
  parquetModule ??= (async () => {
    const [mod, wasm] = await Promise.all([import('parquet-wasm/esm'), import('parquet-wasm/esm/parquet_wasm_bg.wasm?url')]);
    await mod.default({ module_or_path: wasm.default });
    return mod;
  })().catch((err: unknown) => {
    parquetModule = null; // a failed load (offline, blocked) may succeed on the next try
    throw err;
  });
  return parquetModule;
}

/**
 * The table as Parquet bytes, written by an initialised parquet-wasm with its default writer
 * properties: Decimal128(p, s) becomes Parquet DECIMAL(p, s), 64-bit integers INT64, and the
 * Arrow schema (field metadata included: `cairn.type`, `cairn.db_type`, `cairn.note`) is
 * stored in the file, so a decimal text column stays text that says what it is.
 */
export function tableToParquetBytes(parquet: Pick<typeof import('parquet-wasm/esm'), 'Table' | 'writeParquet'>, table: Table): Uint8Array {
  return parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')));
}

/** The table as a Parquet file (see {@link tableToParquetBytes}). */
export async function tableToParquetBlob(table: Table): Promise<Blob> {
  const bytes = tableToParquetBytes(await loadParquet(), table);
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/vnd.apache.parquet' });
}

