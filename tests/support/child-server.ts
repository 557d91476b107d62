/** Entry for a test's child-process server: prints `listening on PORT` once ready. */
import { loadConfig } from '../../server/config.js';
import { createCairnServer } from '../../server/app.js';

const cairn = await createCairnServer(loadConfig(), { roomIdleMs: 200 });
const port = await cairn.listen();
process.stdout.write(`listening on ${port}\n`);
process.on('SIGTERM', () => {
  void cairn.close().then(() => process.exit(0));
});
