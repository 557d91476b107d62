/**
 * The history panel's state: the notebook's versions and their authors' names, reloaded
 * when the server announces a new version on the notebook's event channel (versions are cut
 * on the server after a pause in editing) and whenever that channel reconnects.
 */
import { errorMessage, history } from '$lib/api';
import type { HistoryPerson, VersionInfo } from '$lib/contract';
import type { NotebookEvents } from '$lib/notebook/events.svelte';

export class NotebookHistory {
  versions = $state.raw<VersionInfo[]>([]);
  people = $state.raw<Map<string, string>>(new Map());
  loaded = $state(false);
  error = $state('');

  constructor(readonly notebookId: string) {}

  async load(): Promise<void> {
    try {
      const list = await history.versions(this.notebookId);
      this.versions = list.versions;
      this.people = new Map([...this.people, ...list.people.map((p: HistoryPerson) => [p.id, p.name] as const)]);
      this.error = '';
    } catch (e) {
      this.error = errorMessage(e);
    } finally {
      this.loaded = true;
    }
  }

  /** Keep the list fresh while something shows it; returns the stop function. */
  watch(events: NotebookEvents | null): () => void {
    void this.load();
    if (!events) return () => undefined;
    const stops = [events.on('versions', () => void this.load()), events.onOpen(() => void this.load())];
    return () => stops.forEach((stop) => stop());
  }

  nameOf(userId: string | null): string {
    if (!userId) return 'someone';
    return this.people.get(userId) ?? 'a former member';
  }

  /** "Version 4" or its label. */
  title(v: VersionInfo): string {
    return v.label ?? `Version ${v.seq}`;
  }

  /** The version cut just before `v`, if any. */
  previous(v: VersionInfo): VersionInfo | null {
    const i = this.versions.findIndex((x) => x.id === v.id);
    return i >= 0 ? (this.versions[i + 1] ?? null) : null;
  }
}

/** "+2 ~1 −1 ↕1" for a version summary. */
export function summaryText(s: VersionInfo['summary']): string {
  const parts = [s.added ? `${s.added} added` : '', s.changed ? `${s.changed} changed` : '', s.removed ? `${s.removed} removed` : '', s.moved ? `${s.moved} moved` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'no cell changes';
}
