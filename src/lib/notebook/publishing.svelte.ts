/**
 * A notebook's published report as its author's page knows it: what is live (version, link,
 * who published it) and the calls that change it. The header's badge and the publish dialog
 * share one instance. Only the latest load is kept, so a slow answer never overwrites a newer one.
 */
import { errorMessage, reports, type PublishBody, type Published, type PublishState } from '$lib/api';

/** The live report of a notebook, as `GET /api/notebooks/:id/publish` describes it. */
export type LiveReport = NonNullable<PublishState['report']>;

export class Publishing {
  /** What is live; null when unpublished (or not loaded yet: see {@link loaded}). */
  report = $state.raw<LiveReport | null>(null);
  /** Whether {@link report} reflects an answer from the server. */
  loaded = $state(false);
  /** Why the last load failed ('' when it did not). */
  loadError = $state('');
  #seq = 0;

  constructor(readonly notebookId: string) {}

  /** Ask the server what is live now. Never throws: a failure is {@link loadError}. */
  async load(): Promise<void> {
    const seq = ++this.#seq;
    try {
      const state = await reports.state(this.notebookId);
      if (seq !== this.#seq) return;
      this.report = state.report;
      this.loaded = true;
      this.loadError = '';
    } catch (e) {
      if (seq !== this.#seq) return;
      console.warn('publishing: could not read the report state', e);
      this.loadError = errorMessage(e);
    }
  }

  /** Publish (or update) the report with `body`, then re-read what is live. Throws the server's ApiError. */
  async publish(body: PublishBody): Promise<Published> {
    const published = await reports.publish(this.notebookId, body);
    await this.load();
    return published;
  }

  /** Take the report down. Throws the server's ApiError. */
  async unpublish(): Promise<void> {
    await reports.unpublish(this.notebookId);
    ++this.#seq;
    this.report = null;
    this.loaded = true;
  }

  /** A new API token for the live report; its secret is answered only this once. */
  async createToken(): Promise<string> {
    if (!this.report) throw new Error('The notebook is not published.');
    return (await reports.createToken(this.report.slug)).token;
  }
}
