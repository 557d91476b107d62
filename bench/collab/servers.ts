/**
 * Start the servers under test as child processes (`node --import tsx …`, so the child's
 * pid is the node process doing the work and its /proc CPU is the server's alone).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import pg from 'pg';

export type ServerKind = 'cairn' | 'cairn-pg' | 'bare';

export const SERVER_LABELS: Record<ServerKind, string> = {
  cairn: 'Cairn (embedded store)',
  'cairn-pg': 'Cairn (DATABASE_URL Postgres)',
  bare: 'bare @y/websocket-server'
};

export interface RunningServer {
  kind: ServerKind;
  pid: number;
  /** y-websocket `serverUrl`; the socket URL is `${wsBase}/${room}`. */
  wsBase: string;
  room: string;
  token: string | null;
  /** Warning and error lines the server wrote (e.g. flood closes). */
  stderr: string[];
  stop(): Promise<void>;
}

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Whether the local Postgres for `cairn-pg` answers. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function startServer(kind: ServerKind): Promise<RunningServer> {
  const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_LOG_LEVEL: 'warn' };
  let database: string | null = null;
  if (kind === 'cairn-pg') {
    database = `cairn_bench_${randomBytes(6).toString('hex')}`;
    await admin(`create database ${database}`);
    env.DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${database}`;
  }
  const file = fileURLToPath(new URL(kind === 'bare' ? './bare-server.ts' : './cairn-server.ts', import.meta.url));
  // CAIRN_BENCH_CPU_PROF=<dir>: V8 CPU profiles of each server process in <dir>/<kind>/ (one
  // file per thread: tsx's module loader runs in a worker; the largest file is the server).
  const profileDir = process.env.CAIRN_BENCH_CPU_PROF ? join(process.env.CAIRN_BENCH_CPU_PROF, kind) : null;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (stderr.length < 1000) stderr.push(line);
  });
  const cleanup = async () => {
    if (database) await admin(`drop database if exists ${database} with (force)`);
  };
  let port: number;
  try {
    port = await readPort(child, stderr);
  } catch (err) {
    child.kill('SIGKILL');
    await cleanup();
    throw err;
  }
  const stop = async () => {
    await stopChild(child);
    await cleanup();
  };
  if (kind === 'bare') return { kind, pid: child.pid!, wsBase: `ws://127.0.0.1:${port}`, room: 'bench', token: null, stderr, stop };

  try {
    const { token, notebookId } = await createNotebook(`http://127.0.0.1:${port}`);
    return { kind, pid: child.pid!, wsBase: `ws://127.0.0.1:${port}/collab`, room: notebookId, token, stderr, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Sign up a user and create an empty notebook, as a client of the REST API. */
async function createNotebook(base: string): Promise<{ token: string; notebookId: string }> {
  const signup = await postJson(`${base}/api/auth/signup`, null, {
    email: `bench-${randomBytes(4).toString('hex')}@example.com`,
    password: 'bench-password',
    name: 'Bench'
  });
  const token = (signup as { token: string }).token;
  const created = await postJson(`${base}/api/notebooks`, token, { title: 'Collaboration benchmark' });
  return { token, notebookId: (created as { id: string }).id };
}

async function postJson(url: string, token: string | null, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body)
  });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

function readPort(child: ChildProcess, stderr: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${stderr.join('\n')}`)), 60_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.startsWith('{"port"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${stderr.join('\n')}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
