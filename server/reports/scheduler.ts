/**
 * Scheduled report refresh. Every process polls the store (no timer per report): due
 * reports are claimed in one transaction with `for update skip locked`, and in that same
 * transaction each claimed report's `next_refresh_at` moves to its policy's next *future*
 * time — so processes sharing a Postgres never run one due refresh twice, and refreshes
 * missed while no server ran happen once at start, not once per missed occurrence. The
 * refresh itself runs after the commit. The price: a process that dies between the claim
 * and the refresh loses that one occurrence; the next one comes on schedule.
 */
import type { Db } from '../store/index.js';
import { reportById, type ReportRow } from './repository.js';
import { nextRefreshAt, type RefreshPolicy } from './schedule.js';
import type { RefreshReason } from './refresh.js';
import { logger } from '../log.js';

const log = logger('scheduler');

export interface SchedulerOptions {
  /** How often to look for due reports. */
  intervalMs: number;
  /** Most refreshes this process runs at once (each poll claims at most the free slots). */
  maxRunning?: number;
}

export class RefreshScheduler {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private ticking: Promise<string[]> | null = null;
  private readonly running = new Set<Promise<void>>();
  private readonly maxRunning: number;

  constructor(
    private readonly db: Db,
    private readonly refresh: (report: ReportRow, reason: RefreshReason) => Promise<unknown>,
    private readonly options: SchedulerOptions
  ) {
    this.maxRunning = options.maxRunning ?? 4;
  }

  /** Start polling; the first poll is now, so what came due while no server ran goes first. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop();
  }

  /** Stop polling and wait for the refreshes this process started. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking?.catch(() => undefined);
    await this.settled();
  }

  /**
   * One poll: claim the due reports (up to the free slots) and start refreshing them.
   * Resolves with the claimed ids once they are started (see {@link settled}).
   */
  async tick(): Promise<string[]> {
    const free = this.maxRunning - this.running.size;
    if (free <= 0) return [];
    const claimed = await this.claim(free);
    for (const id of claimed) {
      const run = this.run(id).finally(() => this.running.delete(run));
      this.running.add(run);
    }
    return claimed;
  }

  /** Resolves when every refresh started so far has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private loop(): void {
    if (this.stopped) return;
    this.ticking = this.tick();
    this.ticking
      .catch((err) => log.error('looking for due report refreshes failed', { err }))
      .finally(() => {
        this.ticking = null;
        if (this.stopped) return;
        this.timer = setTimeout(() => this.loop(), this.options.intervalMs);
        this.timer.unref();
      });
  }

  /** Claim up to `limit` due reports and advance their next refresh, in one transaction. */
  private claim(limit: number): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      // The database's clock, not this process's: every process agrees on what is due.
      const rows = await tx.query<{ id: string; refresh: RefreshPolicy | string; now: Date | string }>(
        `select id, refresh, now() as now from reports
         where next_refresh_at <= now() and unpublished_at is null
         order by next_refresh_at limit $1 for update skip locked`,
        [limit]
      );
      for (const row of rows) {
        const policy: RefreshPolicy = typeof row.refresh === 'string' ? JSON.parse(row.refresh) : (row.refresh ?? {});
        let next: Date | null = null;
        try {
          next = nextRefreshAt(policy, new Date(row.now));
        } catch (err) {
          // Published schedules were checked; one that no longer parses stops, and says so.
          log.error('a report refresh schedule does not parse; scheduled refresh stops', { report: row.id, err });
        }
        await tx.query('update reports set next_refresh_at = $2 where id = $1', [row.id, next]);
      }
      return rows.map((r) => r.id);
    });
  }

  private async run(id: string): Promise<void> {
    try {
      const report = await reportById(this.db, id);
      if (report) await this.refresh(report, 'schedule');
    } catch (err) {
      log.error('scheduled report refresh failed', { report: id, err });
    }
  }
}
