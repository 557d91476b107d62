// A worker thread's entry for TypeScript workers. Node 20 workers do not inherit the
// parent's tsx loader (and `execArgv: ['--import', 'tsx']` is not honoured for workers),
// so register it here, then load the TypeScript entry the engine named in `workerData`:
// the same file runs under `node --import tsx` and vitest.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
