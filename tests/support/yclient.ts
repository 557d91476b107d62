/** Stock y-websocket clients in Node, as any outside client would connect. */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';

// Each WebsocketProvider adds a process 'exit' listener; tests open dozens at once.
process.setMaxListeners(200);

export interface YClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Close codes this client's sockets were closed with. */
  closes: number[];
  destroy(): void;
}

export function connectClient(wsBase: string, room: string, token?: string, options: { connect?: boolean } = {}): YClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsBase, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: token ? { token } : {},
    disableBc: true,
    connect: options.connect ?? true
  });
  const closes: number[] = [];
  provider.on('connection-close', (event: CloseEvent | null) => {
    if (event) closes.push(event.code);
  });
  return {
    doc,
    provider,
    closes,
    destroy() {
      provider.destroy();
      doc.destroy();
    }
  };
}

/** Resolve once `pred` holds, polling; reject after `timeoutMs` with `what`. */
export async function waitFor(pred: () => boolean, what: string, timeoutMs = 5000): Promise<number> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - t0;
}

export function synced(client: YClient, timeoutMs = 10_000): Promise<number> {
  return waitFor(() => client.provider.synced, 'the client to sync', timeoutMs);
}

/**
 * Edit notebook `room` as a y-websocket client would: connect, wait for sync, apply `fn`
 * to the document, give the server a moment to store it, disconnect.
 */
export async function editNotebook(wsBase: string, room: string, token: string, fn: (doc: Y.Doc) => void): Promise<void> {
  const client = connectClient(wsBase, room, token);
  try {
    await synced(client);
    fn(client.doc);
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    client.destroy();
  }
}
