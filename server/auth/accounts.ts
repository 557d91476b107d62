/**
 * Accounts: sign-up, login and password changes. Who may make an account:
 * - the instance's first account (it becomes the instance admin and owns the default workspace);
 * - anyone holding a usable invitation (joins only the inviting workspace, with its role);
 * - an email whose domain a workspace allows (joins it as an editor);
 * - with `CAIRN_SIGNUP=open`, anyone (gets a workspace of its own).
 * Otherwise `403 invitation_required`. That check comes before the email is looked at, so
 * sign-up tells an outsider nothing about which emails have accounts.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../store/index.js';
import { hashPassword, verifyPassword, DUMMY_HASH } from './password.js';
import { assertAcceptablePassword } from './password-policy.js';
import type { SessionUser } from './sessions.js';
import { AppError } from '../errors.js';
import { addMember, createDefaultWorkspace, createWorkspace, workspaceAllowingDomain } from '../workspaces/repository.js';
import { consumeInvitation } from '../workspaces/invitations.js';

export interface SignupInput {
  email: string;
  password: string;
  name: string;
  invitation?: string;
}

export type SignupPolicy = 'invite' | 'open';

/** Create an account; returns it and the workspace it acts in. */
export async function signup(db: Db, input: SignupInput, policy: SignupPolicy): Promise<{ user: SessionUser; workspaceId: string }> {
  assertAcceptablePassword(input.password);
  const passwordHash = await hashPassword(input.password);
  const id = randomUUID();
  const email = input.email.trim();
  const name = input.name.trim();
  return db.transaction(async (tx) => {
    // Serialize sign-ups: "is this the first account?" must have one answer.
    await tx.query('lock table users in share row exclusive mode');
    const first = (await tx.query('select 1 from users limit 1')).length === 0;
    const join = first ? null : await joinFor(tx, input, email, policy);
    const taken = await tx.query('select 1 from users where lower(email) = lower($1)', [email]);
    if (taken.length > 0) throw new AppError('conflict', 'An account with this email already exists: sign in, then accept the invitation.');
    await tx.query('insert into users (id, email, name, password_hash, instance_admin) values ($1, $2, $3, $4, $5)', [id, email, name, passwordHash, first]);
    let workspaceId: string;
    if (first) {
      await createDefaultWorkspace(tx, id);
      workspaceId = 'default';
    } else if (join === 'own') {
      workspaceId = await createWorkspace(tx, id, `${name}'s workspace`);
    } else {
      await addMember(tx, join!.workspaceId, id, join!.role);
      workspaceId = join!.workspaceId;
    }
    await tx.query('update users set current_workspace_id = $2 where id = $1', [id, workspaceId]);
    return { user: { id, email, name, instanceAdmin: first }, workspaceId };
  });
}

async function joinFor(tx: Queryable, input: SignupInput, email: string, policy: SignupPolicy) {
  if (input.invitation) return consumeInvitation(tx, input.invitation, email);
  const domainWorkspace = await workspaceAllowingDomain(tx, email);
  if (domainWorkspace) return { workspaceId: domainWorkspace, role: 'editor' as const };
  if (policy === 'open') return 'own' as const;
  throw new AppError('invitation_required', 'Cairn is invite-only here: ask a workspace admin for an invitation link.');
}

/** Check credentials. Throws 401 `invalid_credentials` for an unknown email or a wrong password alike. */
export async function login(db: Queryable, email: string, password: string): Promise<SessionUser> {
  const rows = await db.query<{ id: string; email: string; name: string; instance_admin: boolean; password_hash: string }>(
    'select id, email, name, instance_admin, password_hash from users where lower(email) = lower($1)',
    [email.trim()]
  );
  const row = rows[0];
  const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  if (!row || !ok) throw new AppError('invalid_credentials', 'Wrong email or password.');
  return { id: row.id, email: row.email, name: row.name, instanceAdmin: row.instance_admin };
}

/** Change `userId`'s password after checking the current one. */
export async function changePassword(db: Queryable, userId: string, currentPassword: string, newPassword: string): Promise<void> {
  const rows = await db.query<{ password_hash: string }>('select password_hash from users where id = $1', [userId]);
  if (!(await verifyPassword(currentPassword, rows[0]?.password_hash ?? DUMMY_HASH))) throw new AppError('forbidden', 'The current password is wrong.');
  assertAcceptablePassword(newPassword);
  await db.query('update users set password_hash = $2 where id = $1', [userId, await hashPassword(newPassword)]);
}
