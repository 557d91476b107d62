/**
 * How a page's provenance cards find what they show: the notebook page answers from the
 * notebook's run history and opens runs in its Runs panel; a report page answers from the
 * report's, where code the author hid stays hidden.
 */
import { getContext, setContext } from 'svelte';
import type { Provenance } from '$lib/contract/provenance';

export interface ProvenanceSource {
  /** The provenance of a result on this page (rejects with a 404 ApiError when no recorded run made it). */
  load: (resultKey: string) => Promise<Provenance>;
  /** Show a server run's audit-log entry, where the page has one. */
  openRun?: (runId: string) => void;
  /** A connection's name for people, where the page knows it. */
  connectionName?: (connectionId: string) => string;
}

const KEY = Symbol('cairn-provenance');

/** Give the page's cards their source (call while the page component initialises). */
export function setProvenanceSource(source: ProvenanceSource): void {
  setContext(KEY, source);
}

/** The page's provenance source, or undefined on a page without one (no card is offered there). */
export function getProvenanceSource(): ProvenanceSource | undefined {
  return getContext<ProvenanceSource | undefined>(KEY);
}
