/**
 * What bench/open opens: the Flights sample (seeded for the first account) and a notebook
 * of five browser-engine cells over `flights_3m`, written over the collaboration socket as
 * an author would; Flights is also published, for the report page the notebook page is
 * compared with.
 */
import { insertCell } from '../../src/lib/doc/index.js';
import { connectClient, synced } from '../../tests/support/yclient.js';

export const EMAIL = 'open-bench@example.com';
export const PASSWORD = 'correct horse battery';

/** Flights' cells with a result the server paints (its SQL and charts); the charts draw SVG. */
export const FLIGHTS_CELLS = ['by_hour', 'delay_by_hour', 'by_distance', 'airports_by_state', 'airports_chart'];
export const FLIGHTS_CHARTS = ['delay_by_hour', 'airports_chart'];

/** Five browser cells over the 3M-row sample. */
export const FIVE_CELLS: { name: string; source: string }[] = [
  { name: 'by_origin', source: 'select origin, count(*)::integer as flights, round(avg(delay), 2) as avg_delay from flights_3m group by origin order by flights desc limit 40' },
  { name: 'routes', source: 'select origin, destination, count(*)::integer as flights from flights_3m group by origin, destination order by flights desc limit 40' },
  { name: 'by_band', source: 'select (distance // 250 * 250)::integer as band, count(*)::integer as flights from flights_3m group by band order by band' },
  { name: 'late', source: 'select count(*)::integer as late, round(avg(delay), 2) as avg_late from flights_3m where delay > 15' },
  { name: 'by_month', source: 'select month(date)::integer as month, count(*)::integer as flights, round(avg(delay), 1) as avg_delay from flights_3m group by 1 order by 1' }
];

export interface BenchNotebooks {
  token: string;
  flightsId: string;
  fiveId: string;
  reportSlug: string;
}

async function api<T>(base: string, method: string, path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Sign up, find Flights, write the five-cell notebook, publish Flights. */
export async function makeNotebooks(base: string, ws: string): Promise<BenchNotebooks> {
  const { token } = await api<{ token: string }>(base, 'POST', '/api/auth/signup', { email: EMAIL, password: PASSWORD, name: 'Open bench' });
  const { notebooks } = await api<{ notebooks: { id: string; title: string }[] }>(base, 'GET', '/api/notebooks', undefined, token);
  const flightsId = notebooks.find((n) => n.title === 'Flights')!.id;
  const { id: fiveId } = await api<{ id: string }>(base, 'POST', '/api/notebooks', { title: 'Five over flights_3m' }, token);
  const script = connectClient(ws, fiveId, token);
  await synced(script);
  for (const cell of FIVE_CELLS) insertCell(script.doc, { kind: 'sql', name: cell.name, source: cell.source });
  await new Promise((r) => setTimeout(r, 300)); // let the server store the last update before the socket closes
  script.destroy();
  const { slug } = await api<{ slug: string }>(base, 'POST', `/api/notebooks/${flightsId}/publish`, { visibility: 'public' }, token);
  return { token, flightsId, fiveId, reportSlug: slug };
}
