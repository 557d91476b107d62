/**
 * `/api/notebooks/:id/versions`, `/restore`, `/diff` and `/attribution`: a notebook's
 * history. Readers browse and diff it; editors name versions and restore.
 */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';
import { AppError } from '../../errors.js';
import { RestoreBody, VersionCreateBody, type VersionList } from '../../../src/lib/contract/index.js';
import { listVersions, peopleNamed, versionInfo, versionSnapshots, clientOwners } from '../../history/repository.js';
import { restoreVersion } from '../../history/restore.js';
import { attributeCells, ItemDates } from '../../history/attribution.js';
import { forkRow } from '../../history/forks.js';

const VERSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function historyRoutes(router: Router, app: AppContext): void {
  const { db, config, versions, collab } = app;

  router.add('GET', '/api/notebooks/:id/versions', allow.notebook('read'), async ({ res, params }) => {
    const list = await listVersions(db, params.id);
    const body: VersionList = { versions: list, people: await peopleNamed(db, list.flatMap((v) => v.authors)) };
    sendJson(res, 200, body);
  });

  router.add('POST', '/api/notebooks/:id/versions', allow.notebook('edit'), async ({ req, res, params, session }) => {
    const { label } = validate(VersionCreateBody, await readJson(req, config.maxBodyBytes));
    const version = await versions.cut(params.id, { kind: 'named', label, by: [session.user.id], always: true });
    sendJson(res, 201, { id: version!.id });
  });

  router.add('GET', '/api/notebooks/:id/versions/:versionId', allow.notebook('read'), async ({ res, params }) => {
    if (!VERSION_ID.test(params.versionId)) throw new AppError('not_found', 'No such version of this notebook.');
    const { version, title, cells } = await versions.at(params.id, params.versionId);
    const fork = await forkRow(db, params.id);
    sendJson(res, 200, {
      id: params.id,
      title,
      updatedAt: version.at,
      forkedFrom: fork?.originId ? { id: fork.originId, versionId: fork.baseVersionId } : null,
      cells,
      version: versionInfo(version)
    });
  });

  router.add('POST', '/api/notebooks/:id/restore', allow.notebook('edit'), async ({ req, res, params, session }) => {
    const { versionId } = validate(RestoreBody, await readJson(req, config.maxBodyBytes));
    const made = await restoreVersion(app, params.id, versionId, session.user.id);
    sendJson(res, 200, { versionId: made.id });
  });

  router.add('GET', '/api/notebooks/:id/diff', allow.notebook('read'), async ({ res, params, url }) => {
    const from = url.searchParams.get('from') || null;
    const to = url.searchParams.get('to') || 'current';
    for (const v of [from, to]) if (v && v !== 'current' && !VERSION_ID.test(v)) throw new AppError('not_found', 'No such version of this notebook.');
    if (from === 'current') throw new AppError('bad_request', 'Diff from a version: ?from=<versionId>&to=<versionId>|current.');
    sendJson(res, 200, await versions.diff(params.id, from, to));
  });

  router.add('GET', '/api/notebooks/:id/attribution', allow.notebook('read'), async ({ res, params }) => {
    const [owners, snapshots] = await Promise.all([clientOwners(db, params.id), versionSnapshots(db, params.id)]);
    const cells = await collab.withRoom(params.id, (room) => attributeCells(room.doc, owners, new ItemDates(snapshots)));
    const people = await peopleNamed(db, cells.flatMap((c) => [c.by, ...(c.lines ?? [])]).filter((v): v is string => typeof v === 'string'));
    sendJson(res, 200, { cells, people });
  });
}
