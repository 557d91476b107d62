/** A chart over made-up aggregated data, for the dev page and screenshots (no engine needed). */
import { tableFromArrays, type Table } from 'apache-arrow';
import { compileChart, type CompiledChart, type ChartError } from './compile.js';

/** A stacked binned area chart's config, and a result table shaped like its query's. */
export function demoChart(): { chart: CompiledChart | { error: ChartError }; table: Table } {
  const chart = compileChart(
    { mark: 'area', x: 'date', y: 'precipitation', color: 'weather', aggregate: 'sum', bin: 24, title: 'Seattle: precipitation by weather (demo data)' },
    [{ name: 'date', type: 'DATE' }, { name: 'precipitation', type: 'DOUBLE' }, { name: 'weather', type: 'VARCHAR' }],
    'seattle_weather'
  );
  const kinds = ['drizzle', 'rain', 'snow', 'fog', 'sun'];
  const x1: number[] = [], x2: number[] = [], color: string[] = [], y: number[] = [];
  for (let m = 0; m < 24; m++) {
    for (const [k, kind] of kinds.entries()) {
      x1.push(Date.UTC(2014, m, 1));
      x2.push(Date.UTC(2014, m + 1, 1));
      color.push(kind);
      y.push(Math.max(0, (k === 1 ? 60 : 12 - k) * (1.2 + Math.cos((m / 12) * 2 * Math.PI)) + ((m * 7 + k * 3) % 5)));
    }
  }
  return { chart, table: tableFromArrays({ x1: Float64Array.from(x1), x2: Float64Array.from(x2), color, y: Float64Array.from(y) }) };
}
