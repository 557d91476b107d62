/**
 * For a worker thread whose CPU work is converting and encoding results: below the server's
 * priority it yields the cores to the event loop. (pid 0 is the calling thread on Linux;
 * elsewhere the whole process would be reniced, so only there.)
 */
import { setPriority } from 'node:os';

export function lowerThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(0, 10);
  } catch {
    // Not permitted here: run at normal priority.
  }
}
