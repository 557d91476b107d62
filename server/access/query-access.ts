/**
 * Who may send `POST /api/query`: the connection is resolved in its own workspace, and
 * - naming a notebook (and optionally one of its cells), the caller must be able to edit
 *   it and use the connection — except a reader's `cacheOnly` read of a cell of that
 *   notebook that runs on that connection (viewers see server cells' cached results);
 * - naming no notebook (an ad-hoc run), the caller must be able to use the connection.
 * What the caller may not see is a 404; a reader trying to start a run is a 403.
 */
import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../store/index.js';
import type { WorkspaceRole } from '../../src/lib/contract/index.js';
import { AppError } from '../errors.js';
import { CAIRN_CONNECTION_ID } from '../connections/cairn-connection.js';
import { findConnection, parseConnectionAccess } from './rules.js';
import { mayUseConnection, notebookStanding, type ConnectionAccess } from './policy.js';

export interface QueryTarget {
  connectionId: string;
  notebookId?: string;
  cellId?: string;
  cacheOnly?: boolean;
}

/** The engine a notebook cell runs on, or undefined when the notebook has no such cell. */
export type CellEngineLookup = (notebookId: string, cellId: string) => Promise<string | undefined>;

export async function authorizeQuery(
  db: Queryable,
  req: IncomingMessage,
  userId: string,
  target: QueryTarget,
  cellEngine: CellEngineLookup
): Promise<{ workspaceId: string; role: WorkspaceRole }> {
  const noConnection = new AppError('not_found', `No such connection, or you have no access to it (${target.connectionId}).`);
  if (target.notebookId) {
    const standing = await notebookStanding(db, userId, target.notebookId);
    if (!standing?.access || !standing.role) throw new AppError('not_found', 'No such notebook.');
    const engine = target.cellId ? await cellEngine(target.notebookId, target.cellId) : undefined;
    if (target.cellId && engine === undefined) throw new AppError('not_found', 'No such cell in this notebook.');
    const connection = await connectionIn(db, standing.workspaceId, target.connectionId);
    if (!connection) throw noConnection;
    if (target.cacheOnly && engine === target.connectionId) return { workspaceId: standing.workspaceId, role: standing.role };
    if (standing.access !== 'edit') throw new AppError('forbidden', 'You can view this notebook: its results come from the cache, and only editors run queries.');
    if (!mayUseConnection(connection, userId, standing.role)) throw noConnection;
    return { workspaceId: standing.workspaceId, role: standing.role };
  }
  const found = await findConnection(db, req, userId, target.connectionId);
  if (!found || !mayUseConnection(found.access, userId, found.workspace.role)) throw noConnection;
  return { workspaceId: found.workspace.id, role: found.workspace.role };
}

/** The connection's access setting, when it exists in `workspaceId`. */
async function connectionIn(db: Queryable, workspaceId: string, id: string): Promise<ConnectionAccess | null> {
  if (id === CAIRN_CONNECTION_ID) return 'editors';
  const rows = await db.query<{ access: ConnectionAccess | string }>('select access from connections where id = $1 and workspace_id = $2 and deleted_at is null', [id, workspaceId]);
  return rows[0] ? parseConnectionAccess(rows[0].access) : null;
}
