/**
 * The collaboration websocket: `ws://HOST/collab/:id`, speaking y-websocket exactly.
 * Authentication and access are settled, and the stored document fully loaded, before a
 * single byte of document data goes out; messages that arrive meanwhile wait in order.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { CollabHooks, Principal } from './hooks.js';
import { Room } from './room.js';
import { Connection } from './connection.js';
import { CLOSE, ProtocolError, decodeMessage, encodeAwareness, encodeSyncStep1, encodeSyncStep2, inspectUpdate } from './protocol.js';
import { logger } from '../log.js';

const log = logger('collab');

export interface CollabOptions {
  /** Frames larger than this close the socket with 1009. */
  maxFrameBytes: number;
  /** Messages per second a client may send before it is closed with 1008. */
  maxMessagesPerSecond?: number;
  /** How long an empty room stays loaded. */
  idleMs?: number;
  /** A load slower than this fails (and stores nothing) instead of hanging its clients. */
  loadTimeoutMs?: number;
  /** Open sockets one user may have (default 64); more close with 1008. */
  maxSocketsPerUser?: number;
  /** Largest a document may grow (default 64 MiB); an update past it closes its sender with 1009. */
  maxDocumentBytes?: number;
}

/** Awareness messages a client may send per second; more are dropped. */
const AWARENESS_PER_SECOND = 60;
/** Sync requests a client may send per ten seconds (a reconnecting client sends one). */
const SYNC_REQUESTS_PER_10S = 20;

const PATH = /^\/collab\/([A-Za-z0-9_-]{1,64})\/?$/;

export class CollabServer {
  private readonly wss: WebSocketServer;
  private readonly rooms = new Map<string, Promise<Room>>();
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  private readonly idleMs: number;
  private readonly loadTimeoutMs: number;
  private readonly maxMessagesPerSecond: number;
  private readonly maxSocketsPerUser: number;
  private readonly maxDocumentBytes: number;
  /** Every admitted socket and the room it is in. */
  private readonly live = new Map<Connection, string>();
  /** Counters for tests and the benchmark. */
  readonly stats = { loads: 0, connections: 0, closedMalformed: 0 };

  constructor(
    private readonly hooks: CollabHooks,
    options: CollabOptions
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes, perMessageDeflate: false });
    this.idleMs = options.idleMs ?? 30_000;
    this.loadTimeoutMs = options.loadTimeoutMs ?? 30_000;
    this.maxMessagesPerSecond = options.maxMessagesPerSecond ?? 2_000;
    this.maxSocketsPerUser = options.maxSocketsPerUser ?? 64;
    this.maxDocumentBytes = options.maxDocumentBytes ?? 64 * 1024 * 1024;
  }

  /** Whether `pathname` is a collaboration socket path. */
  static matches(pathname: string): boolean {
    return PATH.test(pathname);
  }

  /** Take over an HTTP upgrade for `/collab/:id`. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = PATH.exec(url.pathname);
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    // Accept first: close codes (4401, 4404, …) only exist on an open websocket.
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      void this.accept(ws, request, url, match[1]);
    });
  }

  private async accept(ws: WebSocket, request: IncomingMessage, url: URL, name: string): Promise<void> {
    this.stats.connections++;
    const inbox: RawData[] = [];
    let deliver: ((data: RawData) => void) | null = null;
    let peer: Connection | null = null;
    let room: Room | null = null;
    ws.on('message', (data) => (deliver ? deliver(data) : inbox.push(data)));
    ws.on('error', (err) => log.warn('websocket error', { room: name, err }));
    ws.on('close', () => {
      if (peer) this.live.delete(peer);
      if (peer && room && room.leave(peer) === 0) this.scheduleUnload(name);
    });
    const refuse = (code: number, reason: string) => {
      if (ws.readyState === ws.OPEN) ws.close(code, reason);
    };

    try {
      const principal = await this.hooks.authenticate(request, url);
      if (!principal) return refuse(CLOSE.unauthenticated, 'sign in first');
      const access = await this.hooks.authorize(principal, name);
      if (access === 'missing') return refuse(CLOSE.notFound, 'no such notebook');
      if (this.socketsOf(principal.userId) >= this.maxSocketsPerUser) return refuse(CLOSE.policy, 'too many open sockets for this user');
      room = await this.open(name);
      // A room unloading as we got it: take the fresh one that replaces it.
      while (room.isClosed) room = await this.open(name);
      if (ws.readyState !== ws.OPEN) {
        if (room.size === 0) this.scheduleUnload(name);
        return;
      }
      peer = new Connection(ws, principal, access === 'edit', this.maxMessagesPerSecond);
      this.live.set(peer, name);
      this.cancelUnload(name);
      room.join(peer);
      peer.send(encodeSyncStep1(room.doc));
      const states = [...room.awareness.getStates().keys()];
      if (states.length > 0) peer.send(encodeAwareness(room.awareness, states));
      const readyRoom = room;
      const readyPeer = peer;
      deliver = (data) => this.receive(readyRoom, readyPeer, data);
      for (const data of inbox.splice(0)) deliver(data);
    } catch (err) {
      log.error('could not open the notebook for a client', { room: name, err });
      refuse(CLOSE.internal, 'could not load the notebook');
    }
  }

  private receive(room: Room, peer: Connection, raw: RawData): void {
    if (!peer.isOpen || !peer.admit()) return;
    const data = toBytes(raw);
    try {
      const message = decodeMessage(data);
      switch (message.type) {
        case 'sync-step1':
          if (peer.admitSyncRequest(SYNC_REQUESTS_PER_10S)) peer.send(encodeSyncStep2(room.doc, message.stateVector));
          break;
        case 'update': {
          const { empty, decoded } = inspectUpdate(message.update);
          if (empty) break;
          if (!peer.canEdit) {
            peer.close(CLOSE.forbidden, 'read-only access: changes refused');
            break;
          }
          const refused = this.hooks.admit?.(peer.principal, room.doc, decoded, room.name) ?? null;
          if (refused) {
            log.warn('refusing an update', { room: room.name, peer: peer.id, reason: refused });
            peer.close(CLOSE.forbidden, refused.slice(0, 120));
            break;
          }
          if (!room.fits(message.update)) {
            log.warn('refusing an update past the document size limit', { room: room.name, peer: peer.id, limit: this.maxDocumentBytes });
            peer.close(CLOSE.tooLarge, 'the notebook has reached its size limit');
            break;
          }
          room.submit(message.update, peer).catch(() => undefined); // the room reports and closes
          break;
        }
        case 'awareness':
          if (peer.admitAwareness(AWARENESS_PER_SECOND)) room.applyAwareness(message.update, peer);
          break;
        case 'query-awareness':
          peer.send(encodeAwareness(room.awareness, [...room.awareness.getStates().keys()]));
          break;
        case 'auth':
          break;
      }
    } catch (err) {
      this.stats.closedMalformed++;
      const reason = err instanceof ProtocolError ? err.message : 'malformed message';
      log.warn('closing a client that sent a malformed message', { room: room.name, peer: peer.id, reason });
      peer.close(CLOSE.malformed, reason.slice(0, 120));
    }
  }

  /** The loaded room for `name`, loading it once however many clients ask at once. */
  async open(name: string): Promise<Room> {
    const unloading = this.unloading.get(name);
    if (unloading) await unloading;
    let pending = this.rooms.get(name);
    if (!pending) {
      pending = this.load(name);
      this.rooms.set(name, pending);
      const mine = pending;
      mine.catch(() => {
        if (this.rooms.get(name) === mine) this.rooms.delete(name);
      });
    }
    return pending;
  }

  private async load(name: string): Promise<Room> {
    this.stats.loads++;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`loading ${name} took over ${this.loadTimeoutMs} ms`)), this.loadTimeoutMs);
    });
    try {
      const updates = await Promise.race([this.hooks.load(name), timeout]);
      const room = new Room(name, this.hooks, this.maxDocumentBytes);
      room.hydrate(updates);
      return room;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Run `fn` on the live document (server-side reads and changes: rename, JSON view).
   * Loads the room when nobody has it open, and lets it unload again afterwards.
   */
  async withRoom<T>(name: string, fn: (room: Room) => Promise<T> | T): Promise<T> {
    const room = await this.open(name);
    this.cancelUnload(name);
    try {
      return await fn(room);
    } finally {
      if (room.size === 0) this.scheduleUnload(name);
    }
  }

  /** Close a room's clients with `code` (e.g. 4404 after a delete) and unload it. */
  async evict(name: string, code: number, reason: string): Promise<void> {
    const pending = this.rooms.get(name);
    if (!pending) return;
    const room = await pending.catch(() => null);
    if (room) await this.unload(name, room, code, reason);
  }

  private scheduleUnload(name: string): void {
    this.cancelUnload(name);
    const timer = setTimeout(() => {
      this.idleTimers.delete(name);
      void this.rooms.get(name)?.then((room) => {
        if (room.size === 0) return this.unload(name, room, CLOSE.goingAway, 'idle');
      }, () => undefined);
    }, this.idleMs);
    timer.unref();
    this.idleTimers.set(name, timer);
  }

  private cancelUnload(name: string): void {
    const timer = this.idleTimers.get(name);
    if (timer) clearTimeout(timer);
    this.idleTimers.delete(name);
  }

  private async unload(name: string, room: Room, code: number, reason: string): Promise<void> {
    this.cancelUnload(name);
    this.rooms.delete(name);
    // Later opens wait until this room's writes are stored, so they load all of them.
    const closing = room.close(code, reason).finally(() => this.unloading.delete(name));
    this.unloading.set(name, closing);
    await closing;
  }

  private socketsOf(userId: string): number {
    let n = 0;
    for (const peer of this.live.keys()) if (peer.principal.userId === userId && peer.isOpen) n++;
    return n;
  }

  /**
   * Ask the access hook again for every open socket `match` picks (after a member was
   * removed or lowered, or a notebook's sharing changed): one that lost the notebook
   * closes with 4404, one that lost edit rights with 4403 (its client reconnects read-only).
   */
  async reauthorize(match: (principal: Principal, room: string) => boolean): Promise<void> {
    const picked = [...this.live].filter(([peer, room]) => peer.isOpen && match(peer.principal, room));
    await Promise.all(
      picked.map(async ([peer, room]) => {
        const access = await this.hooks.authorize(peer.principal, room).catch((err) => {
          log.error('re-checking access failed; closing the socket to be safe', { room, err });
          return 'missing' as const;
        });
        if (access === 'missing') peer.close(CLOSE.notFound, 'your access to this notebook was removed');
        else if (access === 'view' && peer.canEdit) peer.close(CLOSE.forbidden, 'your access changed to view only');
      })
    );
  }

  /** Close every socket opened with one of these sessions (signed out, or ended). */
  closeSessions(sessionIds: readonly string[], code: number, reason: string): void {
    if (sessionIds.length === 0) return;
    const ended = new Set(sessionIds);
    for (const peer of this.live.keys()) if (peer.principal.sessionId && ended.has(peer.principal.sessionId)) peer.close(code, reason);
  }

  /** The number of loaded rooms (for tests and health). */
  get roomCount(): number {
    return this.rooms.size;
  }

  /** Close every room (flushing and compacting) and the websocket server. */
  async close(): Promise<void> {
    const names = [...this.rooms.keys()];
    await Promise.all(
      names.map(async (name) => {
        const room = await this.rooms.get(name)?.catch(() => null);
        if (room) await this.unload(name, room, CLOSE.goingAway, 'server shutting down');
      })
    );
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function toBytes(raw: RawData): Uint8Array {
  if (Array.isArray(raw)) return new Uint8Array(Buffer.concat(raw));
  if (raw instanceof ArrayBuffer) return new Uint8Array(raw);
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}
