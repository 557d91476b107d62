/**
 * The report the benchmark reads, made through the real API as an author would: sign up
 * (the first account owns the instance), add a server DuckDB connection, write the cells
 * over the collaboration socket, publish it publicly (which computes and caches results).
 */
import { insertCell } from '../../src/lib/doc/index.js';
import { connectClient, synced } from '../../tests/support/yclient.js';

export const EMAIL = 'report-bench@example.com';
export const PASSWORD = 'correct horse battery';

/** The three server cells (aggregations that take real time on the server's DuckDB) and a chart over one. */
export const SERVER_CELLS: { name: string; source: string }[] = [
  { name: 'by_origin', source: 'select origin, count(*)::integer as flights, round(avg(delay), 2) as avg_delay from flights_3m group by origin order by flights desc limit 40' },
  { name: 'routes', source: 'select origin, destination, count(*)::integer as flights, round(avg(distance), 1) as distance from flights_3m group by origin, destination order by flights desc limit 40' },
  { name: 'by_distance', source: 'select (distance // 250 * 250)::integer as band, count(*)::integer as flights, round(avg(delay), 2) as avg_delay from flights_200k group by band order by band' }
];
export const CHART = { name: 'delay_chart', config: { source: 'by_distance', mark: 'bar', x: 'band', y: 'flights', aggregate: 'sum' } };
/** Every cell whose result the pages show. */
export const RESULT_CELLS = [...SERVER_CELLS.map((c) => c.name), CHART.name];

export interface PublishedReport {
  token: string;
  notebookId: string;
  slug: string;
  connectionId: string;
  publishMs: number;
}

async function api<T>(base: string, method: string, path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body)
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Make and publish the report on the server at `base` (collaboration socket `ws`). */
export async function publishReport(base: string, ws: string): Promise<PublishedReport> {
  const { token } = await api<{ token: string }>(base, 'POST', '/api/auth/signup', { email: EMAIL, password: PASSWORD, name: 'Report bench' });
  const { id: connectionId } = await api<{ id: string }>(base, 'POST', '/api/connections', { name: 'Server DuckDB', kind: 'duckdb', config: {} }, token);
  const { id: notebookId } = await api<{ id: string }>(base, 'POST', '/api/notebooks', { title: 'Flights report' }, token);

  const script = connectClient(ws, notebookId, token);
  await synced(script);
  for (const cell of SERVER_CELLS) insertCell(script.doc, { kind: 'sql', name: cell.name, engine: connectionId, source: cell.source });
  insertCell(script.doc, { kind: 'chart', name: CHART.name, config: CHART.config });
  await new Promise((r) => setTimeout(r, 300)); // let the server store the last update before the socket closes
  script.destroy();

  const t0 = performance.now();
  const { slug } = await api<{ slug: string }>(base, 'POST', `/api/notebooks/${notebookId}/publish`, { visibility: 'public' }, token);
  return { token, notebookId, slug, connectionId, publishMs: performance.now() - t0 };
}
