// The worker thread's entry. Node 20 workers do not inherit the parent's tsx loader (and
// `execArgv: ['--import', 'tsx']` is not honoured for workers), so register it here, then
// load the TypeScript worker: the same file runs under `node --import tsx` and vitest.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
