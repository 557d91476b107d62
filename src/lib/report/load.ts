/** The report page's data from `GET /api/reports/:slug/page`; its errors become the page's (404 for what the reader may not see). */
import { error } from '@sveltejs/kit';
import type { ReportPageData } from '../contract/reports.js';

export async function loadReport(fetcher: typeof fetch, slug: string, search: string): Promise<ReportPageData> {
  const res = await fetcher(`/api/reports/${encodeURIComponent(slug)}/page${search}`);
  if (res.ok) return (await res.json()) as ReportPageData;
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  error(res.status === 404 ? 404 : res.status, body?.error?.message ?? 'This report could not be loaded.');
}
