/**
 * A report result as a Parquet download: the result's Arrow bytes from its endpoint,
 * written as Parquet in the browser by the notebook's own writer (src/lib/grid/parquet.ts).
 * The writer's WebAssembly loads only when a reader asks for Parquet, never with the page.
 */
import { tableFromIPC } from 'apache-arrow';
import { downloadBlob } from '../download.js';

export async function downloadParquet(arrowUrl: string, filename: string): Promise<void> {
  const [res, { tableToParquetBlob }] = await Promise.all([fetch(arrowUrl), import('../grid/parquet.js')]);
  if (!res.ok) throw new Error(`the result did not load (${res.status})`);
  downloadBlob(await tableToParquetBlob(tableFromIPC(new Uint8Array(await res.arrayBuffer()))), filename);
}
