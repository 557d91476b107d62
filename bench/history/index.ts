/**
 * History benchmark: a notebook of 200 cells and 100,000 stored updates with a version
 * every 2,000 updates. Measured in the same run, each against loading the notebook itself
 * (a cold `GET /api/notebooks/:id`: the server builds the document from its stored log):
 *   list     GET /api/notebooks/:id/versions
 *   open     GET /api/notebooks/:id/versions/:id (a version in the middle of the history)
 *   diff     GET /api/notebooks/:id/diff between two versions far apart
 * First with the log as appended, then after compaction folded it into one snapshot.
 * Medians of ROUNDS rounds, the operations interleaved.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { loadConfig } from '../../server/config.js';
import { createCairnServer, type CairnServer } from '../../server/app.js';
import { setLogLevel } from '../../server/log.js';
import { fmt, target, type BenchResult, type Cell } from '../report.js';
import { CELLS, UPDATES, writeHistory } from './notebook.js';

const ROUNDS = Number(process.env.CAIRN_BENCH_ROUNDS) || 5;
const OPS = ['load', 'list', 'open', 'diff'] as const;
type Op = (typeof OPS)[number];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function json(base: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} answered ${r.status}: ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : null;
}

async function measure(cairn: CairnServer, base: string, token: string, id: string): Promise<Record<Op, number[]>> {
  const list = (await json(base, token, 'GET', `/api/notebooks/${id}/versions`)).versions as { id: string }[];
  const middle = list[Math.floor(list.length / 2)]!.id;
  const [late, early] = [list[Math.floor(list.length / 5)]!.id, list[Math.floor((list.length * 4) / 5)]!.id];
  const paths: Record<Op, string> = {
    load: `/api/notebooks/${id}`,
    list: `/api/notebooks/${id}/versions`,
    open: `/api/notebooks/${id}/versions/${middle}`,
    diff: `/api/notebooks/${id}/diff?from=${early}&to=${late}`
  };
  const times: Record<Op, number[]> = { load: [], list: [], open: [], diff: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < OPS.length; i++) {
      const op = OPS[(i + round) % OPS.length];
      // Each measurement starts with the notebook unloaded, as a cold open does.
      await cairn.context.collab.evict(id, 1001, 'bench');
      const t0 = performance.now();
      const body = await json(base, token, 'GET', paths[op]);
      times[op].push(performance.now() - t0);
      if (process.env.CAIRN_BENCH_VERBOSE) console.log(`[bench] history: ${op} ${fmt(performance.now() - t0)} ms`);
      if (op === 'load' && body.cells.length !== CELLS) throw new Error(`the notebook has ${body.cells.length} cells, not ${CELLS}`);
    }
  }
  return times;
}

export async function run(): Promise<BenchResult> {
  setLogLevel('error');
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-bench-history-'));
  const cairn = await createCairnServer(loadConfig({ ...process.env, DATABASE_URL: '', CAIRN_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }, []), {});
  try {
    const port = await cairn.listen();
    const base = `http://127.0.0.1:${port}`;
    const signup = await fetch(`${base}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', password: 'correct horse battery staple', name: 'Bench' })
    });
    const { token } = (await signup.json()) as { token: string };
    const { id } = await json(base, token, 'POST', '/api/notebooks', { title: 'History bench' });
    console.log(`[bench] history: writing ${UPDATES.toLocaleString('en-US')} updates over ${CELLS} cells…`);
    const t0 = performance.now();
    const written = await writeHistory(cairn.context, id);
    console.log(`[bench] history: wrote them and ${written.versions} versions in ${fmt((performance.now() - t0) / 1000)} s (${fmt(written.logBytes / 1e6)} MB of updates)`);

    const phases: { name: string; times: Record<Op, number[]> }[] = [];
    phases.push({ name: 'log as appended', times: await measure(cairn, base, token, id) });
    await cairn.context.updateLog.compact(id);
    phases.push({ name: 'after compaction', times: await measure(cairn, base, token, id) });

    const rows: Cell[][] = [];
    const targets = [];
    for (const phase of phases) {
      const load = median(phase.times.load);
      for (const op of OPS) {
        const ms = median(phase.times[op]);
        rows.push([phase.name, op, ms, op === 'load' ? 1 : ms / load]);
        if (op !== 'load') targets.push(target(`${op} / load (${phase.name})`, ms / load, { max: 2 }));
      }
    }
    return {
      name: 'history',
      title: `History of a notebook with ${CELLS} cells and ${UPDATES.toLocaleString('en-US')} stored updates (${written.versions} versions)`,
      tables: [{ title: `Median of ${ROUNDS} rounds, each from an unloaded notebook`, columns: ['log', 'operation', 'ms', 'ratio to load'], rows }],
      targets,
      notes: [
        'load = GET /api/notebooks/:id with the notebook unloaded: the server reads its log and builds the document.',
        'open and diff build the history document once (no GC) and read versions through their snapshots.',
        `1-minute load average at the end: ${fmt(loadavg()[0])} (2 cores: above 2 means other work competed).`
      ],
      data: { phases, written }
    };
  } finally {
    await cairn.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
