/**
 * The tables a notebook reads that no cell makes: the bundled samples and the files users
 * added (the document's `files` map). Each is fetched and loaded on first use only, and
 * again only when a file's bytes change (a new hash under the same name).
 *
 * DuckDB-WASM 1.32 cannot load its Parquet or JSON extensions offline, so nothing here
 * calls `read_parquet` or `read_json`: Arrow goes in as IPC, CSV through `read_csv` over
 * a registered buffer, JSON through DuckDB-WASM's own `insertJSONFromPath`, Parquet
 * through parquet-wasm and then as Arrow IPC.
 */
import type { AsyncDuckDB } from '@duckdb/duckdb-wasm';
import { QueryError } from '../engine.js';
import { findSample, sampleUrl, type SampleFormat } from '../samples.js';
import { fileFormat, fileUrl, type NotebookFiles } from './formats.js';
import { ipcBytesToStream } from './arrow-input.js';
import { privateName, replaceTable, type KeyedLock } from './catalog.js';
import { ENGINE_ID, decodeDuckDbError } from './errors.js';
import { onceParquet, parquetToIpcChunks, type ParquetInit } from './parquet.js';
import { errorMessage } from '../error-message.js';

export type { FileRef, NotebookFiles } from './formats.js';

/** Fetches a source's bytes; the browser's `fetch` (same origin, with cookies), or a test's. */
export type SourceFetch = (url: string) => Promise<Response>;

/** Where a load is; `rows` so far while Parquet chunks go in. */
export interface SourceProgress {
  name: string;
  phase: 'fetching' | 'loading' | 'done' | 'error';
  rows?: number;
  bytes?: number;
  ms?: number;
}

export interface SourceLoaderOptions {
  fetch: SourceFetch;
  initParquet?: ParquetInit;
  onProgress?: (progress: SourceProgress) => void;
}

interface Loaded {
  key: string;
  promise: Promise<void>;
}

/** Loads samples and files into `db`, each once. */
export class SourceLoader {
  private readonly loaded = new Map<string, Loaded>();
  private readonly initParquet: ParquetInit | null;

  constructor(
    private readonly db: AsyncDuckDB,
    private readonly lock: KeyedLock,
    private readonly options: SourceLoaderOptions
  ) {
    this.initParquet = options.initParquet ? onceParquet(options.initParquet) : null;
  }

  /**
   * Loads the sources among `names` not loaded yet: `files` first (they shadow samples of
   * the same name), then samples; other names (cells, CTEs, unknown) are left alone.
   * Rejects with a {@link QueryError} naming the first source that failed; the others
   * still load, and a failed one is tried again next time.
   */
  async ensure(names: readonly string[], files: NotebookFiles = {}): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const name of new Set(names)) {
      const plan = this.plan(name, files);
      if (!plan) continue;
      const lower = plan.table.toLowerCase();
      const current = this.loaded.get(lower);
      if (current && current.key === plan.key) {
        pending.push(current.promise);
        continue;
      }
      const promise = this.lock.run(plan.table, () => this.load(plan)).catch((e: unknown) => {
        if (this.loaded.get(lower)?.promise === promise) this.loaded.delete(lower);
        throw e;
      });
      this.loaded.set(lower, { key: plan.key, promise });
      pending.push(promise);
    }
    const results = await Promise.allSettled(pending);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Forget `name`, so the next `ensure` loads it again (after it was dropped or replaced). */
  forget(name: string): void {
    this.loaded.delete(name.toLowerCase());
  }

  /** True when `name` is a source loaded (or loading) now. */
  has(name: string): boolean {
    return this.loaded.has(name.toLowerCase());
  }

  private plan(name: string, files: NotebookFiles): Plan | null {
    const fileEntry = Object.entries(files).find(([table]) => table === name) ?? Object.entries(files).find(([table]) => table.toLowerCase() === name.toLowerCase());
    if (fileEntry) {
      const [table, file] = fileEntry;
      const format = fileFormat(file);
      if (!format) throw new QueryError(`${table}: Cairn cannot read ${file.name} (${file.type || 'unknown type'}); use CSV, Parquet, Arrow or JSON`, ENGINE_ID);
      return { table, key: `file:${file.hash}`, format, url: fileUrl(file.hash), label: file.name };
    }
    const sample = findSample(name);
    if (sample) return { table: sample.name, key: `sample:${sample.file}`, format: sample.format, url: sampleUrl(sample), label: sample.file };
    return null;
  }

  private async load(plan: Plan): Promise<void> {
    const t0 = Date.now();
    const report = (p: Omit<SourceProgress, 'name'>) => this.options.onProgress?.({ name: plan.table, ...p });
    try {
      report({ phase: 'fetching' });
      const bytes = await this.fetchBytes(plan);
      report({ phase: 'loading', bytes: bytes.length });
      let rows: number | undefined;
      await this.insert(plan, bytes, (n) => {
        rows = n;
        report({ phase: 'loading', rows, bytes: bytes.length });
      });
      report({ phase: 'done', rows, bytes: bytes.length, ms: Date.now() - t0 });
    } catch (e) {
      report({ phase: 'error', ms: Date.now() - t0 });
      const message = e instanceof QueryError ? e.message : decodeDuckDbError(e, '').message;
      throw new QueryError(`Could not load ${plan.table} from ${plan.label}: ${message}`, ENGINE_ID);
    }
  }

  private async fetchBytes(plan: Plan): Promise<Uint8Array> {
    let response: Response;
    try {
      response = await this.options.fetch(plan.url);
    } catch (e) {
      throw new QueryError(`fetching ${plan.url} failed: ${errorMessage(e)}`, ENGINE_ID);
    }
    if (!response.ok) throw new QueryError(`${plan.url} answered ${response.status} ${response.statusText}`.trim(), ENGINE_ID);
    return new Uint8Array(await response.arrayBuffer());
  }

  private async insert(plan: Plan, bytes: Uint8Array, onRows: (rows: number) => void): Promise<void> {
    const db = this.db;
    switch (plan.format) {
      case 'arrow':
        return replaceTable(db, plan.table, (conn, temp) => conn.insertArrowFromIPCStream(ipcBytesToStream(bytes), { name: temp, create: true }));
      case 'parquet': {
        if (!this.initParquet) throw new QueryError('Parquet needs parquet-wasm, and this engine was made without it', ENGINE_ID);
        await this.initParquet();
        return replaceTable(db, plan.table, async (conn, temp) => {
          let rows = 0;
          let first = true;
          for await (const chunk of parquetToIpcChunks(bytes)) {
            await conn.insertArrowFromIPCStream(chunk.ipc, { name: temp, create: first });
            first = false;
            rows += chunk.rows;
            onRows(rows);
          }
        });
      }
      case 'csv':
      case 'json': {
        // A private file name: users' SQL never sees it, and two loads never share one.
        const path = `${privateName(plan.table)}.${plan.format}`;
        await db.registerFileBuffer(path, bytes);
        try {
          return await replaceTable(db, plan.table, async (conn, temp) => {
            if (plan.format === 'csv') await conn.query(`create table "${temp}" as select * from read_csv('${path}')`);
            else await conn.insertJSONFromPath(path, { name: temp });
          });
        } finally {
          await db.dropFile(path).catch(() => undefined);
        }
      }
    }
  }
}

interface Plan {
  /** The table name as the notebook spells it. */
  table: string;
  /** What identifies these bytes: a new key under the same name means load again. */
  key: string;
  format: SampleFormat;
  url: string;
  /** The file, for messages. */
  label: string;
}
