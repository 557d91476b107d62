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
  private awarenessWindowStart = 0;
  private awarenessCount = 0;
  private syncWindowStart = 0;
  private syncCount = 0;
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

  /**
   * Count one awareness message; false when over `perSecond` (the message is dropped, the
   * socket kept: cursors are best-effort, and the next update carries the latest state).
   */
  admitAwareness(perSecond: number, now = Date.now()): boolean {
    if (now - this.awarenessWindowStart >= 1000) {
      this.awarenessWindowStart = now;
      this.awarenessCount = 0;
    }
    return ++this.awarenessCount <= perSecond;
  }

  /**
   * Count one sync request (each makes the server encode what the client lacks, up to the
   * whole document); false, and the socket closed, past `per10s` in ten seconds.
   */
  admitSyncRequest(per10s: number, now = Date.now()): boolean {
    if (now - this.syncWindowStart >= 10_000) {
      this.syncWindowStart = now;
      this.syncCount = 0;
    }
    if (++this.syncCount <= per10s) return true;
    log.warn('closing a client that keeps asking for the whole document', { peer: this.id, user: this.principal.userId });
    this.close(CLOSE.policy, 'too many sync requests');
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
