import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, invite, signUp, testEmail, type SignedUp } from '../support/api.js';
import { connectClient, synced, waitFor } from '../support/yclient.js';
import { authorize, type Rule } from '../../server/access/rules.js';
import { cellsOf, insertCell } from '../../src/lib/doc/index.js';
import { createAlert } from '../../server/reports/alerts.js';

/**
 * The authorization matrix, generated from the server's route table: every route × every
 * kind of caller × own, shared and unshared resources. What each caller should get is
 * written out here from the access rules as people read them (not from the policy code):
 * a denial is checked over HTTP (exact status), an allowed call by the router's own rule
 * check (and over HTTP for reads). A route whose rule or parameters this file does not
 * know fails the test, so a new route cannot slip in unchecked.
 */

type Actor = 'root' | 'owner' | 'admin' | 'editor' | 'viewer' | 'outsider' | 'anon' | 'expired';
type Resource = 'own' | 'shared' | 'unshared' | 'other' | 'none';
type Outcome = 'ok' | 401 | 403 | 404;

const ACTORS: Actor[] = ['root', 'owner', 'admin', 'editor', 'viewer', 'outsider', 'anon', 'expired'];
const MANAGERS: Actor[] = ['root', 'owner', 'admin'];
const ROLE: Record<Actor, 'owner' | 'admin' | 'editor' | 'viewer' | null> = {
  root: 'owner',
  owner: 'owner',
  admin: 'admin',
  editor: 'editor',
  viewer: 'viewer',
  outsider: null,
  anon: null,
  expired: null
};
/** The cell every notebook of the matrix has, with a result the server computes. */
const ANSWER_CELL = 'answer-cell';

const RANK = ['owner', 'admin', 'editor', 'viewer'];
const atLeast = (role: string | null, min: string) => role !== null && RANK.indexOf(role) <= RANK.indexOf(min);

/** A notebook: who may read, edit and share it. */
function notebookAccess(actor: Actor, resource: Resource): { read: boolean; edit: boolean; share: boolean } {
  const none = { read: false, edit: false, share: false };
  if (actor === 'outsider') return none;
  if (MANAGERS.includes(actor)) return { read: true, edit: true, share: true };
  if (resource === 'own') return { read: true, edit: true, share: true };
  if (resource === 'shared') return { read: true, edit: actor === 'editor', share: false };
  return none; // unshared: general access none, no grants
}

/**
 * Reports: `shared` is the shared notebook's report, visible to its workspace; `unshared`
 * is the unshared notebook's, visible to listed members only (none listed; published by the
 * owner). Whoever may not see a report gets 404, signed in or not.
 */
function reportOutcome(need: 'read' | 'manage', actor: Actor, resource: Resource): Outcome {
  if (need === 'read') {
    if (resource === 'shared') return ROLE[actor] !== null ? 'ok' : 404;
    return MANAGERS.includes(actor) ? 'ok' : 404;
  }
  if (actor === 'anon' || actor === 'expired') return 404;
  const a = notebookAccess(actor, resource);
  if (!a.read) return 404;
  return a.edit ? 'ok' : 403;
}

function expected(rule: Rule, actor: Actor, resource: Resource): Outcome {
  if (rule.kind === 'public') return 'ok';
  if (rule.kind === 'report') return reportOutcome(rule.need, actor, resource);
  if (actor === 'anon' || actor === 'expired') return 401;
  const role = ROLE[actor];
  switch (rule.kind) {
    case 'user':
      return 'ok';
    case 'instanceAdmin':
      return actor === 'root' ? 'ok' : 403;
    case 'member':
      // The outsider acts in their own workspace, where they are an editor.
      return atLeast(actor === 'outsider' ? 'editor' : role, rule.min) ? 'ok' : 403;
    case 'workspace': {
      const inIt = resource === 'own' ? actor !== 'outsider' : actor === 'root' || actor === 'outsider';
      if (!inIt) return 404;
      const r = resource === 'own' ? role : actor === 'root' ? 'owner' : 'editor';
      return atLeast(r, rule.min) ? 'ok' : 403;
    }
    case 'notebook': {
      const a = notebookAccess(actor, resource);
      if (!a.read) return 404;
      if (rule.need === 'edit' && !a.edit) return 403;
      if (rule.need === 'share' && !a.share) return 403;
      return 'ok';
    }
    case 'connection': {
      const uses = MANAGERS.includes(actor) || (resource === 'shared' && actor === 'editor');
      if (!uses) return 404;
      return rule.need === 'manage' && !MANAGERS.includes(actor) ? 403 : 'ok';
    }
    case 'run': {
      // Runs on the shared notebook are the owner's; the unshared notebook's runs only managers see.
      const sees = MANAGERS.includes(actor) || (resource === 'shared' && notebookAccess(actor, 'shared').read);
      if (!sees) return 404;
      if (rule.need === 'cancel' && !MANAGERS.includes(actor) && !notebookAccess(actor, 'shared').edit) return 403;
      return 'ok';
    }
    case 'comment': {
      // Both comments are the owner's: others resolve them only as the notebook's editors.
      const a = notebookAccess(actor, resource);
      if (!a.read) return 404;
      return rule.need === 'resolve' && !a.edit && actor !== 'owner' ? 403 : 'ok';
    }
    case 'file':
      // shared: held by the shared notebook, read through it; unshared: the owner's upload, held by no notebook.
      if (resource === 'shared') return notebookAccess(actor, 'shared').read ? 'ok' : 404;
      return actor === 'owner' ? 'ok' : 404;
    case 'proposal': {
      // The owner's proposal from their fork of the shared (or unshared) notebook; the fork
      // is shared as its origin is. Readers of either side read it; the origin's editors
      // merge and close, and so may its author (the owner).
      const a = notebookAccess(actor, resource);
      if (!a.read) return 404;
      return rule.need === 'read' || a.edit ? 'ok' : 403;
    }
  }
}

/** The resources a rule is checked against. */
function resourcesFor(rule: Rule): Resource[] {
  switch (rule.kind) {
    case 'notebook':
      return ['own', 'shared', 'unshared'];
    case 'workspace':
      return ['own', 'other'];
    case 'connection':
    case 'run':
    case 'file':
    case 'report':
    case 'comment':
    case 'proposal':
      return ['shared', 'unshared'];
    default:
      return ['none'];
  }
}

describe('the authorization matrix', () => {
  let store: TestStore;
  let srv: RunningServer;
  const users = {} as Record<Exclude<Actor, 'anon'>, SignedUp>;
  const tokens = {} as Record<Actor, string | undefined>;
  const own = {} as Partial<Record<Actor, string>>;
  let otherWorkspace = '';
  let sharedNotebook = '';
  let unsharedNotebook = '';
  let sharedConnection = '';
  let unsharedConnection = '';
  let sharedRun = '';
  let unsharedRun = '';
  let sharedFile = '';
  let unsharedFile = '';
  let sharedReport = '';
  let unsharedReport = '';
  let sharedAlert = '';
  let unsharedAlert = '';
  let sharedReportToken = '';
  let unsharedReportToken = '';
  let webhookId = '';
  let sharedComment = '';
  let unsharedComment = '';
  let invitationId = '';
  let invitationToken = '';
  /** A result key each notebook has a recorded run for, and each report's shown result's key. */
  const notebookResult = 'a'.repeat(64);
  const reportResult: Partial<Record<Resource, string>> = {};
  /** A named version of each notebook, by notebook id. */
  const versionOf = new Map<string, string>();
  let sharedProposal = '';
  let unsharedProposal = '';

  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startInProcess(store);
    const base = srv.base;
    users.root = await signUp(base, 'Root');
    users.owner = await signUp(base, 'Olivia', 'owner');
    users.admin = await signUp(base, 'Adam', 'admin');
    users.editor = await signUp(base, 'Eddie', 'editor');
    users.viewer = await signUp(base, 'Vera', 'viewer');
    users.expired = await signUp(base, 'Ex', 'editor');
    const other = await api(base, 'POST', '/api/workspaces', { token: users.root.token, body: { name: 'Other' } });
    otherWorkspace = other.body.id;
    const outsiderInvite = await invite(base, users.root.token, 'editor', otherWorkspace);
    const outsiderEmail = testEmail('Otto');
    const outsider = await api(base, 'POST', '/api/auth/signup', { body: { email: outsiderEmail, password: 'correct horse battery staple', name: 'Otto', invitation: outsiderInvite } });
    users.outsider = { token: outsider.body.token, user: outsider.body.user, email: outsiderEmail, password: 'correct horse battery staple' };
    for (const a of ACTORS) tokens[a] = a === 'anon' ? undefined : users[a].token;
    await srv.cairn.context.db.query(`update sessions set expires_at = now() - interval '1 second' where user_id = $1`, [users.expired.user.id]);

    const owner = users.owner.token;
    sharedNotebook = await createNotebook(base, owner, 'Shared');
    unsharedNotebook = await createNotebook(base, owner, 'Unshared');
    expect((await api(base, 'PUT', `/api/notebooks/${unsharedNotebook}/access`, { token: owner, body: { general: 'none', grants: [] } })).status).toBe(200);
    for (const a of ['root', 'owner', 'admin', 'editor'] as const) own[a] = await createNotebook(base, users[a].token, `${a}'s own`);

    const conn = (name: string, access: unknown) =>
      api(base, 'POST', '/api/connections', { token: users.root.token, body: { name, kind: 'duckdb', config: {}, access } });
    sharedConnection = (await conn('Shared duck', 'editors')).body.id;
    unsharedConnection = (await conn('Private duck', { members: [] })).body.id;
    const run = async (notebookId: string) => {
      const r = await fetch(`${base}/api/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
        body: JSON.stringify({ connectionId: sharedConnection, sql: 'select 1 as x', notebookId })
      });
      await r.arrayBuffer();
      expect(r.status).toBe(200);
      return r.headers.get('x-cairn-run-id')!;
    };
    sharedRun = await run(sharedNotebook);
    unsharedRun = await run(unsharedNotebook);

    const upload = async (body: string) => {
      const r = await fetch(`${base}/api/files`, { method: 'POST', headers: { authorization: `Bearer ${owner}`, 'x-file-name': 'a.csv', 'content-type': 'text/csv' }, body });
      expect(r.status).toBe(201);
      return ((await r.json()) as { hash: string }).hash;
    };
    sharedFile = await upload('x\n1\n');
    unsharedFile = await upload('y\n2\n');
    const writer = connectClient(srv.ws, sharedNotebook, owner);
    await synced(writer);
    writer.doc.getMap('files').set('a', { hash: sharedFile, name: 'a.csv', size: 4, type: 'text/csv' });
    await new Promise((r) => setTimeout(r, 200));
    writer.destroy();

    const publish = async (notebookId: string, visibility: string) => {
      // One result each report serves (`/api/reports/:slug/cells/answer.json`).
      const author = connectClient(srv.ws, notebookId, owner);
      await synced(author);
      insertCell(author.doc, { id: ANSWER_CELL, kind: 'sql', name: 'answer', engine: 'browser', source: 'select 42 as answer' });
      await new Promise((r) => setTimeout(r, 200));
      author.destroy();
      const r = await api(base, 'POST', `/api/notebooks/${notebookId}/publish`, { token: owner, body: { visibility, members: [] } });
      expect(r.status).toBe(200);
      return r.body.slug as string;
    };
    // Own notebooks get the same cell, so `/api/notebooks/:id/results/:cellId` has a result in each.
    for (const a of ['root', 'owner', 'admin', 'editor'] as const) {
      const author = connectClient(srv.ws, own[a]!, users[a].token);
      await synced(author);
      insertCell(author.doc, { id: ANSWER_CELL, kind: 'sql', name: 'answer', engine: 'browser', source: 'select 42 as answer' });
      await new Promise((r) => setTimeout(r, 200));
      author.destroy();
    }
    sharedReport = await publish(sharedNotebook, 'workspace');
    unsharedReport = await publish(unsharedNotebook, 'members');
    // Alerts straight into the store: these reports have no cells for the API to accept one on.
    const { db, config } = srv.cairn.context;
    const alertOn = async (slug: string) => {
      const [report] = await db.query<{ id: string }>('select id from reports where slug = $1', [slug]);
      return createAlert(db, config.secretKey, report!.id, users.owner.user.id, { cell: 'x', name: 'x', condition: { fails: true }, webhook: null, webhookId: null });
    };
    sharedAlert = await alertOn(sharedReport);
    unsharedAlert = await alertOn(unsharedReport);
    const tokenOn = async (slug: string) => (await api(base, 'POST', `/api/reports/${slug}/tokens`, { token: owner, body: {} })).body.id as string;
    sharedReportToken = await tokenOn(sharedReport);
    unsharedReportToken = await tokenOn(unsharedReport);
    // Provenance: a recorded run in every notebook, and each report's `answer` as its page keys it.
    for (const notebookId of [sharedNotebook, unsharedNotebook, ...Object.values(own)]) {
      await srv.cairn.context.runHistory.record({
        notebookId,
        resultKey: notebookResult,
        cellId: 'c1',
        kind: 'sql',
        engine: 'browser',
        connectionId: null,
        source: 'select 1',
        params: {},
        inputs: [],
        userId: users.owner.user.id,
        at: new Date(),
        durationMs: 1,
        rows: 1,
        resultHash: 'b'.repeat(64),
        runId: null,
        computed: true
      });
    }
    for (const [resource, slug] of [['shared', sharedReport], ['unshared', unsharedReport]] as const) {
      const page = await api(base, 'GET', `/api/reports/${slug}/page`, { token: owner });
      reportResult[resource] = page.body.cells.find((c: { name: string }) => c.name === 'answer').resultKey;
    }
    const hook = await api(base, 'POST', '/api/workspaces/default/webhooks', { token: users.root.token, body: { name: 'Team', url: 'https://hooks.example.com/team' } });
    expect(hook.status).toBe(201);
    webhookId = hook.body.id;

    for (const id of [sharedNotebook, unsharedNotebook, ...Object.values(own)]) {
      const v = await api(base, 'POST', `/api/notebooks/${id}/versions`, { token: users.root.token, body: { label: 'fixture' } });
      expect(v.status).toBe(201);
      versionOf.set(id, v.body.id);
    }
    const propose = async (origin: string, general: 'edit' | 'none') => {
      const fork = await api(base, 'POST', `/api/notebooks/${origin}/fork`, { token: owner });
      expect(fork.status).toBe(201);
      expect((await api(base, 'PUT', `/api/notebooks/${fork.body.id}/access`, { token: owner, body: { general, grants: [] } })).status).toBe(200);
      const p = await api(base, 'POST', `/api/notebooks/${fork.body.id}/proposals`, { token: owner, body: { title: 'A change' } });
      expect(p.status).toBe(201);
      return p.body.id as string;
    };
    sharedProposal = await propose(sharedNotebook, 'edit');
    unsharedProposal = await propose(unsharedNotebook, 'none');
    const commentOn = async (notebookId: string) => {
      const view = await api(base, 'GET', `/api/notebooks/${notebookId}`, { token: owner });
      const r = await api(base, 'POST', `/api/notebooks/${notebookId}/comments`, { token: owner, body: { cellId: view.body.cells[0].id, body: 'Why 42?' } });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    sharedComment = await commentOn(sharedNotebook);
    unsharedComment = await commentOn(unsharedNotebook);

    const inv = await api(base, 'POST', '/api/workspaces/default/invitations', { token: users.root.token, body: { role: 'viewer', uses: 5 } });
    invitationId = inv.body.id;
    invitationToken = inv.body.token;
  }, 120_000);

  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  /** The concrete path for a route, one actor and one resource. */
  function fill(path: string, rule: Rule, actor: Actor, resource: Resource): string | null {
    return path.replace(/:([A-Za-z]+)/g, (_, key: string) => {
      if (key === 'id') {
        switch (rule.kind) {
          case 'notebook':
            if (resource === 'own') return own[actor] ?? sharedNotebook;
            return resource === 'shared' ? sharedNotebook : unsharedNotebook;
          case 'workspace':
            return resource === 'own' ? 'default' : otherWorkspace;
          case 'connection':
            return resource === 'shared' ? sharedConnection : unsharedConnection;
          case 'run':
            return resource === 'shared' ? sharedRun : unsharedRun;
          case 'user':
            return 'no-such-session';
          case 'comment':
            return resource === 'shared' ? sharedComment : unsharedComment;
          case 'proposal':
            return resource === 'shared' ? sharedProposal : unsharedProposal;
        }
      }
      if (key === 'versionId') return versionOf.get(fill('/:id', rule, actor, resource)!.slice(1)) ?? 'no-version';
      if (key === 'hash') return resource === 'shared' ? sharedFile : unsharedFile;
      if (key === 'slug') return resource === 'shared' ? sharedReport : unsharedReport;
      if (key === 'userId') return users.editor.user.id;
      if (key === 'invId') return invitationId;
      if (key === 'alertId') return resource === 'shared' ? sharedAlert : unsharedAlert;
      if (key === 'tokenId') return resource === 'shared' ? sharedReportToken : unsharedReportToken;
      if (key === 'webhookId') return webhookId;
      if (key === 'token') return invitationToken;
      if (key === 'file') return 'airports.csv';
      if (key === 'cellFile') return 'answer.json';
      if (key === 'resultKey') return rule.kind === 'report' ? reportResult[resource]! : notebookResult;
      if (key === 'cellId') return ANSWER_CELL;
      throw new Error(`no matrix fixture for ${path} (parameter :${key}, rule ${rule.kind})`);
    });
  }

  it('every route gives every caller what the access rules say', async () => {
    const routes = srv.cairn.router.routes();
    expect(routes.length).toBeGreaterThan(30);
    const deps = {
      db: srv.cairn.context.db,
      signupOpen: false,
      notebookHoldsFile: (n: string, h: string) => srv.cairn.context.notebooks.holdsFile(n, h)
    };
    const failures: string[] = [];
    let cases = 0;
    for (const route of routes) {
      if (route.rule.kind === 'public') continue; // checked below, without a session
      for (const actor of ACTORS) {
        for (const resource of resourcesFor(route.rule)) {
          // Viewers and outsiders own no notebook in the default workspace.
          if (route.rule.kind === 'notebook' && resource === 'own' && !own[actor] && actor !== 'anon' && actor !== 'expired') continue;
          const path = fill(route.path, route.rule, actor, resource)!;
          const want = expected(route.rule, actor, resource);
          const query = route.rule.kind === 'file' && resource === 'shared' ? `?notebook=${sharedNotebook}` : '';
          const url = new URL(path + query, srv.base);
          cases++;
          const where = `${route.method} ${route.path} as ${actor} on ${resource}`;
          if (want === 'ok') {
            const req = { method: route.method, headers: { authorization: `Bearer ${tokens[actor]}` } } as unknown as IncomingMessage;
            const concrete = path.split('/');
            const params = Object.fromEntries(route.path.split('/').flatMap((part, i) => (part.startsWith(':') ? [[part.slice(1), concrete[i]]] : [])));
            await authorize(route.rule, req, url, params, deps).catch((err: Error) => failures.push(`${where}: allowed by the rules but refused (${err.message})`));
            if (route.method === 'GET') {
              const r = await fetch(url, { headers: { authorization: `Bearer ${tokens[actor]}` } });
              // An event stream never ends by itself: its answering is enough.
              if (r.headers.get('content-type')?.startsWith('text/event-stream')) await r.body?.cancel();
              else await r.arrayBuffer();
              if (r.status !== 200) failures.push(`${where}: expected 200 over HTTP, got ${r.status}`);
            }
          } else {
            const r = await api(srv.base, route.method, path + query, { token: tokens[actor], body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
            if (r.status !== want) failures.push(`${where}: expected ${want}, got ${r.status} ${JSON.stringify(r.body?.error ?? r.body).slice(0, 120)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    // The note on the issue reports this number.
    console.log(`authorization matrix: ${cases} REST cases over ${routes.length} routes`);
    expect(cases).toBeGreaterThan(400);
  }, 300_000);

  it('public routes answer without a session, and say why they are public', async () => {
    const publicRoutes = srv.cairn.router.routes().filter((r) => r.rule.kind === 'public');
    for (const route of publicRoutes) expect((route.rule as { why: string }).why.length).toBeGreaterThanOrEqual(10);
    expect(publicRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      ['GET /api/invitations/:token', 'GET /healthz', 'GET /samples/:file', 'GET /sandbox.html', 'POST /api/auth/login', 'POST /api/auth/logout', 'POST /api/auth/signup'].sort()
    );
    expect((await api(srv.base, 'GET', `/api/invitations/${invitationToken}`)).status).toBe(200);
    expect((await api(srv.base, 'GET', '/api/invitations/not-a-token')).status).toBe(404);
  });

  it('the socket gives every caller what the access rules say: connect, read, write', async () => {
    let cases = 0;
    for (const actor of ACTORS) {
      for (const resource of ['shared', 'unshared'] as const) {
        cases++;
        const id = resource === 'shared' ? sharedNotebook : unsharedNotebook;
        const client = connectClient(srv.ws, id, tokens[actor]);
        client.provider.maxBackoffTime = 60_000;
        const access = notebookAccess(actor, resource);
        const where = `socket as ${actor} on ${resource}`;
        try {
          if (actor === 'anon' || actor === 'expired') {
            await waitFor(() => client.closes.includes(4401), `${where}: 4401`);
          } else if (!access.read) {
            await waitFor(() => client.closes.includes(4404), `${where}: 4404`);
            expect(cellsOf(client.doc).size, where).toBe(0);
          } else {
            await synced(client);
            expect(client.doc.getMap('meta').get('title'), where).toBe(resource === 'shared' ? 'Shared' : 'Unshared');
            client.provider.shouldConnect = false;
            const cell = insertCell(client.doc, { kind: 'sql', source: `-- ${actor}` });
            if (access.edit) {
              await new Promise((r) => setTimeout(r, 300));
              expect(client.closes, where).toEqual([]);
              const view = await api(srv.base, 'GET', `/api/notebooks/${id}`, { token: users.owner.token });
              expect(view.body.cells.map((c: { id: string }) => c.id), where).toContain(cell);
            } else {
              await waitFor(() => client.closes.includes(4403), `${where}: 4403 on a write`);
              const view = await api(srv.base, 'GET', `/api/notebooks/${id}`, { token: users.owner.token });
              expect(view.body.cells.map((c: { id: string }) => c.id), where).not.toContain(cell);
            }
          }
        } finally {
          client.destroy();
        }
      }
    }
    expect(cases).toBe(16);
  }, 120_000);
});
