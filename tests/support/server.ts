/**
 * Cairn servers for tests: in this process (fast, inspectable), or as a child process
 * (for kill -9). Both take a store: the embedded default or a real Postgres database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../server/config.js';
import { createCairnServer, type CairnServer } from '../../server/app.js';
import { setLogLevel } from '../../server/log.js';
import type { ComputeReport } from '../../server/reports/refresh.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Which store a test runs against. */
export type StoreKind = 'embedded' | 'postgres';
export const STORES: StoreKind[] = ['embedded', 'postgres'];

/** A data directory and (for postgres) a database, removed by `dispose`. */
export interface TestStore {
  kind: StoreKind;
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export async function createTestStore(kind: StoreKind): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-test-'));
  let database: TestDatabase | null = null;
  if (kind === 'postgres') database = await createTestDatabase();
  return {
    kind,
    env: { CAIRN_DATA_DIR: dataDir, ...(database ? { DATABASE_URL: database.url } : {}) },
    async dispose() {
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
}

export interface RunningServer {
  base: string;
  ws: string;
  port: number;
  cairn: CairnServer;
  close(): Promise<void>;
}

/** Start Cairn in this process on a free port. */
export async function startInProcess(store: TestStore, options: { roomIdleMs?: number; env?: Record<string, string>; computeReport?: ComputeReport } = {}): Promise<RunningServer> {
  setLogLevel('error');
  const config = loadConfig({ ...store.env, PORT: '0', HOST: '127.0.0.1', ...options.env }, []);
  const cairn = await createCairnServer(config, { roomIdleMs: options.roomIdleMs ?? 200, computeReport: options.computeReport });
  const port = await cairn.listen();
  return {
    base: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/collab`,
    port,
    cairn,
    close: () => cairn.close()
  };
}

export interface ChildServer {
  base: string;
  ws: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** SIGKILL and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM (graceful) and wait for the exit. */
  stop(): Promise<void>;
}

/** Start Cairn as a child process (API and collaboration only, no pages) on `port` (0: a free one). */
export async function startChild(store: TestStore, port = 0): Promise<ChildServer> {
  return spawnServer('tests/support/child-server.ts', store, port || (await freePort()), {});
}

/** Start the real entry point (`npm start`'s command) with pages, as a user would. */
export async function startApp(store: TestStore): Promise<ChildServer> {
  // The /dev pages host components for tests and benchmarks; they are off otherwise.
  return spawnServer('server/main.ts', store, await freePort(), { PUBLIC_CAIRN_DEV_PAGES: '1' });
}

/** Start `npm run dev`'s command: the pages come from vite's dev server, unbundled. */
export async function startDev(store: TestStore): Promise<ChildServer> {
  return spawnServer('server/main.ts', store, await freePort(), { PUBLIC_CAIRN_DEV_PAGES: '1' }, ['--dev']);
}

/** Spawn `entry` under node with tsx, and wait until its /healthz answers. */
async function spawnServer(entry: string, store: TestStore, port: number, env: Record<string, string>, args: string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...store.env, PORT: String(port), HOST: '127.0.0.1', CAIRN_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${out}`);
    if (Date.now() - t0 > 180_000) throw new Error(`server did not answer /healthz in 180 s: ${out}`);
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    ws: `ws://127.0.0.1:${port}/collab`,
    port,
    child,
    output: () => out,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    }
  };
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
