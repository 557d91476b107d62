/**
 * Cairn's collaboration hooks: sessions authenticate sockets, the shared access check
 * authorizes them, the update log persists documents, and the title is mirrored into the
 * notebooks table for listings.
 */
import type * as Y from 'yjs';
import type { Db } from '../store/index.js';
import type { UpdateLog } from '../store/update-log.js';
import type { CollabHooks } from '../collab/hooks.js';
import type { PublicSite } from '../http/public-site.js';
import { sessionForToken } from '../auth/sessions.js';
import { tokenFromRequest } from '../auth/tokens.js';
import { notebookStanding } from '../access/policy.js';
import { runAuthors } from './run-attribution.js';
import { touchNotebook } from './repository.js';
import { readTitle } from '../../src/lib/doc/index.js';
import { logger } from '../log.js';
import type { Authorship } from '../history/authorship.js';
import type { VersionService } from '../history/versions.js';

const log = logger('collab');

/** Listings need the title and time, not every keystroke: write at most this often per notebook. */
const MIRROR_EVERY_MS = 2000;

/** History's part in the collaboration path: who wrote each update, and when to cut versions. */
export interface HistoryHooks {
  authorship: Authorship;
  versions: VersionService;
}

export function cairnCollabHooks(db: Db, updateLog: UpdateLog, site: PublicSite, history: HistoryHooks): CollabHooks {
  const mirrored = new Map<string, { title: string; timer: NodeJS.Timeout | null; dirty: boolean }>();

  async function mirror(name: string, doc: Y.Doc): Promise<void> {
    const state = mirrored.get(name);
    if (!state) return;
    state.dirty = false;
    const title = readTitle(doc);
    const changedTitle = title !== state.title;
    state.title = title;
    await touchNotebook(db, name, changedTitle ? title : null).catch((err) => log.error('could not mirror the notebook title', { room: name, err }));
  }

  return {
    async authenticate(request, url) {
      const token = tokenFromRequest(request, url);
      if (!token) return null;
      // A socket authenticated by the browser's cookie must come from Cairn's own pages:
      // another site (or another port on the same host) must not ride the cookie in. No
      // Origin at all is a non-browser client.
      const origin = request.headers.origin;
      if (!url.searchParams.has('token') && !request.headers.authorization && origin !== undefined && !site.allowsOrigin(origin)) return null;
      const session = await sessionForToken(db, token);
      return session ? { userId: session.user.id, name: session.user.name, sessionId: session.id } : null;
    },
    async authorize(principal, name) {
      const standing = await notebookStanding(db, principal.userId, name);
      return standing?.access ?? 'missing';
    },
    admit(principal, doc, update, name) {
      // A shared run names who started it; only its starter's own name is accepted.
      const forged = runAuthors(doc, update).find((by) => by !== principal.name);
      if (forged !== undefined) return `a run must be started in your own name, not "${forged.slice(0, 40)}"`;
      const refused = history.authorship.admit(name, principal.userId, doc, update);
      if (refused) return refused;
      history.versions.noteEdit(name, principal.userId);
      return null;
    },
    async load(name) {
      const [updates] = await Promise.all([updateLog.load(name), history.authorship.load(name)]);
      return updates;
    },
    store: (name, updates) => updateLog.append(name, updates),
    compact: (name) => updateLog.compact(name),
    changed(name, doc) {
      let state = mirrored.get(name);
      if (!state) {
        state = { title: '\u0000unknown', timer: null, dirty: false };
        mirrored.set(name, state);
      }
      state.dirty = true;
      if (state.timer) return;
      const s = state;
      s.timer = setTimeout(() => {
        s.timer = null;
        void mirror(name, doc);
      }, MIRROR_EVERY_MS);
      s.timer.unref();
    },
    async unloaded(name, doc) {
      history.authorship.forget(name);
      await history.versions.flush(name, doc);
      const state = mirrored.get(name);
      if (!state) return;
      if (state.timer) clearTimeout(state.timer);
      if (state.dirty) await mirror(name, doc);
      mirrored.delete(name);
    }
  };
}
