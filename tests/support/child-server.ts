/** Entry for a test's child-process server: Cairn without pages, on PORT, closed gracefully on SIGTERM. */
import { loadConfig } from '../../server/config.js';
import { createCairnServer } from '../../server/app.js';

const cairn = await createCairnServer(loadConfig(), { roomIdleMs: 200 });
await cairn.listen();
process.on('SIGTERM', () => {
  void cairn.close().then(() => process.exit(0));
});
