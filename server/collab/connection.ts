/**
 * One client's websocket as a room peer: sends with backpressure, closes once, and limits
 * how fast a client may send so one flood cannot starve the others.
 */
import type { WebSocket } from 'ws';
import type { Peer } from './room.js';
import type { Principal } from './hooks.js';
import { CLOSE } from './protocol.js';
import { logger } from '../log.js';

const log = logger('collab');

/** A peer whose unsent bytes pile up past this is too slow to keep. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

let nextId = 1;

export class Connection implements Peer {
  readonly id = `p${nextId++}`;
  private windowStart = 0;
  private windowCount = 0;
  private closing = false;

  constructor(
    private readonly ws: WebSocket,
    readonly principal: Principal,
    readonly canEdit: boolean,
    private readonly maxMessagesPerSecond: number
  ) {}

  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === this.ws.OPEN;
  }

  send(message: Uint8Array): void {
    if (!this.isOpen) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(CLOSE.policy, 'client too slow to keep up');
      return;
    }
    this.ws.send(message, (err) => {
      if (err) log.debug('send failed', { peer: this.id, err });
    });
  }

  /** Count one incoming message; false when the client exceeded its rate and was closed. */
  admit(now = Date.now()): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    if (++this.windowCount <= this.maxMessagesPerSecond) return true;
    log.warn('closing a client that floods the server', { peer: this.id, user: this.principal.userId });
    this.close(CLOSE.policy, 'too many messages');
    return false;
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    try {
      this.ws.close(code, reason);
    } catch (err) {
      log.debug('close failed; terminating', { peer: this.id, err });
      this.ws.terminate();
    }
  }
}
