/**
 * One notebook's live document on this server: the Y.Doc, its awareness, and the peers
 * connected to it. Every update follows one path — validate, store durably, apply,
 * broadcast — so nothing a client has seen from the server can be lost by a crash.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { CollabHooks } from './hooks.js';
import { CLOSE, encodeAwareness, encodeUpdate } from './protocol.js';
import { logger } from '../log.js';

const log = logger('collab');

/** A connected client as the room sees it. */
export interface Peer {
  readonly id: string;
  readonly canEdit: boolean;
  send(message: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** What a server-side change wrote: the Yjs client id its new items carry, and the update. */
export interface ServerChange {
  clientId: number;
  update: Uint8Array;
}

interface Pending {
  update: Uint8Array;
  from: Peer | null;
  done: { resolve(): void; reject(err: unknown): void };
}

/**
 * Compact after this many stored updates, but not more often than the interval: merging
 * costs time in proportion to the whole document, so under heavy typing a count alone
 * would spend a fifth of the server's CPU re-merging (measured by bench/collab). Rooms
 * also compact when they unload.
 */
const COMPACT_AFTER_UPDATES = 500;
const COMPACT_MIN_INTERVAL_MS = 30_000;

export class Room {
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  /** Awareness client ids each peer controls, removed when it leaves. */
  private readonly peers = new Map<Peer, Set<number>>();
  private queue: Pending[] = [];
  private flushing = false;
  /** The flush loop in progress (resolved when idle). */
  private flushed: Promise<void> = Promise.resolve();
  private storedSinceCompact = 0;
  private compacting: Promise<void> | null = null;
  private lastCompactAt = Date.now();
  private closed = false;

  /**
   * Bytes the document takes, measured at load and at each compaction, plus every update
   * stored since (an overestimate: deletions do not shrink it until the next measure).
   */
  private sizeBytes = 0;

  constructor(
    readonly name: string,
    private readonly hooks: CollabHooks,
    /** Updates that would take the document past this size are refused. */
    private readonly maxBytes = Infinity
  ) {
    // The server is not a participant: it has no awareness state of its own.
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      const message = encodeUpdate(update);
      for (const peer of this.peers.keys()) if (peer !== origin) peer.send(message);
    });
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      const changed = added.concat(updated, removed);
      const owned = origin instanceof Object ? this.peers.get(origin as Peer) : undefined;
      if (owned) {
        for (const id of added) owned.add(id);
        for (const id of removed) owned.delete(id);
      }
      const message = encodeAwareness(this.awareness, changed);
      for (const peer of this.peers.keys()) peer.send(message);
    });
  }

  /** Apply the stored updates. Called once, before any peer joins. */
  hydrate(updates: Uint8Array[]): void {
    Y.transact(this.doc, () => {
      for (const update of updates) {
        try {
          Y.applyUpdate(this.doc, update, this);
        } catch (err) {
          // One bad stored update must not hide the rest of the notebook.
          log.error('skipped a stored update that does not apply', { room: this.name, err });
        }
      }
    }, this);
    this.measure();
  }

  private measure(): void {
    this.sizeBytes = Y.encodeStateAsUpdate(this.doc).byteLength;
  }

  /** Whether storing `update` keeps the document within its size limit. */
  fits(update: Uint8Array): boolean {
    return this.sizeBytes + update.byteLength <= this.maxBytes;
  }

  /** The connected peers. */
  peerList(): Peer[] {
    return [...this.peers.keys()];
  }

  get size(): number {
    return this.peers.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  join(peer: Peer): void {
    this.peers.set(peer, new Set());
  }

  /** Remove a peer and the awareness states it controlled. Returns the peers left. */
  leave(peer: Peer): number {
    const owned = this.peers.get(peer);
    this.peers.delete(peer);
    if (owned && owned.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...owned], null);
    return this.peers.size;
  }

  /** Apply an awareness update from a peer. Throws on malformed input. */
  applyAwareness(update: Uint8Array, from: Peer): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, from);
  }

  /**
   * Store `update` durably, then apply and broadcast it. Updates are stored in arrival
   * order; those that arrive while a write is in flight are written together in the next
   * one (group commit), so throughput holds under load.
   */
  submit(update: Uint8Array, from: Peer | null): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`room ${this.name} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ update, from, done: { resolve, reject } });
      if (!this.flushing) this.flushed = this.flush();
    });
  }

  /**
   * A change made by the server itself (rename, seeding): `fn` edits a scratch copy, and
   * the resulting update goes through the same store-then-broadcast path as a client's.
   */
  async change(fn: (doc: Y.Doc) => void): Promise<ServerChange> {
    const scratch = new Y.Doc();
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(this.doc));
    const before = Y.encodeStateVector(scratch);
    fn(scratch);
    const update = Y.encodeStateAsUpdate(scratch, before);
    const clientId = scratch.clientID;
    scratch.destroy();
    await this.submit(update, null);
    return { clientId, update };
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.hooks.store(this.name, batch.map((p) => p.update));
        } catch (err) {
          // Not stored, so not applied: the senders still hold their edits and resend them
          // when they reconnect (their sync step 2 carries everything the server lacks).
          log.error('could not store updates; dropping their senders so they resend', { room: this.name, err });
          for (const p of batch) {
            p.from?.close(CLOSE.internal, 'could not save your changes; reconnecting');
            p.done.reject(err);
          }
          continue;
        }
        for (const p of batch) {
          this.sizeBytes += p.update.byteLength;
          try {
            Y.applyUpdate(this.doc, p.update, p.from);
            p.done.resolve();
          } catch (err) {
            log.error('stored update failed to apply', { room: this.name, err });
            p.done.reject(err);
          }
        }
        this.storedSinceCompact += batch.length;
        try {
          this.hooks.changed?.(this.name, this.doc);
        } catch (err) {
          log.error('changed hook failed', { room: this.name, err });
        }
        if (this.storedSinceCompact >= COMPACT_AFTER_UPDATES && Date.now() - this.lastCompactAt >= COMPACT_MIN_INTERVAL_MS) void this.compact();
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Merge the stored log into a snapshot, once at a time, off the update path. */
  compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    this.storedSinceCompact = 0;
    this.lastCompactAt = Date.now();
    this.measure();
    this.compacting = this.hooks
      .compact(this.name)
      .catch((err) => log.error('compaction failed; the log is kept as it is', { room: this.name, err }))
      .finally(() => {
        this.compacting = null;
      });
    return this.compacting;
  }

  /** Wait for pending writes to settle. */
  async drain(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await this.flushed;
  }

  /** Close every peer with `code`, flush, compact and free the document. */
  async close(code: number = CLOSE.goingAway, reason = 'server closing'): Promise<void> {
    if (this.closed) return;
    for (const peer of [...this.peers.keys()]) peer.close(code, reason);
    this.peers.clear();
    await this.drain();
    this.closed = true;
    await this.compact();
    await this.hooks.unloaded?.(this.name, this.doc).catch((err) => log.error('unloaded hook failed', { room: this.name, err }));
    this.awareness.destroy();
    this.doc.destroy();
  }
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}
