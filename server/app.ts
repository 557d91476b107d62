/**
 * The Cairn server: one HTTP server on one port for the REST API, the collaboration
 * websocket and the SvelteKit pages.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Config } from './config.js';
import { openStore } from './store/index.js';
import { FileUpdateLog } from './store/file-update-log.js';
import { SqlUpdateLog } from './store/sql-update-log.js';
import type { UpdateLog } from './store/update-log.js';
import { CollabServer } from './collab/server.js';
import { cairnCollabHooks } from './notebooks/collab-hooks.js';
import { NotebookService } from './notebooks/service.js';
import { NotebookEvents } from './notebooks/events.js';
import { CommentService } from './comments/service.js';
import { commentRoutes } from './http/routes/comments.js';
import { notebookEventRoutes } from './http/routes/notebook-events.js';
import { notebookStanding } from './access/policy.js';
import { sessionLive } from './auth/sessions.js';
import { Router } from './http/router.js';
import { sendError, sendJson } from './http/respond.js';
import { HttpError } from './http/errors.js';
import { PublicSite } from './http/public-site.js';
import { refusal, refuseUpgrade } from './http/request-guard.js';
import { API_CSP, setCommonHeaders } from './http/security-headers.js';
import { allowFraming, isEmbedPath } from './http/embed-framing.js';
import { PageCache } from './http/page-cache.js';
import { sandboxRoutes } from './http/routes/sandbox.js';
import { SANDBOX_PATH } from '../src/lib/sandbox/document.js';
import { authRoutes } from './http/routes/auth.js';
import { notebookRoutes } from './http/routes/notebooks.js';
import { notebookResultRoutes } from './http/routes/notebook-results.js';
import { reportRoutes } from './http/routes/reports.js';
import { ReportService } from './reports/service.js';
import { ReportResults } from './reports/results.js';
import { CellCompute } from './results/cell-compute.js';
import { NotebookResults } from './results/notebook-results.js';
import { ReportRateLimits } from './reports/rate-limits.js';
import { NodeSqlParser } from '../kernels/duckdb-node/sql-parser.js';
import { reportAlertRoutes } from './http/routes/report-alerts.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import { ReportRefresher } from './reports/refresher.js';
import { RefreshScheduler } from './reports/scheduler.js';
import { AlertDeliveries } from './reports/alert-delivery.js';
import type { ComputeReport } from './reports/refresh.js';
import { healthRoutes } from './http/routes/health.js';
import { fileRoutes } from './http/routes/files.js';
import { sampleRoutes } from './http/routes/samples.js';
import { FileStore } from './files/file-store.js';
import { connectionRoutes } from './http/routes/connections.js';
import { queryRoutes } from './http/routes/query.js';
import { provenanceRoutes } from './http/routes/provenance.js';
import { workspaceRoutes } from './http/routes/workspaces.js';
import { authorize } from './access/rules.js';
import { AuthRateLimits } from './auth/rate-limits.js';
import { purgeExpiredSessions } from './auth/sessions.js';
import { ConnectionRepository } from './connections/repository.js';
import { ConnectionService } from './connections/service.js';
import { EngineRegistry } from './connections/engines.js';
import { CairnConnections } from './connections/cairn-connection.js';
import { QueryService } from './query/service.js';
import { RunLog } from './query/run-log.js';
import { RunHistory } from './provenance/run-history.js';
import { ResultCache } from './query/result-cache.js';
import type { AppContext } from './context.js';
import { Authorship } from './history/authorship.js';
import { VersionService } from './history/versions.js';
import { ForkService } from './history/forks.js';
import { ProposalService } from './history/proposals.js';
import { historyRoutes } from './http/routes/history.js';
import { forkRoutes } from './http/routes/forks.js';
import { proposalRoutes } from './http/routes/proposals.js';
import { logger } from './log.js';

const log = logger('server');

/** The header SvelteKit reads the page's protocol from when no public URL is set (server/main.ts). */
export const PROTOCOL_HEADER = 'x-cairn-page-protocol';

/** Serves what the API does not: the built SvelteKit app, or vite's dev middleware. */
export type PageHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface CairnServer {
  server: Server;
  context: AppContext;
  /** The routes and their access rules (tests check each against every kind of caller). */
  router: Router;
  /** Start listening; resolves with the bound port. */
  listen(): Promise<number>;
  /** Flush and close every room, the store and the listener. */
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Pages; omitted in API-only tests. */
  pages?: PageHandler;
  /** How long an empty room stays loaded (tests shorten it). */
  roomIdleMs?: number;
  /** What computes a report's results on refresh (tests pass their own). */
  computeReport?: ComputeReport;
}

export async function createCairnServer(config: Config, options: ServerOptions = {}): Promise<CairnServer> {
  const db = await openStore(config);
  // The port is known once listening (tests bind port 0); no request arrives before that.
  const site = new PublicSite(config.publicUrl, () => {
    const address = server.address();
    return typeof address === 'object' && address ? address.port : config.port;
  });
  // Embedded: an append-only file per notebook (see file-update-log.ts); a real Postgres is
  // shared by several processes, so there the log is a table.
  const updateLog: UpdateLog = config.databaseUrl ? new SqlUpdateLog(db) : new FileUpdateLog(join(config.dataDir, 'updates'), db);
  const authorship = new Authorship(db);
  // Versions read the live document through the collaboration server, which in turn tells
  // them about edits: the closure resolves `collab` once it exists.
  const rooms: Pick<CollabServer, 'withRoom'> = { withRoom: (id, fn) => collab.withRoom(id, fn) };
  const versions = new VersionService(db, updateLog, rooms, config.history, (id) => events.publish(id, { type: 'versions' }));
  const collab: CollabServer = new CollabServer(cairnCollabHooks(db, updateLog, site, { authorship, versions }), {
    maxFrameBytes: config.maxFrameBytes,
    idleMs: options.roomIdleMs,
    maxSocketsPerUser: config.limits.socketsPerUser,
    maxDocumentBytes: config.limits.documentBytes
  });
  // A reader keeps a notebook's event stream while their session lives and they may read it.
  const events = new NotebookEvents(
    async (listener, notebookId) => (await sessionLive(db, listener.sessionId)) && Boolean((await notebookStanding(db, listener.userId, notebookId))?.access),
    config.limits.socketsPerUser
  );
  const runLog = new RunLog(db);
  const runHistory = new RunHistory(db);
  const connections = new ConnectionService(db, new ConnectionRepository(db, config.secretKey), new EngineRegistry(config.dataDir), new CairnConnections(db, runLog));
  const queries = new QueryService(
    (workspaceId, id, viewer) => connections.resolve(workspaceId, id, viewer),
    runLog,
    new ResultCache(db, join(config.dataDir, 'results'), config.resultCacheBytes),
    undefined,
    runHistory
  );
  const sqlParser = new NodeSqlParser();
  const cellCompute = new CellCompute(queries, connections);
  const reportResults = new ReportResults(db, cellCompute, connections, sqlParser);
  // Tests pass their own computation; servers recompute through the results code (the cache bypassed).
  const computeReport: ComputeReport = options.computeReport ?? reportResults.computeAll;
  const deliveries = new AlertDeliveries(db, config.secretKey, config.refresh);
  const refresher = new ReportRefresher(db, computeReport, deliveries, (path) => site.link(path, undefined));
  const scheduler = new RefreshScheduler(db, (report, reason) => refresher.refresh(report, reason), { intervalMs: config.refresh.schedulerIntervalMs });
  const context: AppContext = {
    config,
    db,
    updateLog,
    collab,
    notebooks: new NotebookService(db, updateLog, collab, events),
    events,
    comments: new CommentService(db, collab, events),
    authorship,
    versions,
    forks: new ForkService(db, updateLog, collab, versions, authorship),
    proposals: new ProposalService(db, collab, versions, authorship),
    reports: new ReportService(db, collab),
    reportPages: new PageCache(),
    reportResults,
    notebookResults: new NotebookResults(collab, cellCompute, sqlParser),
    reportLimits: new ReportRateLimits(config.reportLimits),
    refresher,
    files: new FileStore(join(config.dataDir, 'files'), config.maxUploadBytes),
    connections,
    queries,
    runHistory,
    rateLimits: new AuthRateLimits({
      loginFailuresPerAccount: config.limits.loginFailuresPerAccount,
      loginFailuresPerIp: config.limits.loginFailuresPerAccount * 10,
      signupsPerIp: config.limits.signupsPerIp
    }),
    site
  };

  const ruleDeps = {
    db,
    signupOpen: config.signup === 'open',
    notebookHoldsFile: (notebookId: string, hash: string) => context.notebooks.holdsFile(notebookId, hash)
  };
  const router = new Router((rule, ctx) => authorize(rule, ctx.req, ctx.url, ctx.params, ruleDeps));
  authRoutes(router, context);
  workspaceRoutes(router, context);
  notebookRoutes(router, context);
  commentRoutes(router, context);
  notebookEventRoutes(router, context);
  historyRoutes(router, context);
  forkRoutes(router, context);
  proposalRoutes(router, context);
  notebookResultRoutes(router, context);
  reportRoutes(router, context);
  reportAlertRoutes(router, context);
  webhookRoutes(router, context);
  healthRoutes(router, context);
  fileRoutes(router, context);
  connectionRoutes(router, context);
  queryRoutes(router, context);
  provenanceRoutes(router, context);
  sampleRoutes(router);
  sandboxRoutes(router, site);

  const pageCache = context.reportPages;
  const servePage = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    if (isEmbedPath(url.pathname)) allowFraming(res);
    // This server speaks plain HTTP; see server/main.ts (a proxy in front sets CAIRN_PUBLIC_URL).
    req.headers[PROTOCOL_HEADER] = 'http';
    options.pages!(req, res, () => sendJson(res, 404, { error: { code: 'not_found', message: 'Not found.' } }));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    setCommonHeaders(res);
    const url = requestUrl(req);
    const refused = refusal(site, req, url.pathname);
    if (refused) return sendError(res, refused);
    const isApi = url.pathname.startsWith('/api/') || url.pathname.startsWith('/samples/') || url.pathname === '/healthz' || url.pathname === SANDBOX_PATH;
    if (!isApi && options.pages) {
      if (url.pathname.startsWith('/r/')) {
        // A report page is a read like its endpoints: the same limit per address.
        context.reportLimits
          .take(req)
          .then(async () => {
            const cacheable = PageCache.cacheable(req, url.pathname);
            const key = url.pathname + url.search;
            if (cacheable && (await pageCache.serve(req, res, key))) return;
            if (cacheable) pageCache.record(req, res, key);
            servePage(req, res, url);
          })
          .catch((err) => sendError(res, err));
        return;
      }
      servePage(req, res, url);
      return;
    }
    // Set before routing: routes that write their own headers (the sandbox document) replace it.
    res.setHeader('content-security-policy', API_CSP);
    const match = router.match(req.method ?? 'GET', url.pathname);
    if (match === null) return sendJson(res, 404, { error: { code: 'not_found', message: `No route for ${url.pathname}.` } });
    if (match === 'method') return sendJson(res, 405, { error: { code: 'method_not_allowed', message: `${req.method} is not allowed on ${url.pathname}.` } });
    if (match === 'bad_path') return sendJson(res, 400, { error: { code: 'bad_request', message: 'The URL path is not valid percent-encoding.' } });
    match.run({ req, res, url }).catch((err) => sendError(res, err));
  };
  const server = createServer((req, res) => {
    // Whatever a request looks like, it gets an answer and the process keeps serving.
    try {
      handle(req, res);
    } catch (err) {
      sendError(res, err);
    }
  });
  // Idle keep-alive sockets are closed by the client first: browsers and fetch give up after
  // about 4 s, well inside this. With Node's 5 s default a busy server's late timer could
  // close a socket just as a client reused it, and that request failed with ECONNRESET.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('upgrade', (req, socket, head) => {
    try {
      const url = requestUrl(req);
      const refused = refusal(site, req, url.pathname);
      if (refused) refuseUpgrade(socket, refused);
      else if (CollabServer.matches(url.pathname)) collab.handleUpgrade(req, socket, head);
      else refuseUpgrade(socket, new HttpError(404, 'not_found', `No socket at ${url.pathname}.`));
    } catch (err) {
      if (!(err instanceof HttpError)) log.error('websocket upgrade failed', { err });
      refuseUpgrade(socket, err instanceof HttpError ? err : new HttpError(500, 'internal', 'The upgrade failed on the server; it has been logged.'));
    }
  });
  server.on('clientError', (err, socket) => {
    log.debug('client error', { err });
    socket.destroy();
  });

  // Sessions past their expiry or idle limit are deleted hourly (they are refused before that).
  const purge = () => purgeExpiredSessions(db).catch((err) => log.warn('purging expired sessions failed', { err }));
  void purge();
  const purgeTimer = setInterval(purge, 60 * 60 * 1000);
  purgeTimer.unref();

  return {
    server,
    context,
    router,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          // Due refreshes start once the server answers (those missed while it was down first).
          scheduler.start();
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : config.port);
        });
      }),
    async close() {
      clearInterval(purgeTimer);
      // Refreshes in flight finish and notifications record their end before the store closes.
      await scheduler.stop();
      await refresher.settle();
      await deliveries.close();
      await collab.close();
      versions.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connections.close();
      await sqlParser.close();
      await updateLog.close();
      await db.close();
    }
  };
}

/** The request's URL; a request target no URL parser accepts is the client's error. */
function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    throw new HttpError(400, 'bad_request', 'The request target is not a valid URL.');
  }
}
