/** What request handlers and hooks share: settings and the long-lived services. */
import type { Config } from './config.js';
import type { Db } from './store/index.js';
import type { UpdateLog } from './store/update-log.js';
import type { CollabServer } from './collab/server.js';
import type { NotebookService } from './notebooks/service.js';
import type { FileStore } from './files/file-store.js';
import type { ConnectionService } from './connections/service.js';
import type { QueryService } from './query/service.js';
import type { RunHistory } from './provenance/run-history.js';
import type { AuthRateLimits } from './auth/rate-limits.js';
import type { PublicSite } from './http/public-site.js';
import type { ReportService } from './reports/service.js';
import type { ReportResults } from './reports/results.js';
import type { NotebookResults } from './results/notebook-results.js';
import type { ReportRateLimits } from './reports/rate-limits.js';
import type { PageCache } from './http/page-cache.js';
import type { ReportRefresher } from './reports/refresher.js';
import type { NotebookEvents } from './notebooks/events.js';
import type { CommentService } from './comments/service.js';
import type { Authorship } from './history/authorship.js';
import type { VersionService } from './history/versions.js';
import type { ForkService } from './history/forks.js';
import type { ProposalService } from './history/proposals.js';

export interface AppContext {
  config: Config;
  db: Db;
  updateLog: UpdateLog;
  collab: CollabServer;
  notebooks: NotebookService;
  /** Each notebook's live event channel: `events.publish(notebookId, {type, ...})` reaches its open readers. */
  events: NotebookEvents;
  comments: CommentService;
  /** Which user wrote each Yjs item. */
  authorship: Authorship;
  /** History: versions cut from the live document, read against the stored log. */
  versions: VersionService;
  forks: ForkService;
  proposals: ProposalService;
  reports: ReportService;
  /** Published reports' results, computed on the server and cached. */
  reportResults: ReportResults;
  /** Notebooks' last results, for a page's first paint. */
  notebookResults: NotebookResults;
  /** Public report pages, rendered once every few seconds. */
  reportPages: PageCache;
  /** How often one address or report token may read reports. */
  reportLimits: ReportRateLimits;
  /** Refreshes a report now: computes it, records each cell's outcome, checks its alerts. */
  refresher: ReportRefresher;
  files: FileStore;
  connections: ConnectionService;
  queries: QueryService;
  /** Each notebook's run history by result key (provenance). */
  runHistory: RunHistory;
  rateLimits: AuthRateLimits;
  /** The names and origins this server answers to. */
  site: PublicSite;
}
