/**
 * Child process: Cairn's server without pages, on a fresh temporary data directory (the
 * embedded store, or DATABASE_URL when set). Prints `{"port":N}` once listening; SIGTERM
 * closes it (flushing rooms) and removes the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/config.js';
import { createCairnServer } from '../../server/app.js';

const dataDir = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
const config = loadConfig({ ...process.env, CAIRN_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }, []);
const cairn = await createCairnServer(config, {});
const port = await cairn.listen();
process.stdout.write(JSON.stringify({ port }) + '\n');

process.once('SIGTERM', () => {
  cairn
    .close()
    .catch((err) => console.error('close failed', err))
    .finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
});
