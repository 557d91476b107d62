/**
 * Publishing notebooks as reports (docs/api.md, "Reports"): a report is pinned to the
 * notebook's Yjs state at the moment it was published, and read back from that state —
 * hidden cells left out, code only where the author chose to show it.
 */
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import type { Queryable } from '../store/index.js';
import type { CollabServer } from '../collab/server.js';
import { cellsToJSON, readTitle } from '../../src/lib/doc/index.js';
import type { Published, PublishBody, PublishState, ReportCell, ReportInput, ReportView } from '../../src/lib/contract/index.js';
import type { CellJSON, ConfigValue } from '../../src/lib/doc/index.js';
import { checkSchedule } from './schedule.js';
import { reportMembers, reportOfNotebook, reportSnapshot, unpublishReport, upsertReport, type ReportRow } from './repository.js';

/** `Quarterly revenue` → `quarterly-revenue-4k2q7x`: readable, and not guessable from the title alone. */
export function newSlug(title: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const suffix = randomBytes(6).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 6).padEnd(6, '0');
  return words ? `${words}-${suffix}` : `report-${suffix}`;
}

export class ReportService {
  constructor(
    private readonly db: Queryable,
    private readonly collab: CollabServer
  ) {}

  /** Publish notebook `notebookId` as it is now (again: same slug, next version). */
  async publish(notebookId: string, workspaceId: string, userId: string, body: PublishBody): Promise<ReportRow> {
    if (body.refresh?.schedule) checkSchedule(body.refresh.schedule, body.refresh.timezone);
    const { snapshot, title } = await this.collab.withRoom(notebookId, (room) => ({ snapshot: Y.encodeStateAsUpdate(room.doc), title: readTitle(room.doc) }));
    return upsertReport(
      this.db,
      {
        notebookId,
        workspaceId,
        title: title || 'Untitled report',
        visibility: body.visibility,
        refresh: body.refresh ?? {},
        snapshot,
        publishedBy: userId,
        members: body.visibility === 'members' ? (body.members ?? []) : []
      },
      () => newSlug(title)
    );
  }

  unpublish(notebookId: string): Promise<boolean> {
    return unpublishReport(this.db, notebookId);
  }

  /** What is live for a notebook, for its author's publish dialog; `link` makes a path absolute. */
  async state(notebookId: string, link: (path: string) => string): Promise<PublishState> {
    const report = await reportOfNotebook(this.db, notebookId);
    if (!report || !report.live) return { report: null };
    return {
      report: {
        ...summary(report, link),
        visibility: report.visibility,
        members: await reportMembers(this.db, report.id),
        refresh: report.refresh,
        publishedBy: report.publishedBy ? { id: report.publishedBy, name: report.publishedByName ?? '' } : null
      }
    };
  }

  /** The code of the report's shown JS cells by cell id: it runs in each reader's sandbox. */
  async scripts(report: ReportRow): Promise<Map<string, string>> {
    const cells = await this.cells(report);
    return new Map(cells.flatMap((c) => (c.kind === 'js' && !c.hidden ? [[c.id, c.source ?? '']] : [])));
  }

  /** A published version never changes: its cells are read from the snapshot once. */
  private readonly versions = new Map<string, Promise<CellJSON[]>>();

  private cells(report: ReportRow): Promise<CellJSON[]> {
    const key = `${report.id}@${report.version}`;
    let cells = this.versions.get(key);
    if (!cells) {
      cells = reportSnapshot(this.db, report.id).then((snapshot) => {
        const doc = new Y.Doc();
        Y.applyUpdate(doc, snapshot);
        const out = cellsToJSON(doc);
        doc.destroy();
        return out;
      });
      cells.catch(() => this.versions.delete(key));
      if (this.versions.size >= 200) this.versions.delete(this.versions.keys().next().value!);
      this.versions.set(key, cells);
    }
    return cells;
  }

  /** The report as readers see it: from its snapshot, hidden cells absent, code only where shown. */
  async view(report: ReportRow): Promise<ReportView> {
    const cells: ReportCell[] = [];
    const inputs: ReportInput[] = [];
    for (const cell of await this.cells(report)) {
      if (cell.hidden) continue;
      const shown: ReportCell = { id: cell.id, kind: cell.kind, name: cell.name };
      // Text is the report's prose; SQL and JS code only where the author chose to show it.
      if (cell.kind === 'text' || (cell.showCode && cell.source !== null)) shown.source = cell.source ?? '';
      if (cell.config) shown.config = cell.config;
      cells.push(shown);
      if (cell.kind === 'input' && cell.config) inputs.push(inputOf(cell.name, cell.config));
    }
    return { slug: report.slug, title: report.title, version: report.version, publishedAt: report.publishedAt.toISOString(), cells, inputs };
  }
}

/** `POST …/publish`'s answer for `report`. */
export function summary(report: ReportRow, link: (path: string) => string): Published {
  return { slug: report.slug, url: link(`/r/${report.slug}`), version: report.version, publishedAt: report.publishedAt.toISOString() };
}

function inputOf(name: string, config: Record<string, ConfigValue>): ReportInput {
  const input: ReportInput = { name, type: typeof config.type === 'string' ? config.type : 'text', value: config.value ?? null };
  if (Array.isArray(config.options)) input.options = config.options as ConfigValue[];
  return input;
}
