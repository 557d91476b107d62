/**
 * Collaboration benchmark: simulated editors typing into one notebook through Cairn's
 * server and through a bare @y/websocket-server, alternately, in the same run.
 *
 * Each phase starts a fresh server process and fresh load-generator processes (servers.ts,
 * generators.ts), lets the editors type for a warm-up, then measures a window: latency of
 * every edit to every other editor, updates in and delivered per second, and CPU seconds
 * of the server and of the generators from /proc.
 */
import { cpus } from 'node:os';
import { fmt, target, type BenchResult, type Cell, type Target } from '../report.js';
import { cpuBetween, cpuSnapshot, machineBusySeconds, selfCpuSeconds } from './cpu.js';
import { Generator } from './generators.js';
import { monoMs, type EditorReport, type Load } from './ipc.js';
import { postgresAvailable, SERVER_LABELS, startServer, type ServerKind } from './servers.js';
import { summarize, type Summary } from './stats.js';

const SECONDS = Number(process.env.CAIRN_BENCH_SECONDS) || 20;
const SATURATION_SECONDS = process.env.CAIRN_BENCH_SECONDS ? SECONDS : 10;
const WARMUP_SECONDS = Math.min(3, SECONDS / 4);
/** Load-generator processes; editors are split evenly among them. */
const GENERATORS = Math.max(1, Number(process.env.CAIRN_BENCH_GENERATORS) || 2);
/** Closed loop: unacknowledged edits per editor, and a send cap under the server's 2000 messages/s flood limit. */
const INFLIGHT = 8;
const MAX_PER_SECOND = 1800;

interface Scenario {
  id: string;
  label: string;
  editors: number;
  load: Load;
  seconds: number;
}

const ALL_SCENARIOS: Scenario[] = [
  { id: '10', label: '10 editors × 5 ops/s', editors: 10, load: { kind: 'rate', opsPerSecond: 5 }, seconds: SECONDS },
  { id: '50', label: '50 editors × 5 ops/s', editors: 50, load: { kind: 'rate', opsPerSecond: 5 }, seconds: SECONDS },
  {
    id: 'saturation',
    label: `saturation, 10 editors, ≤${INFLIGHT} in flight`,
    editors: 10,
    load: { kind: 'closed', inflight: INFLIGHT, maxPerSecond: MAX_PER_SECOND },
    seconds: SATURATION_SECONDS
  }
];
/** CAIRN_BENCH_SCENARIOS=10,saturation runs a subset. */
const SCENARIOS = process.env.CAIRN_BENCH_SCENARIOS
  ? ALL_SCENARIOS.filter((s) => process.env.CAIRN_BENCH_SCENARIOS!.split(',').includes(s.id))
  : ALL_SCENARIOS;

export interface PhaseResult {
  scenario: string;
  server: ServerKind;
  editors: number;
  windowSeconds: number;
  /** Edits sent in the window, i.e. updates the server received. */
  updatesIn: number;
  updatesInPerSecond: number;
  /** Receipts (one edit applied by one other editor) during the window, per second. */
  deliveredPerSecond: number;
  latencyMs: Summary;
  /** Receipts of window edits that never arrived (should be 0). */
  missing: number;
  serverCpuSeconds: number;
  serverCpuUsPerUpdate: number;
  serverCorePercent: number;
  generatorCorePercent: number;
  /** CPU used by anything else on the machine during the window (kernel threads, other programs). */
  otherCorePercent: number;
  /** Worst generator process's event-loop delay p99 while typing (ms). */
  generatorLoopDelayP99Ms: number;
  /** Socket close codes the editors saw during the phase, with counts. */
  closes: Record<string, number>;
  serverStderrLines: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `total` split into `parts` near-equal counts, none empty. */
function split(total: number, parts: number): number[] {
  const n = Math.min(parts, Math.max(1, Math.floor(total / 2)));
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
}

async function runPhase(kind: ServerKind, scenario: Scenario): Promise<PhaseResult> {
  const server = await startServer(kind);
  const counts = split(scenario.editors, GENERATORS);
  const generators = counts.map(() => new Generator());
  try {
    await Promise.all(
      generators.map((g, i) =>
        g.request({ type: 'connect', wsBase: server.wsBase, room: server.room, token: server.token, count: counts[i], createCell: i === 0 }, 'ready')
      )
    );
    const pids = [server.pid, ...generators.map((g) => g.pid)];
    for (const g of generators) g.tell({ type: 'start', load: scenario.load });
    await sleep(WARMUP_SECONDS * 1000);
    const [cpu0, machine0, self0] = [cpuSnapshot(pids), machineBusySeconds(), selfCpuSeconds()];
    const tA = monoMs();
    await sleep(scenario.seconds * 1000);
    const [cpu1, machine1, self1] = [cpuSnapshot(pids), machineBusySeconds(), selfCpuSeconds()];
    const tB = monoMs();
    for (const g of generators) g.tell({ type: 'stop' });
    await drain(generators, scenario.editors);
    const replies = await Promise.all(generators.map((g) => g.request({ type: 'report' }, 'report')));
    const reports = replies.flatMap((r) => r.editors);

    const window = (tB - tA) / 1000;
    const { latencies, updatesIn, delivered } = join(reports, tA, tB);
    const serverCpu = cpuBetween(cpu0, cpu1, [server.pid]);
    const generatorCpu = cpuBetween(cpu0, cpu1, pids.slice(1));
    const otherCpu = machine1 - machine0 - serverCpu - generatorCpu - (self1 - self0);
    const closes: Record<string, number> = {};
    for (const r of reports) for (const code of r.closes) closes[code] = (closes[code] ?? 0) + 1;
    return {
      scenario: scenario.id,
      server: kind,
      editors: scenario.editors,
      windowSeconds: window,
      updatesIn,
      updatesInPerSecond: updatesIn / window,
      deliveredPerSecond: delivered / window,
      latencyMs: summarize(latencies),
      missing: updatesIn * (scenario.editors - 1) - latencies.length,
      serverCpuSeconds: serverCpu,
      serverCpuUsPerUpdate: updatesIn > 0 ? (serverCpu * 1e6) / updatesIn : NaN,
      serverCorePercent: (serverCpu / window) * 100,
      generatorCorePercent: (generatorCpu / window) * 100,
      otherCorePercent: Math.max(0, (otherCpu / window) * 100),
      generatorLoopDelayP99Ms: Math.max(...replies.map((r) => r.loopDelay.p99)),
      closes,
      serverStderrLines: server.stderr.length
    };
  } finally {
    await Promise.all(generators.map((g) => g.close()));
    await server.stop();
  }
}

/** Wait until every edit sent reached every other editor (or 15 s pass). */
async function drain(generators: Generator[], editors: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const progress = await Promise.all(generators.map((g) => g.request({ type: 'progress' }, 'progress')));
    const sent = progress.reduce((n, p) => n + p.sent, 0);
    const received = progress.reduce((n, p) => n + p.received, 0);
    if (received >= sent * (editors - 1)) return;
    await sleep(200);
  }
}

/** Match receipts with send times: latencies of edits sent in [tA, tB), and counts. */
function join(reports: EditorReport[], tA: number, tB: number): { latencies: Float64Array; updatesIn: number; delivered: number } {
  const senders = new Map(reports.map((r) => [r.clientID, r]));
  let updatesIn = 0;
  for (const r of reports) for (const t of r.sendTimes) if (t >= tA && t < tB) updatesIn++;
  const latencies = new Float64Array(reports.reduce((n, r) => n + r.receipts.length / 3, 0));
  let n = 0;
  let delivered = 0;
  for (const r of reports) {
    const rc = r.receipts;
    for (let i = 0; i < rc.length; i += 3) {
      const received = rc[i + 2];
      if (received >= tA && received < tB) delivered++;
      const sender = senders.get(rc[i]);
      if (!sender) continue;
      const sent = sender.sendTimes[rc[i + 1] - sender.sendBase];
      if (sent >= tA && sent < tB) latencies[n++] = received - sent;
    }
  }
  return { latencies: latencies.subarray(0, n), updatesIn, delivered };
}

function find(results: PhaseResult[], scenario: string, server: ServerKind): PhaseResult | undefined {
  return results.find((r) => r.scenario === scenario && r.server === server);
}

const ratio = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined || !b ? null : a / b);

export async function run(): Promise<BenchResult> {
  const withPg = process.env.CAIRN_BENCH_PG === '0' ? false : await postgresAvailable();
  const kinds: ServerKind[] = withPg ? ['cairn', 'bare', 'cairn-pg'] : ['cairn', 'bare'];
  const results: PhaseResult[] = [];
  for (const scenario of SCENARIOS) {
    for (const kind of kinds) {
      process.stdout.write(`[collab] ${scenario.label}, ${SERVER_LABELS[kind]} … `);
      const result = await runPhase(kind, scenario);
      results.push(result);
      console.log(
        `p50 ${fmt(result.latencyMs.p50)} ms, p99 ${fmt(result.latencyMs.p99)} ms, ${fmt(result.deliveredPerSecond)} delivered/s, ` +
          `server ${fmt(result.serverCpuUsPerUpdate, 0)} µs/update`
      );
      await sleep(500);
    }
  }

  const rows: Cell[][] = [];
  for (const scenario of SCENARIOS) {
    for (const kind of kinds) {
      const r = find(results, scenario.id, kind)!;
      const closes = Object.entries(r.closes).map(([code, n]) => `${code}×${n}`).join(' ') || '–';
      rows.push([
        scenario.label,
        SERVER_LABELS[kind],
        r.latencyMs.p50,
        r.latencyMs.p99,
        r.latencyMs.max,
        r.updatesInPerSecond,
        r.deliveredPerSecond,
        r.missing,
        r.serverCpuUsPerUpdate,
        r.serverCorePercent,
        r.generatorCorePercent,
        r.generatorLoopDelayP99Ms,
        r.otherCorePercent,
        closes
      ]);
    }
    const cairn = find(results, scenario.id, 'cairn');
    const bare = find(results, scenario.id, 'bare');
    rows.push([
      '',
      'ratio Cairn / bare',
      ratio(cairn?.latencyMs.p50, bare?.latencyMs.p50),
      ratio(cairn?.latencyMs.p99, bare?.latencyMs.p99),
      ratio(cairn?.latencyMs.max, bare?.latencyMs.max),
      ratio(cairn?.updatesInPerSecond, bare?.updatesInPerSecond),
      ratio(cairn?.deliveredPerSecond, bare?.deliveredPerSecond),
      null,
      ratio(cairn?.serverCpuUsPerUpdate, bare?.serverCpuUsPerUpdate),
      ratio(cairn?.serverCorePercent, bare?.serverCorePercent),
      null,
      null,
      null,
      null
    ]);
  }

  const p99 = (id: string) => ratio(find(results, id, 'cairn')?.latencyMs.p99, find(results, id, 'bare')?.latencyMs.p99);
  const cpu = (id: string) => ratio(find(results, id, 'cairn')?.serverCpuUsPerUpdate, find(results, id, 'bare')?.serverCpuUsPerUpdate);
  const targets: Target[] = [
    target('p99 latency ratio Cairn/bare @10 editors', p99('10'), { max: 1.2 }),
    target('p99 latency ratio Cairn/bare @50 editors', p99('50'), { max: 1.2 }),
    target('server CPU per update ratio @10 editors', cpu('10'), { max: 1.5 }),
    target('server CPU per update ratio @50 editors', cpu('50'), { max: 1.5 }),
    target('server CPU per update ratio @saturation', cpu('saturation'), { max: 1.5 }),
    target(
      'saturation throughput ratio (delivered/s)',
      ratio(find(results, 'saturation', 'cairn')?.deliveredPerSecond, find(results, 'saturation', 'bare')?.deliveredPerSecond),
      { min: 0.8 }
    )
  ];

  const notes = [
    `${cpus().length} cores; servers and ${GENERATORS} load-generator process(es) share them. Each editor is a stock y-websocket WebsocketProvider with its own Y.Doc, inserting one character per edit at its own cursor in one SQL cell's Y.Text.`,
    `Latency: an edit's insert (sender's clock) to its application in each other editor's Y.Doc (receiver's afterTransaction), one sample per receiver, on CLOCK_MONOTONIC shared by all processes. Window ${SECONDS} s (saturation ${SATURATION_SECONDS} s) after a ${WARMUP_SECONDS} s warm-up; fresh server per phase.`,
    `Saturation: closed loop, each editor keeps ≤${INFLIGHT} edits in flight; an edit counts as acknowledged once every other editor in the same generator process applied it; at most ${MAX_PER_SECOND} sends per editor in any second (Cairn closes clients over 2000 messages/s with 1008).`,
    'Server CPU µs/update = server process utime+stime during the window ÷ edits the server received in it. "% core" is CPU seconds ÷ wall seconds; generators near 100% per process mean the load generators, not the server, limit the run.',
    withPg
      ? 'Cairn (DATABASE_URL Postgres): the same server on a fresh database of the local Postgres (update log as SQL rows), dropped afterwards. Not part of the targets.'
      : 'Postgres run skipped (no Postgres at 127.0.0.1:5432, or CAIRN_BENCH_PG=0).'
  ];

  return {
    name: 'collab',
    title: 'Collaboration: Cairn vs bare @y/websocket-server 0.1.1',
    tables: [
      {
        title: 'Edit → every other editor (latency in ms)',
        columns: ['load', 'server', 'p50 ms', 'p99 ms', 'max ms', 'updates in/s', 'delivered/s', 'missing', 'srv µs/update', 'srv % core', 'gen % core', 'gen loop p99 ms', 'other % core', 'closes'],
        rows
      }
    ],
    targets,
    notes,
    data: { seconds: SECONDS, saturationSeconds: SATURATION_SECONDS, warmupSeconds: WARMUP_SECONDS, generators: GENERATORS, inflight: INFLIGHT, phases: results }
  };
}
