/**
 * Proposals: a fork's editors propose its changes to the origin; readers of either side
 * read it; the origin's editors merge or close it (and its author may close it).
 */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, readOptionalJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';
import { notebookStanding } from '../../access/policy.js';
import { ProposalCommentBody, ProposalCreateBody, ProposalMergeBody, type CommentList, type ProposalDetail } from '../../../src/lib/contract/index.js';
import { proposalsOf, summaryOf } from '../../history/proposal-repository.js';

export function proposalRoutes(router: Router, app: AppContext): void {
  const { db, config, proposals } = app;

  router.add('POST', '/api/notebooks/:id/proposals', allow.notebook('edit'), async ({ req, res, params, session }) => {
    const body = validate(ProposalCreateBody, await readJson(req, config.maxBodyBytes));
    const mayReadOrigin = async (originId: string) => Boolean((await notebookStanding(db, session.user.id, originId))?.access);
    const id = await proposals.create(params.id, session.user.id, body.title, body.description ?? '', mayReadOrigin);
    sendJson(res, 201, { id });
  });

  router.add('GET', '/api/notebooks/:id/proposals', allow.notebook('read'), async ({ res, params }) => {
    const rows = await proposalsOf(db, params.id);
    // A proposal from a fork the caller cannot read still shows on the origin: its title and
    // author are part of the origin's review, and its diff is about the origin's cells.
    sendJson(res, 200, { proposals: rows.map(summaryOf) });
  });

  router.add('GET', '/api/proposals/:id', allow.proposal('read'), async ({ res, params, session, proposal }) => {
    const row = await proposals.get(params.id);
    const diff = await proposals.diff(row);
    const titles = await db.query<{ id: string; title: string }>('select id, title from notebooks where id = any($1::text[])', [[row.origin, row.fork]]);
    const title = (id: string) => titles.find((t) => t.id === id)?.title ?? '';
    const detail: ProposalDetail = {
      ...summaryOf(row),
      description: row.description,
      diff,
      mergedBy: row.mergedBy,
      mergeVersionId: row.mergeVersionId,
      canMerge: row.state === 'open' && proposal.editsOrigin,
      canClose: row.state === 'open' && (proposal.editsOrigin || row.author === session.user.id),
      originTitle: title(row.origin),
      forkTitle: title(row.fork)
    };
    sendJson(res, 200, detail);
  });

  router.add('POST', '/api/proposals/:id/merge', allow.proposal('merge'), async ({ req, res, params, session }) => {
    const body = validate(ProposalMergeBody, await readOptionalJson(req, config.maxBodyBytes));
    const version = await proposals.merge(params.id, session.user.id, body.keep ?? []);
    sendJson(res, 200, { versionId: version.id });
  });

  router.add('POST', '/api/proposals/:id/close', allow.proposal('close'), async ({ res, params }) => {
    await proposals.close(params.id);
    sendJson(res, 200, { ok: true });
  });

  // The discussion is kept with the origin's comments (deleted with it), apart from its cells' threads.
  router.add('GET', '/api/proposals/:id/comments', allow.proposal('read'), async ({ res, proposal }) => {
    const list: CommentList = { comments: await app.comments.list(proposal.originId, proposal.id) };
    sendJson(res, 200, list);
  });

  // Whoever may read the proposal discusses it, as readers comment on notebooks.
  router.add('POST', '/api/proposals/:id/comments', allow.proposal('read'), async ({ req, res, session, proposal }) => {
    const body = validate(ProposalCommentBody, await readJson(req, config.maxBodyBytes));
    const rows = await db.query<{ workspace_id: string }>('select workspace_id from notebooks where id = $1', [proposal.originId]);
    const comment = await app.comments.create({ ...body, notebookId: proposal.originId, workspaceId: rows[0]!.workspace_id, authorId: session.user.id, proposalId: proposal.id });
    sendJson(res, 201, { id: comment.id, comment });
  });
}
