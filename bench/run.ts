/**
 * `npm run bench [-- name …]`: run every benchmark (or the named ones), print each one's
 * tables and targets, and write bench/results/<name>.json. Missed targets do not fail the
 * run; only a crash exits non-zero.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { formatResult, type BenchResult } from './report.js';

/** Each benchmark is `bench/<name>/index.ts` exporting `run(): Promise<BenchResult>`. */
const BENCHMARKS: Record<string, () => Promise<{ run(): Promise<BenchResult> }>> = {
  collab: () => import('./collab/index.js'),
  grid: () => import('./grid/index.js'),
  'browser-sql': () => import('./browser-sql/index.js'),
  chart: () => import('./chart/index.js'),
  warehouse: () => import('./warehouse/index.js'),
  'duckdb-node': () => import('./duckdb-node/index.js'),
  report: () => import('./report/index.js'),
  history: () => import('./history/index.js'),
  open: () => import('./open/index.js')
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = asked.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; available: ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exit(2);
  }
  const names = asked.length > 0 ? asked : Object.keys(BENCHMARKS);
  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });

  for (const name of names) {
    const started = Date.now();
    console.log(`\n[bench] ${name}: running…`);
    const { run } = await BENCHMARKS[name]();
    const result = await run();
    const file = join(resultsDir, `${name}.json`);
    writeFileSync(file, JSON.stringify({ ...result, finishedAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000 }, null, 2));
    console.log('\n' + formatResult(result));
    console.log(`\n[bench] ${name}: ${((Date.now() - started) / 1000).toFixed(0)} s; wrote ${file}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
