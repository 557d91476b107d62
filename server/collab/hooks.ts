/**
 * The collaboration server's lifecycle, as typed hooks (after Hocuspocus): who is asking,
 * may they, where the document's updates are stored, and what to do after a change.
 * Access control and persistence plug in here, never inside the socket code.
 */
import type { IncomingMessage } from 'node:http';
import type * as Y from 'yjs';
import type { DecodedUpdate } from './protocol.js';

/** Who a connection belongs to, and through which session (ending it closes the socket). */
export interface Principal {
  userId: string;
  name: string;
  sessionId?: string;
}

/** What a principal may do in a notebook. `missing`: no such notebook, or one they may not read (the same answer). */
export type Access = 'edit' | 'view' | 'missing';

export interface CollabHooks {
  /** The principal behind an upgrade request (token param or cookie), or null. */
  authenticate(request: IncomingMessage, url: URL): Promise<Principal | null>;
  /** What `principal` may do in notebook `docName`. */
  authorize(principal: Principal, docName: string): Promise<Access>;
  /**
   * Whether an editor's update may be stored: null, or why not (the sender is closed with
   * 4403 and nothing is stored). Runs before the update is stored; must be cheap.
   */
  admit?(principal: Principal, doc: Y.Doc, update: DecodedUpdate, docName: string): string | null;
  /** Every stored update of the document, in any order (Yjs merges commute). */
  load(docName: string): Promise<Uint8Array[]>;
  /** Append updates durably; resolves only once they would survive a kill -9. */
  store(docName: string, updates: Uint8Array[]): Promise<void>;
  /** Merge the stored log into a snapshot; called in the background. */
  compact(docName: string): Promise<void>;
  /** After updates were stored and applied (title mirroring, timestamps). Must not throw. */
  changed?(docName: string, doc: Y.Doc): void;
  /** The room is being unloaded: flush anything `changed` deferred. */
  unloaded?(docName: string, doc: Y.Doc): Promise<void>;
}
