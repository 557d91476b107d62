/**
 * The "Flights" sample notebook, seeded once per workspace: an analysis over the bundled
 * `flights_200k` and `airports` tables that shows SQL cells building on each other, a
 * JavaScript cell, charts and prose.
 */
import type * as Y from 'yjs';
import { insertCell, setProseMarkdown } from '../../src/lib/doc/index.js';

export const FLIGHTS_TITLE = 'Flights';

/** Write the sample's cells into a fresh document. */
export function writeFlightsSample(doc: Y.Doc): void {
  doc.transact(() => {
    text(
      doc,
      `# Flights\n\nTwo hundred thousand US domestic flights, bundled as the \`flights_200k\` table: departure **time** (hour of day), **delay** (minutes) and **distance** (miles). Each cell names its result, and later cells use it by that name — edit one and run it, and the cells that depend on it run again.`
    );
    insertCell(doc, {
      kind: 'sql',
      name: 'by_hour',
      source: `-- Flights and average delay for each hour of the day\nselect floor(time)::int as hour,\n       count(*) as flights,\n       round(avg(delay), 1) as avg_delay\nfrom flights_200k\ngroup by 1\norder by 1`
    });
    insertCell(doc, {
      kind: 'chart',
      name: 'delay_by_hour',
      config: { source: 'by_hour', mark: 'line', x: 'hour', y: 'avg_delay', aggregate: 'mean', title: 'Average delay by hour of departure (minutes)' }
    });
    insertCell(doc, {
      kind: 'js',
      name: 'worst_hour',
      source: `// The hour with the longest average delay, read from the by_hour result\nconst rows = by_hour.toArray();\nconst worst = rows.reduce((a, b) => (b.avg_delay > a.avg_delay ? b : a));\n\`Worst hour to fly: \${worst.hour}:00, \${worst.avg_delay} min late on average\``
    });
    insertCell(doc, {
      kind: 'sql',
      name: 'by_distance',
      source: `-- Do long flights make up time in the air?\nselect case when distance < 500 then '1 short (< 500 mi)'\n            when distance < 1500 then '2 medium'\n            else '3 long (1500+ mi)' end as haul,\n       count(*) as flights,\n       round(avg(delay), 1) as avg_delay,\n       quantile_cont(delay, 0.9) as p90_delay\nfrom flights_200k\ngroup by 1\norder by 1`
    });
    text(doc, `## Airports\n\nThe \`airports\` table lists every airport with its state. Which states have the most?`);
    insertCell(doc, {
      kind: 'sql',
      name: 'airports_by_state',
      source: `select state, count(*) as airports\nfrom airports\nwhere country = 'USA'\ngroup by state\norder by airports desc\nlimit 15`
    });
    insertCell(doc, {
      kind: 'chart',
      name: 'airports_chart',
      config: { source: 'airports_by_state', mark: 'bar', x: 'state', y: 'airports', aggregate: 'sum', sort: '-y', title: 'Airports per state (top 15)' }
    });
  });
}

function text(doc: Y.Doc, markdown: string): void {
  const id = insertCell(doc, { kind: 'text' });
  setProseMarkdown(doc, id, markdown);
}
