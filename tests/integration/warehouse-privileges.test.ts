/**
 * Accounts that escape read-only: a read-only connection on a PostgreSQL superuser, a
 * member of pg_read_server_files or a MariaDB account with FILE is refused unless an
 * owner accepts the risk, a least-privilege account is not, and a lock that one query
 * takes is not held by its pooled connection for the next. Also: moving a saved password
 * to another host needs the password again, and only admins test a saved connection.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult, ServerEngine } from '../../kernels/engine.js';
import { createMysqlEngine } from '../../kernels/mysql/index.js';
import { createPostgresEngine, type PostgresConfig } from '../../kernels/postgres/index.js';
import { createWorkerEngine } from '../../kernels/worker-engine/index.js';
import { api, signUp } from '../support/api.js';
import { createTestMysqlDatabase, MYSQL_HOST, MYSQL_PORT, type TestMysqlDatabase } from '../support/mysql.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';

const POSTGRES_WORKER = { module: new URL('../../kernels/postgres/index.ts', import.meta.url).href, factory: 'createPostgresEngine' };
const SUFFIX = randomBytes(4).toString('hex');
/** Least privilege: connect, and select on the one schema. */
const PG_READER = `cairn_ro_${SUFFIX}`;
/** The same plus pg_read_server_files, which reads any file the server can. */
const PG_FILE_READER = `cairn_files_${SUFFIX}`;
const MARIA_READER = `ro_${SUFFIX}`;
const MARIA_FILE = `file_${SUFFIX}`;
const MARIA_PASSWORD = 'not-a-real-secret';

let warehouse: TestDatabase;
let pgBase: PostgresConfig;
let admin: pg.Client;
let maria: TestMysqlDatabase;
let store: TestStore;
let srv: RunningServer;
let owner: Awaited<ReturnType<typeof signUp>>;
const engines: ServerEngine[] = [];

async function drain(result: RunResult): Promise<void> {
  for await (const _ of result.batches);
}

function pgConnection(user: string, options: Record<string, unknown> = {}) {
  return { name: `pg ${user} ${randomBytes(3).toString('hex')}`, kind: 'postgres', config: { ...pgBase, user, password: '' }, options };
}

function mariaConnection(user: string, password: string, options: Record<string, unknown> = {}) {
  return {
    name: `maria ${user} ${randomBytes(3).toString('hex')}`,
    kind: 'mysql',
    config: { host: MYSQL_HOST, port: MYSQL_PORT, database: maria.name, user, password },
    options
  };
}

beforeAll(async () => {
  warehouse = await createTestDatabase();
  const url = new URL(warehouse.url);
  pgBase = { host: url.hostname, port: Number(url.port), database: url.pathname.slice(1), user: 'postgres', password: '' };
  admin = new pg.Client({ connectionString: warehouse.url });
  await admin.connect();
  // As an admin grants a reporting account: connect, usage, select — nothing more.
  await admin.query(`create table orders as select g as id from generate_series(1, 10) g`);
  for (const role of [PG_READER, PG_FILE_READER]) {
    await admin.query(`create role ${role} login`);
    await admin.query(`grant connect on database ${pgBase.database} to ${role}`);
    await admin.query(`grant usage on schema public to ${role}`);
    await admin.query(`grant select on all tables in schema public to ${role}`);
  }
  await admin.query(`grant pg_read_server_files to ${PG_FILE_READER}`);

  maria = await createTestMysqlDatabase();
  await maria.admin.query('CREATE TABLE orders (id INT)');
  for (const user of [MARIA_READER, MARIA_FILE]) {
    await maria.admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${MARIA_PASSWORD}'`);
    await maria.admin.query(`GRANT SELECT ON \`${maria.name}\`.* TO '${user}'@'%'`);
  }
  await maria.admin.query(`GRANT FILE ON *.* TO '${MARIA_FILE}'@'%'`);

  store = await createTestStore('embedded');
  srv = await startInProcess(store);
  owner = await signUp(srv.base, 'Owner');
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close().catch(() => undefined)));
  await srv?.close();
  await store?.dispose();
  await admin?.end().catch(() => undefined);
  await warehouse?.drop();
  // The roles outlive the database; they hold nothing once it is gone.
  const root = new pg.Client({ connectionString: new URL('/postgres', warehouse.url).toString() });
  await root.connect();
  for (const role of [PG_READER, PG_FILE_READER]) await root.query(`drop role if exists ${role}`);
  await root.end();
  if (maria) {
    for (const user of [MARIA_READER, MARIA_FILE]) await maria.admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await maria.drop();
  }
});

describe('a read-only PostgreSQL connection', () => {
  it('on a superuser is refused when tested or saved, naming superuser and why it matters', async () => {
    const tested = await api(srv.base, 'POST', '/api/connections/test', { token: owner.token, body: pgConnection('postgres') });
    expect(tested.status).toBe(400);
    expect(tested.body.error.code).toBe('privileged_account');
    expect(tested.body.error.message).toContain('superuser: can read and write server files and run programs despite read-only');
    const saved = await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: pgConnection('postgres') });
    expect(saved.status).toBe(400);
    expect(saved.body.error.code).toBe('privileged_account');
  });

  it('on a member of pg_read_server_files is refused, naming that role', async () => {
    const saved = await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: pgConnection(PG_FILE_READER) });
    expect(saved.status).toBe(400);
    expect(saved.body.error.code).toBe('privileged_account');
    expect(saved.body.error.message).toContain('pg_read_server_files');
    expect(saved.body.error.message).not.toContain('superuser');
  });

  it('is saved when the risk is accepted, and its test then lists the privileges found', async () => {
    const tested = await api(srv.base, 'POST', '/api/connections/test', { token: owner.token, body: pgConnection(PG_FILE_READER, { acceptPrivilegedAccount: true }) });
    expect(tested.status).toBe(200);
    expect(tested.body.privileges.map((p: { privilege: string }) => p.privilege)).toEqual(['pg_read_server_files']);
    const saved = await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: pgConnection('postgres', { acceptPrivilegedAccount: true }) });
    expect(saved.status).toBe(201);
    expect(saved.body.options.acceptPrivilegedAccount).toBe(true);
    const retest = await api(srv.base, 'POST', `/api/connections/${saved.body.id}/test`, { token: owner.token, body: {} });
    expect(retest.status).toBe(200);
    expect(retest.body).toMatchObject({ ok: true, privileges: [{ privilege: 'superuser' }] });
  });

  it('on a least-privilege account saves and tests with no privileges to report', async () => {
    const saved = await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: pgConnection(PG_READER) });
    expect(saved.status).toBe(201);
    expect(saved.body.options.acceptPrivilegedAccount).toBe(false);
    const tested = await api(srv.base, 'POST', `/api/connections/${saved.body.id}/test`, { token: owner.token, body: {} });
    expect(tested.body).toMatchObject({ ok: true, privileges: [] });
  });

  it('changed to a superuser on an edit is refused, and kept as it was', async () => {
    const saved = await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: pgConnection(PG_READER) });
    const patched = await api(srv.base, 'PATCH', `/api/connections/${saved.body.id}`, { token: owner.token, body: { config: { user: 'postgres', password: '' } } });
    expect(patched.status).toBe(400);
    expect(patched.body.error.code).toBe('privileged_account');
    const now = await api(srv.base, 'GET', `/api/connections/${saved.body.id}`, { token: owner.token });
    expect(now.body.config.user).toBe(PG_READER);
  });

  it('that is read-write is not refused: it already trusts the account with more', async () => {
    const saved = await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: pgConnection('postgres', { readOnly: false }) });
    expect(saved.status).toBe(201);
  });
});

describe('a read-only MariaDB connection', () => {
  it('on an account with FILE is refused naming FILE, and accepted with the risk', async () => {
    const refused = await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: mariaConnection(MARIA_FILE, MARIA_PASSWORD) });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('privileged_account');
    expect(refused.body.error.message).toMatch(/FILE: can read and write files/);
    expect(refused.body.error.message).not.toContain('SUPER');
    const accepted = await api(srv.base, 'POST', '/api/connections', {
      token: owner.token,
      body: mariaConnection(MARIA_FILE, MARIA_PASSWORD, { acceptPrivilegedAccount: true })
    });
    expect(accepted.status).toBe(201);
  });

  it('on root (ALL PRIVILEGES ON *.*) is refused naming FILE and SUPER', async () => {
    const tested = await api(srv.base, 'POST', '/api/connections/test', { token: owner.token, body: mariaConnection(maria.config.user, maria.config.password) });
    expect(tested.status).toBe(400);
    expect(tested.body.error.code).toBe('privileged_account');
    expect(tested.body.error.message).toMatch(/FILE: .*SUPER: /);
  });

  it('on an account with SELECT only saves and tests with no privileges to report', async () => {
    const saved = await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: mariaConnection(MARIA_READER, MARIA_PASSWORD) });
    expect(saved.status).toBe(201);
    const tested = await api(srv.base, 'POST', `/api/connections/${saved.body.id}/test`, { token: owner.token, body: {} });
    expect(tested.body).toMatchObject({ ok: true, privileges: [] });
  });
});

describe('a pooled connection', () => {
  it('on PostgreSQL holds no advisory lock after the query that took it', async () => {
    const engine = createPostgresEngine({ ...pgBase, user: PG_READER }, { id: 'locks', maxConnections: 1 });
    engines.push(engine);
    const key = 1_000_000 + Math.floor(Math.random() * 1_000_000);
    await drain(await engine.run(`select pg_advisory_lock(${key})`, []));
    // The same (only) pooled connection is idle now; another session sees who holds what.
    const held = await admin.query(`select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = $1 and database = (select oid from pg_database where datname = current_database())`, [key]);
    expect(held.rows[0].n).toBe(0);
    await drain(await engine.run('select 1', []));
  });

  it('on MariaDB holds no GET_LOCK after the query that took it', async () => {
    const engine = createMysqlEngine({ ...maria.config, user: MARIA_READER, password: MARIA_PASSWORD }, { id: 'locks', maxConnections: 1 });
    engines.push(engine);
    const name = `cairn_${SUFFIX}`;
    await drain(await engine.run(`SELECT GET_LOCK('${name}', 0)`, []));
    const [rows] = await maria.admin.query(`SELECT IS_FREE_LOCK('${name}') AS free`);
    expect(Number((rows as { free: unknown }[])[0]!.free)).toBe(1);
  });

  it('in a worker thread reports the account’s privileges as the engine does', async () => {
    const engine = createWorkerEngine(POSTGRES_WORKER, { ...pgBase, user: PG_FILE_READER }, { id: 'worker-privileges' });
    engines.push(engine);
    expect(await engine.privileges!()).toEqual({ privileges: [{ privilege: 'pg_read_server_files', why: expect.stringContaining('read') }] });
  });
});

describe('a saved connection', () => {
  it('moved to another host, port, user or database needs its password again', async () => {
    const saved = await api(srv.base, 'POST', '/api/connections', {
      token: owner.token,
      body: { ...pgConnection(PG_READER), config: { ...pgBase, user: PG_READER, password: 'saved-secret' } }
    });
    expect(saved.status).toBe(201);
    for (const change of [{ host: 'localhost' }, { port: 6543 }, { user: PG_FILE_READER }, { database: 'postgres' }]) {
      const moved = await api(srv.base, 'PATCH', `/api/connections/${saved.body.id}`, { token: owner.token, body: { config: change } });
      expect(moved.status, JSON.stringify(change)).toBe(400);
      expect(moved.body.error.code).toBe('password_required');
    }
    const renamed = await api(srv.base, 'PATCH', `/api/connections/${saved.body.id}`, { token: owner.token, body: { name: `renamed ${SUFFIX}`, config: { host: pgBase.host } } });
    expect(renamed.status).toBe(200);
    const withPassword = await api(srv.base, 'PATCH', `/api/connections/${saved.body.id}`, {
      token: owner.token,
      body: { config: { database: 'postgres', password: 'typed-again' } }
    });
    expect(withPassword.status).toBe(200);
    expect(withPassword.body.config.database).toBe('postgres');
  });

  it('is tested by owners and admins only', async () => {
    const saved = await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: pgConnection(PG_READER) });
    const member = await signUp(srv.base, 'Member');
    const refused = await api(srv.base, 'POST', `/api/connections/${saved.body.id}/test`, { token: member.token, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
  });
});
