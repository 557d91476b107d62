/**
 * Who wrote what. Every Yjs item carries the client id of the document copy that made it;
 * the first user whose update brings a client id owns it, and an update that adds items
 * under a client id another user owns is refused, so nobody can write in someone else's
 * name. Attribution (and version authors) read this map.
 */
import type * as Y from 'yjs';
import type { Db } from '../store/index.js';
import type { DecodedUpdate } from '../collab/protocol.js';
import { claimClients, clientOwners } from './repository.js';
import { logger } from '../log.js';

const log = logger('history');

export class Authorship {
  private readonly owners = new Map<string, Map<number, string>>();

  constructor(private readonly db: Db) {}

  /** Load a notebook's owners (when its room loads). */
  async load(notebookId: string): Promise<void> {
    this.owners.set(notebookId, await clientOwners(this.db, notebookId));
  }

  forget(notebookId: string): void {
    this.owners.delete(notebookId);
  }

  /** Client ids of the items `update` adds to `doc` (ones it already has are not new). */
  private newClients(doc: Y.Doc, update: DecodedUpdate): number[] {
    const clients = new Set<number>();
    for (const struct of update.structs) {
      const { client, clock } = struct.id;
      if (clock + struct.length > stateOf(doc, client)) clients.add(client);
    }
    return [...clients];
  }

  /**
   * Null when `userId` may add `update`'s items, else why not. Claims the client ids that
   * nobody owns yet for `userId`.
   */
  admit(notebookId: string, userId: string, doc: Y.Doc, update: DecodedUpdate): string | null {
    let owners = this.owners.get(notebookId);
    if (!owners) {
      owners = new Map();
      this.owners.set(notebookId, owners);
    }
    const fresh: number[] = [];
    for (const client of this.newClients(doc, update)) {
      const owner = owners.get(client);
      if (owner === undefined) {
        owners.set(client, userId);
        fresh.push(client);
      } else if (owner !== userId) return 'those changes carry another collaborator\u2019s client id';
    }
    if (fresh.length > 0) {
      claimClients(this.db, notebookId, userId, fresh).catch((err) => log.error('could not record who owns a client id', { notebookId, err }));
    }
    return null;
  }

  /** Record that a server-side change's items belong to `userId`. */
  async claim(notebookId: string, userId: string, clientId: number): Promise<void> {
    this.owners.get(notebookId)?.set(clientId, userId);
    await claimClients(this.db, notebookId, userId, [clientId]);
  }
}

function stateOf(doc: Y.Doc, client: number): number {
  const structs = doc.store.clients.get(client);
  if (!structs || structs.length === 0) return 0;
  const last = structs[structs.length - 1];
  return last.id.clock + last.length;
}
