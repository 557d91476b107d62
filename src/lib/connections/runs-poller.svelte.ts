/**
 * A runs list that refreshes itself every few seconds while something shows it (and the
 * tab is visible), newest first as `GET /api/runs` answers.
 */
import type { RunView, WarehouseApi } from '$lib/warehouse';
import { messageOf, warehouse } from './client';

export interface RunsFilter {
  notebookId?: string;
  connectionId?: string;
  limit?: number;
}

export class RunsPoller {
  runs = $state.raw<RunView[]>([]);
  loaded = $state(false);
  error = $state('');
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = true;
  #inFlight = false;

  constructor(
    private readonly filter: RunsFilter,
    private readonly intervalMs = 3000,
    /** The client to list with (one acting in a notebook's workspace, say). */
    private readonly api: WarehouseApi = warehouse
  ) {}

  /** Start polling now; call the returned function to stop (a Svelte effect's cleanup). */
  start(): () => void {
    this.#stopped = false;
    void this.refresh();
    return () => this.stop();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Fetch once now (and schedule the next one while started). */
  async refresh(): Promise<void> {
    if (this.#inFlight) return;
    this.#inFlight = true;
    if (this.#timer) clearTimeout(this.#timer);
    try {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') {
        this.runs = await this.api.listRuns({ limit: 100, ...this.filter });
        this.error = '';
      }
    } catch (e) {
      this.error = `Could not load runs: ${messageOf(e)}`;
    } finally {
      this.loaded = true;
      this.#inFlight = false;
      if (!this.#stopped) this.#timer = setTimeout(() => void this.refresh(), this.intervalMs);
    }
  }

  /** Ask the server to stop a queued or running run, then refresh. */
  async cancel(id: string): Promise<void> {
    try {
      await warehouse.cancelRun(id);
    } catch (e) {
      this.error = `Could not cancel the run: ${messageOf(e)}`;
    }
    await this.refresh();
  }
}
