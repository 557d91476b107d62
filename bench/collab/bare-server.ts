/**
 * Child process: the baseline, a plain `ws` server handing every connection to
 * `@y/websocket-server`'s `setupWSConnection` (no persistence, no auth). Prints `{"port":N}`.
 */
import { WebSocketServer } from 'ws';
import { setupWSConnection } from '@y/websocket-server/utils';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('connection', (conn, req) => setupWSConnection(conn, req));
wss.on('listening', () => {
  const address = wss.address();
  process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
});
process.once('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
});
