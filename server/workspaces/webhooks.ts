/**
 * A workspace's saved webhook destinations: owners and admins save a URL under a name, and
 * editors choose it by name for their reports' alerts without ever seeing the URL (a chat
 * webhook URL is a credential). URLs are sealed at rest like connection passwords.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.js';
import { AppError } from '../errors.js';
import { openSecret, sealSecret } from '../connections/secrets.js';
import type { WebhookView } from '../../src/lib/contract/index.js';

/** What a sealed webhook URL is bound to: its row, so a sealed URL copied elsewhere does not open. */
export const webhookBinding = (id: string) => `webhook:${id}`;

/** Save a webhook for `workspaceId`; returns its id. */
export async function createWebhook(db: Queryable, key: Buffer, workspaceId: string, userId: string, input: { name: string; url: string }): Promise<string> {
  const id = randomBytes(9).toString('base64url');
  await db.query('insert into workspace_webhooks (id, workspace_id, name, url_sealed, created_by, created_at) values ($1, $2, $3, $4, $5, now())', [
    id,
    workspaceId,
    input.name,
    sealSecret(key, input.url, webhookBinding(id)),
    userId
  ]);
  return id;
}

/** The workspace's webhooks, oldest first; URLs only when `withUrls` (owners and admins). */
export async function listWebhooks(db: Queryable, key: Buffer, workspaceId: string, withUrls: boolean): Promise<WebhookView[]> {
  const rows = await db.query<{ id: string; name: string; url_sealed: string; created_at: Date | string }>(
    'select id, name, url_sealed, created_at from workspace_webhooks where workspace_id = $1 and deleted_at is null order by created_at, id',
    [workspaceId]
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    ...(withUrls ? { url: openSecret(key, r.url_sealed, webhookBinding(r.id)) } : {}),
    createdAt: new Date(r.created_at).toISOString()
  }));
}

/** Delete webhook `id` of `workspaceId`; alerts that chose it record their deliveries as failed, saying why. */
export async function deleteWebhook(db: Queryable, workspaceId: string, id: string): Promise<void> {
  const rows = await db.query('update workspace_webhooks set deleted_at = now() where id = $1 and workspace_id = $2 and deleted_at is null returning id', [id, workspaceId]);
  if (rows.length === 0) throw new AppError('not_found', 'No such webhook.');
}

/** A live webhook of `workspaceId` by id (for an alert choosing it); null when none. */
export async function webhookInWorkspace(db: Queryable, workspaceId: string, id: string): Promise<{ id: string; name: string } | null> {
  const rows = await db.query<{ id: string; name: string }>('select id, name from workspace_webhooks where id = $1 and workspace_id = $2 and deleted_at is null', [id, workspaceId]);
  return rows[0] ?? null;
}
