// An embeddable view of a report, or of one of its cells (`?cell=name`); the server lets
// only these pages be framed by other sites (server/http/embed-framing.ts).
import { error } from '@sveltejs/kit';
import { loadReport } from '$lib/report/load';
import type { PageLoad } from './$types';

export const ssr = true;

export const load: PageLoad = async ({ fetch, params, url }) => {
  const cell = url.searchParams.get('cell');
  const inputs = new URLSearchParams(url.searchParams);
  inputs.delete('cell');
  const query = inputs.toString();
  const page = await loadReport(fetch, params.slug, query ? `?${query}` : '');
  if (cell !== null && !page.cells.some((c) => c.name === cell && c.kind !== 'text')) error(404, `No shown cell called ${cell} in this report.`);
  return { page, cell };
};
