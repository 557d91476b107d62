/**
 * Accounts: sign-up and login. The first account owns the default workspace; every later
 * account joins it as an editor (roles and sharing come later).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/index.js';
import { hashPassword, verifyPassword, DUMMY_HASH } from './password.js';
import type { SessionUser } from './sessions.js';
import { HttpError } from '../http/errors.js';
import { ensureDefaultWorkspace, type Workspace } from '../notebooks/workspaces.js';

export interface SignupInput {
  email: string;
  password: string;
  name: string;
}

/** Create an account. Throws 409 `email_taken` when the email is in use. */
export async function signup(db: Db, input: SignupInput): Promise<{ user: SessionUser; workspace: Workspace; createdWorkspace: boolean }> {
  const passwordHash = await hashPassword(input.password);
  const id = randomUUID();
  const email = input.email.trim();
  return db.transaction(async (tx) => {
    const taken = await tx.query('select 1 from users where lower(email) = lower($1)', [email]);
    if (taken.length > 0) throw new HttpError(409, 'email_taken', 'An account with this email already exists.');
    await tx.query('insert into users (id, email, name, password_hash) values ($1, $2, $3, $4)', [id, email, input.name.trim(), passwordHash]);
    const { workspace, created } = await ensureDefaultWorkspace(tx, id);
    return { user: { id, email, name: input.name.trim() }, workspace, createdWorkspace: created };
  });
}

/** Check credentials. Throws 401 `invalid_credentials` for an unknown email or a wrong password alike. */
export async function login(db: Db, email: string, password: string): Promise<SessionUser> {
  const rows = await db.query<SessionUser & { password_hash: string }>(
    'select id, email, name, password_hash from users where lower(email) = lower($1)',
    [email.trim()]
  );
  const row = rows[0];
  const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  if (!row || !ok) throw new HttpError(401, 'invalid_credentials', 'Wrong email or password.');
  return { id: row.id, email: row.email, name: row.name };
}
