/** Published reports (docs/api.md, "Reports"): bodies the server validates and answers both sides read. */
import { z } from 'zod';
import type { CellKind, ConfigValue } from '../doc/schema.js';

export const REPORT_VISIBILITIES = ['public', 'workspace', 'members'] as const;
export type ReportVisibility = (typeof REPORT_VISIBILITIES)[number];

/** A refresh schedule: five cron fields, or `@hourly` / `@daily`. */
const SCHEDULE = /^(@hourly|@daily|(\S+\s+){4}\S+)$/;

export const PublishBody = z.object({
  visibility: z.enum(REPORT_VISIBILITIES),
  members: z.array(z.string().min(1).max(100)).max(500).optional(),
  refresh: z
    .object({
      ttlMinutes: z.number().int().min(1).max(60 * 24 * 365).optional(),
      schedule: z.string().trim().max(100).regex(SCHEDULE, 'must be five cron fields, @hourly or @daily').optional(),
      timezone: z
        .string()
        .max(64)
        .refine((zone) => isTimeZone(zone), 'is not an IANA time zone')
        .optional()
    })
    .optional()
});
export type PublishBody = z.infer<typeof PublishBody>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `POST /api/notebooks/:id/publish`'s answer. */
export interface Published {
  slug: string;
  url: string;
  version: number;
  publishedAt: string;
}

/** `GET /api/notebooks/:id/publish`: what is live, when and by whom (null when unpublished). */
export interface PublishState {
  report: (Published & { visibility: ReportVisibility; members: string[]; refresh: NonNullable<PublishBody['refresh']>; publishedBy: { id: string; name: string } | null }) | null;
}

/** A cell as a report shows it: hidden cells are absent, `source` only where the code is shown (text cells always). */
export interface ReportCell {
  id: string;
  kind: CellKind;
  name: string;
  source?: string;
  config?: Record<string, ConfigValue>;
}

/** An input a report reader may set. */
export interface ReportInput {
  name: string;
  type: string;
  value: ConfigValue;
  options?: ConfigValue[];
}

/** `GET /api/reports/:slug`. */
export interface ReportView {
  slug: string;
  title: string;
  version: number;
  publishedAt: string;
  cells: ReportCell[];
  inputs: ReportInput[];
}

/** The first rows of a result, as the report page shows them before any script runs. */
export interface ResultPreview {
  columns: { name: string; type: string }[];
  /** Plain JSON values, as the `.json` endpoint writes them (big integers and decimals as text). */
  rows: unknown[][];
  /** Rows in the whole result. */
  rowCount: number;
  /** ISO time the result was computed. */
  resultAt: string;
}

/** A shown cell on the report page: its result, or why there is none. */
export interface ReportPageCell extends ReportCell {
  result?: ResultPreview;
  error?: { code: string; message: string };
  /** A chart's source columns (name and Arrow type), so the reader's browser can compile it. */
  chartColumns?: { name: string; type: string }[];
  /** Set when the last refresh of this result failed and an older result stands. */
  refreshError?: string;
  /**
   * A JS cell's code, which runs in the reader's sandbox (docs/api.md: JS cells run in the
   * reader's browser) and so reaches the browser even where the author did not show it.
   */
  script?: string;
  /** The key of the result shown (with the page's input values): its provenance card's address. */
  resultKey?: string;
}

/** `GET /api/reports/:slug/page`: what the server-rendered report page paints. */
export interface ReportPageData {
  slug: string;
  title: string;
  version: number;
  publishedAt: string;
  cells: ReportPageCell[];
  inputs: ReportInput[];
  /** The inputs as set for this page (published values, then the reader's), by name. */
  values: Record<string, ConfigValue>;
  /** The reader edits the report's notebook, so may manage the report (always false without a session). */
  canManage: boolean;
}
