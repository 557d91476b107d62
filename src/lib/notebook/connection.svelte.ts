/** The notebook's websocket connection, as runes: what the header shows and what the page waits for. */
import type { WebsocketProvider } from 'y-websocket';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** Close codes the server uses to say "stop trying": signed out, not allowed, no access. */
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_NOT_FOUND = 4404;

export class Connection {
  status = $state<ConnectionStatus>('connecting');
  /** True once the document has synced with the server at least once. */
  synced = $state(false);
  /**
   * The close code when the server refused us (4401, 4403, 4404), else null. A 4403 is
   * followed by a read-only reconnect, which clears it.
   */
  closedCode = $state<number | null>(null);

  #provider: WebsocketProvider;
  #onStatus = ({ status }: { status: 'connected' | 'disconnected' | 'connecting' }) => {
    if (status === 'connected') {
      this.status = 'connected';
      this.closedCode = null;
    }
    else if (this.status !== 'connecting' || status === 'disconnected') this.status = this.#lost();
  };
  #onClose = () => {
    // A failed first attempt never emits 'disconnected'; show it as a lost connection too.
    if (this.status === 'connecting') this.status = this.#lost();
  };
  #onSync = (synced: boolean) => {
    if (synced) this.synced = true;
  };
  #onClosed = (event: { code: number }) => {
    this.closedCode = event.code;
  };
  #onBrowserOnline = () => {
    if (this.status === 'offline') this.status = this.#provider.wsconnected ? 'connected' : 'reconnecting';
  };
  #onBrowserOffline = () => {
    // Say so at once: a dead socket may take up to 30 s to be noticed by the provider.
    this.status = 'offline';
  };

  constructor(provider: WebsocketProvider) {
    this.#provider = provider;
    provider.on('status', this.#onStatus);
    provider.on('connection-close', this.#onClose);
    provider.on('sync', this.#onSync);
    provider.on('closed', this.#onClosed);
    addEventListener('online', this.#onBrowserOnline);
    addEventListener('offline', this.#onBrowserOffline);
    if (provider.synced) this.synced = true;
  }

  #lost(): ConnectionStatus {
    return navigator.onLine ? 'reconnecting' : 'offline';
  }

  destroy(): void {
    this.#provider.off('status', this.#onStatus);
    this.#provider.off('connection-close', this.#onClose);
    this.#provider.off('sync', this.#onSync);
    this.#provider.off('closed', this.#onClosed);
    removeEventListener('online', this.#onBrowserOnline);
    removeEventListener('offline', this.#onBrowserOffline);
  }
}
