/**
 * Chart cells (src/lib/doc/schema.ts, "Chart cells"): a config becomes first a DuckDB aggregation over
 * the source table — grouped, binned, summarised — so a chart over millions of rows draws
 * thousands of marks, and then Observable Plot options over that small result.
 *
 * Result columns have fixed names (`x`, `x1`, `x2`, `y`, `color`, `facet`, …) and plain
 * types: measures are DOUBLE, times are DOUBLE milliseconds since the epoch (turned into
 * Dates for Plot), categories are VARCHAR — the same in every engine's Arrow.
 *
 * A DECIMAL measure is aggregated as DECIMAL (a sum of DECIMAL stays DECIMAL, exact), and
 * only then turned into a DOUBLE to draw; its exact text comes along (`y_exact`, `fill_exact`)
 * and is what the tooltip prints (docs/types.md, "In the browser").
 */
import * as Plot from '@observablehq/plot';
import { CHART_AGGREGATES, CHART_MARKS, type ConfigValue } from '../doc/schema.js';
import { columnKind, isDecimalType, quoteIdent, type ColumnKind } from './sql.js';

export type ChartMark = (typeof CHART_MARKS)[number];
export type ChartAggregate = (typeof CHART_AGGREGATES)[number];

/** A chart cell's config as stored (src/lib/doc/schema.ts: the chart `config` keys); absent and empty mean unset. */
export type ChartConfig = Partial<Record<'source' | 'mark' | 'x' | 'y' | 'color' | 'facet' | 'aggregate' | 'bin' | 'sort' | 'title', ConfigValue | undefined>>;

/** A column of the source table. */
export interface ChartColumn {
  name: string;
  type: string;
}

/** A config that cannot be drawn, and which key is at fault. */
export interface ChartError {
  message: string;
  field?: keyof ChartConfig;
}

/** How the chart looks where it is drawn. */
export interface ChartStyle {
  width?: number;
  dark?: boolean;
  /** The one colour of a chart without a color column. */
  color?: string;
}

/** A result table as any apache-arrow copy returns it (DuckDB-WASM nests its own). */
export interface ArrowLike {
  numRows: number;
  schema: { fields: { name: string }[] };
  getChild(name: string): { get(index: number): unknown } | null;
}

/** A compiled chart: the query to run, and Plot options for its result. */
export interface CompiledChart {
  sql: string;
  /** Positional parameters for `sql` (`$1`…); every value in the text is validated and inlined, so none today. */
  params: unknown[];
  /** True when the query draws a sample of raw rows rather than aggregates (a dot chart without aggregate). */
  sampled: boolean;
  /** The most rows the query returns. */
  rowLimit: number;
  plot(table: ArrowLike, style?: ChartStyle): Plot.PlotOptions;
}

/** Bins when `bin` is `true`; a number asks for about that many. */
export const DEFAULT_BINS = 40;
/** Raw points a dot chart without aggregate samples. */
export const DOT_SAMPLE = 10_000;
/** The most rows (groups) a chart query returns. */
export const ROW_LIMIT = 100_000;
const MAX_BINS = 1000;
const SORTS = ['', 'none', 'x', '-x', 'y', '-y', 'ascending', 'descending'] as const;

interface Field {
  name: string;
  sql: string;
  kind: ColumnKind;
  /** A DECIMAL column: aggregated as DECIMAL, never through a DOUBLE. */
  exact: boolean;
}

/** Compile a chart config over `sourceTable` whose columns are `columns`; a bad config is an error value. */
export function compileChart(config: ChartConfig, columns: ChartColumn[], sourceTable: string): CompiledChart | { error: ChartError } {
  try {
    return compile(config, columns, sourceTable);
  } catch (e) {
    if (e instanceof ConfigError) return { error: { message: e.message, field: e.field } };
    throw e;
  }
}

class ConfigError extends Error {
  constructor(message: string, readonly field?: keyof ChartConfig) {
    super(message);
  }
}

function text(value: ConfigValue | undefined): string {
  return value === null || value === undefined || value === false ? '' : String(value).trim();
}

function compile(config: ChartConfig, columns: ChartColumn[], sourceTable: string): CompiledChart {
  if (!sourceTable) throw new ConfigError('Choose a source table.', 'source');
  const mark = (text(config.mark) || 'bar') as ChartMark;
  if (!(CHART_MARKS as readonly string[]).includes(mark)) throw new ConfigError(`Unknown mark "${mark}": use one of ${CHART_MARKS.join(', ')}.`, 'mark');
  const aggregateText = text(config.aggregate);
  if (aggregateText && !(CHART_AGGREGATES as readonly string[]).includes(aggregateText)) {
    throw new ConfigError(`Unknown aggregate "${aggregateText}": use one of ${CHART_AGGREGATES.join(', ')}.`, 'aggregate');
  }
  const byName = new Map(columns.map((c) => [c.name, c]));
  const field = (key: 'x' | 'y' | 'color' | 'facet'): Field | null => {
    const name = text(config[key]);
    if (!name) return null;
    const column = byName.get(name);
    if (!column) throw new ConfigError(`Unknown column "${name}" for ${key}: ${sourceTable} has ${columns.map((c) => c.name).join(', ') || 'no columns'}.`, key);
    return { name, sql: quoteIdent(name), kind: columnKind(column.type), exact: isDecimalType(column.type) };
  };
  const x = field('x');
  const y = field('y');
  const color = field('color');
  const facet = field('facet');
  const sort = text(config.sort);
  if (!(SORTS as readonly string[]).includes(sort)) throw new ConfigError(`Unknown sort "${sort}": use x, -x, y or -y.`, 'sort');
  const bins = binCount(config.bin);
  const title = text(config.title) || undefined;

  if (mark !== 'box' && !x) throw new ConfigError(`A ${mark} chart needs an x column.`, 'x');
  if (bins && x && x.kind === 'nominal') throw new ConfigError(`Cannot bin x: "${x.name}" is not numeric or temporal.`, 'bin');

  const ctx: Ctx = { mark, x, y, color, facet, bins, sort, title, from: quoteIdent(sourceTable) };
  if (mark === 'box') return compileBox(ctx);
  if (mark === 'rect') return compileRect(ctx, aggregateText as ChartAggregate | '');
  return compileXY(ctx, aggregateText as ChartAggregate | '');
}

interface Ctx {
  mark: ChartMark;
  x: Field | null;
  y: Field | null;
  color: Field | null;
  facet: Field | null;
  bins: number;
  sort: string;
  title?: string;
  from: string;
}

function binCount(bin: ConfigValue | undefined): number {
  if (bin === true || bin === 'true') return DEFAULT_BINS;
  if (bin === null || bin === undefined || bin === false || bin === '' || bin === 'false' || bin === 0) return 0;
  const n = Number(bin);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BINS) throw new ConfigError(`bin must be true or a whole number of bins from 1 to ${MAX_BINS}, not ${JSON.stringify(bin)}.`, 'bin');
  return n;
}

/** A column as a plain value: DOUBLE, epoch milliseconds, or VARCHAR. */
function plain(f: Field): string {
  if (f.kind === 'quantitative') return `${f.sql}::DOUBLE`;
  if (f.kind === 'temporal') return `epoch_ms(${f.sql}::TIMESTAMP)::DOUBLE`;
  return `${f.sql}::VARCHAR`;
}

/**
 * A binned column. The bin origin and width (nice steps: 1, 2, 5 × 10^k; for times,
 * calendar-like steps, months and years by `date_trunc`) are computed once by a `set
 * variable` statement that runs before the query, so the query reads them as constants
 * rather than joining a one-row CTE to every row. Rows are grouped by `key`, a bin number
 * (for times: the bin start in milliseconds), and the edges computed from it per group.
 * Measured in Chromium over 1M rows (bench/chart): the join and the two DOUBLE edges per
 * row took 60 ms; this, 35–45 ms.
 */
interface Binned {
  /** The statement that sets the bin variable; the query's text starts with it. */
  setup: string;
  /** Per row: the bin's group key. */
  key: string;
  /** Per group: the bin's start and end, from the key column `k`. */
  x1(k: string): string;
  x2(k: string): string;
}

function binned(f: Field, bins: number, p: string, from: string): Binned {
  const name = `cairn_${p}bin`;
  const v = (prop: string) => `getvariable('${name}').${prop}`;
  if (f.kind === 'quantitative') {
    const value = `${f.sql}::DOUBLE`;
    const setup = `set variable ${name} = (
  select {lo: floor(lo / step) * step, step: step} from (
    select lo, case when raw <= 0 or raw is null then 1 else pow(10, floor(log10(raw))) * (case when raw / pow(10, floor(log10(raw))) <= 1 then 1 when raw / pow(10, floor(log10(raw))) <= 2 then 2 when raw / pow(10, floor(log10(raw))) <= 5 then 5 else 10 end) end as step
    from (select min(${value}) as lo, (max(${value}) - min(${value})) / ${bins} as raw from ${from})))`;
    return {
      setup,
      key: `floor((${value} - ${v('lo')}) / ${v('step')})::BIGINT`,
      x1: (k) => `(${v('lo')} + ${k} * ${v('step')})`,
      x2: (k) => `(${v('lo')} + (${k} + 1) * ${v('step')})`
    };
  }
  const t = `${f.sql}::TIMESTAMP`;
  const ms = `epoch_ms(${t})::DOUBLE`;
  // Steps in milliseconds; from a month on, calendar units.
  const steps = [1e3, 5e3, 15e3, 30e3, 60e3, 300e3, 900e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3, 7 * 86400e3];
  const choose = steps.map((s) => `when raw <= ${s} then ${s}`).join(' ');
  const setup = `set variable ${name} = (
  select {unit: case when raw <= ${7 * 86400e3} then 'ms' when raw <= ${31 * 86400e3} then 'month' when raw <= ${92 * 86400e3} then 'quarter' else 'year' end,
    step: case ${choose} else ${7 * 86400e3} end}
  from (select (max(${ms}) - min(${ms})) / ${bins} as raw from ${from}))`;
  const unit = v('unit');
  const step = v('step');
  return {
    setup,
    key: `(case ${unit} when 'ms' then floor(${ms} / ${step}) * ${step} else epoch_ms(date_trunc(${unit}, ${t}))::DOUBLE end)`,
    x1: (k) => k,
    x2: (k) =>
      `(case ${unit} when 'ms' then ${k} + ${step} else epoch_ms(make_timestamp((${k} * 1000)::BIGINT) + case ${unit} when 'month' then interval 1 month when 'quarter' then interval 3 month else interval 1 year end)::DOUBLE end)`
  };
}

/** Aggregates whose result over a DECIMAL is a DECIMAL (DuckDB's `avg` gives a DOUBLE). */
const EXACT_AGGREGATES: ReadonlySet<ChartAggregate> = new Set<ChartAggregate>(['sum', 'min', 'max', 'median']);

/** A measure as the aggregate reads it: a DECIMAL as it is, anything else as a plain value. */
function measure(f: Field): string {
  return f.exact ? f.sql : plain(f);
}

/**
 * The output columns for an aggregated measure `col`: the DOUBLE Plot draws and, when the
 * aggregate of a DECIMAL stays exact, its exact text as `<col>_exact` for the tooltip.
 */
function measureColumns(col: string, exact: boolean): string[] {
  return exact ? [`${col}::DOUBLE as ${col}`, `${col}::VARCHAR as ${col}_exact`] : [col];
}

/**
 * Mark options for tooltips: Plot's own, or, for an exact measure, the exact text under the
 * measure's label in place of the float (which Plot would print rounded).
 */
function tipOptions(channel: 'y' | 'fill', label: string, exact: boolean): { tip: Plot.TipOptions | true; channels?: Record<string, Plot.ChannelValue> } {
  if (!exact) return { tip: true };
  // A channel's key is its label in the tooltip.
  return { tip: { format: { [channel]: false } }, channels: { [label]: `${channel}_exact` } };
}

function aggregateSql(aggregate: ChartAggregate, value: string | null): string {
  switch (aggregate) {
    case 'count':
      return value ? `count(${value})::DOUBLE` : 'count(*)::DOUBLE';
    case 'mean':
      return `avg(${value})`;
    default:
      return `${aggregate}(${value})`;
  }
}

function requireMeasure(aggregate: ChartAggregate, f: Field | null, key: 'y' | 'color'): void {
  if (aggregate === 'count') return;
  if (!f) throw new ConfigError(`${aggregate} needs a ${key} column to aggregate.`, key);
  const ok = f.kind === 'quantitative' || ((aggregate === 'min' || aggregate === 'max' || aggregate === 'median') && f.kind === 'temporal');
  if (!ok) throw new ConfigError(`Cannot take the ${aggregate} of "${f.name}": it is not numeric.`, key);
}

/**
 * The query's head: the bin variables' statements, then `src` and the CTEs. `not
 * materialized`: a CTE read more than once (the box chart's `rows`) must not make DuckDB
 * copy the whole source into a temporary result first.
 */
function withClause(from: string, ctes: string[], setups: string[] = []): string {
  const src = `src as not materialized (select * from ${from})`;
  const head = setups.map((s) => `${s};\n`).join('');
  return `${head}with ${[src, ...ctes].join(',\n')}\n`;
}

/**
 * The aggregate an x/y chart draws: the config's, or else its default — a dot chart with a
 * y draws raw points (null), a chart without y counts rows, bars and areas add up y (a
 * stack is a sum), lines follow its mean.
 */
function xyAggregate(mark: ChartMark, hasY: boolean, aggregateText: ChartAggregate | ''): ChartAggregate | null {
  if (aggregateText) return aggregateText;
  if (mark === 'dot' && hasY) return null;
  return !hasY ? 'count' : mark === 'line' ? 'mean' : 'sum';
}

/**
 * What a chart's measure is, in the words its summary line uses (`sum(amount)`, `count`):
 * the same defaults as the drawing, so the two always agree.
 */
export function measureLabel(config: ChartConfig): string {
  const mark = (text(config.mark) || 'bar') as ChartMark;
  const y = text(config.y);
  const aggregateText = text(config.aggregate) as ChartAggregate | '';
  if (mark === 'box') return y ? `quartiles of ${y}` : 'quartiles';
  if (mark === 'rect') {
    const aggregate = aggregateText || 'count';
    return aggregate === 'count' ? 'count' : `${aggregate}(${text(config.color)})`;
  }
  const aggregate = xyAggregate(mark, y !== '', aggregateText);
  if (aggregate === null) return y;
  return aggregate === 'count' && !y ? 'count' : `${aggregate}(${y})`;
}

/** bar, line, area, dot: x (binned or not) against an aggregate of y, by color and facet. */
function compileXY(ctx: Ctx, aggregateText: ChartAggregate | ''): CompiledChart {
  const { mark, y, color, facet } = ctx;
  const x = ctx.x!;
  // Without an aggregate: a dot chart samples raw points; a chart without y counts rows;
  // bars and areas add up y (a stack is a sum), lines follow its mean.
  const chosen = xyAggregate(mark, y !== null, aggregateText);
  const raw = chosen === null;
  const aggregate: ChartAggregate = chosen ?? 'sum';
  if (!raw) requireMeasure(aggregate, y, 'y');
  const ctes: string[] = [];
  const cols: string[] = [];
  const where: string[] = [`${x.sql} is not null`];
  const bin = ctx.bins ? binned(x, ctx.bins, 'x', ctx.from) : null;
  cols.push(bin ? `${bin.key} as xk` : `${plain(x)} as x`);
  if (color) cols.push(`${plain(color)} as color`);
  if (facet) cols.push(`${plain(facet)} as facet`);
  if (y) cols.push(`${measure(y)} as yv`);
  if (y && (raw || aggregate !== 'count')) where.push(`${y.sql} is not null`);
  const exactY = !!y?.exact && (raw || EXACT_AGGREGATES.has(aggregate));
  ctes.push(`rows as (select ${cols.join(', ')} from src where ${where.join(' and ')})`);
  const dims = [bin ? 'xk' : 'x', color ? 'color' : '', facet ? 'facet' : ''].filter(Boolean);
  // The bin's edges are computed per group, after grouping by its key.
  const out = [...(bin ? [`${bin.x1('xk')} as x1`, `${bin.x2('xk')} as x2`] : ['x']), ...dims.slice(1), ...measureColumns('y', exactY)];
  let inner: string;
  if (raw) {
    inner = `select ${[...dims, 'yv as y'].join(', ')} from rows using sample reservoir(${DOT_SAMPLE} rows) repeatable (42)`;
  } else {
    inner = `select ${dims.join(', ')}, ${aggregateSql(aggregate, y ? 'yv' : null)} as y from rows group by all`;
  }
  const order = raw ? [] : [facet ? 'facet' : '', color ? 'color' : '', bin ? 'x1' : 'x'].filter(Boolean);
  const select = `select ${out.join(', ')} from (${inner})${order.length ? ` order by ${order.join(', ')} nulls last` : ''}${raw ? '' : ` limit ${ROW_LIMIT}`}`;
  const sql = withClause(ctx.from, ctes, bin ? [bin.setup] : []) + select;
  const yLabel = raw ? y!.name : aggregate === 'count' && !y ? 'count' : `${aggregate}(${y!.name})`;
  const temporal = new Set<string>();
  if (x.kind === 'temporal') ['x', 'x1', 'x2'].forEach((c) => temporal.add(c));
  if (y?.kind === 'temporal') temporal.add('y');

  return {
    sql,
    params: [],
    sampled: raw,
    rowLimit: raw ? DOT_SAMPLE : ROW_LIMIT,
    plot(table, style = {}) {
      const data = rowsOf(table, temporal);
      const single = style.color ?? 'currentColor';
      const fillOrColor = color ? 'color' : single;
      const channels = { fy: facet ? 'facet' : undefined, ...tipOptions('y', yLabel, exactY) };
      const sortOption = ordinalSort(ctx.sort, x.kind === 'nominal' && !bin);
      const xChannel = bin ? { x1: 'x1', x2: 'x2' } : { x: 'x' };
      const xMid = bin ? { x: (d: Record<string, unknown>) => midpoint(d.x1, d.x2) } : { x: 'x' };
      let marks: Plot.Markish[];
      switch (mark) {
        case 'bar':
          marks = [bin ? Plot.rectY(data, { ...xChannel, y: 'y', fill: fillOrColor, ...channels, inset: 0.5 }) : Plot.barY(data, { x: 'x', y: 'y', fill: fillOrColor, ...channels, sort: sortOption }), Plot.ruleY([0])];
          break;
        case 'area':
          marks = [Plot.areaY(data, { ...xMid, y: 'y', fill: fillOrColor, z: color ? 'color' : undefined, fillOpacity: 0.85, ...channels }), Plot.ruleY([0])];
          break;
        case 'line':
          marks = [Plot.lineY(data, { ...xMid, y: 'y', stroke: fillOrColor, z: color ? 'color' : undefined, strokeWidth: 1.75, ...channels })];
          break;
        default:
          marks = [Plot.dot(data, { ...xMid, y: 'y', fill: fillOrColor, r: raw ? 2 : 3, fillOpacity: raw ? 0.6 : 0.9, ...channels, sort: sortOption })];
      }
      return base(ctx, style, marks, {
        x: { label: x.name, ...(x.kind === 'temporal' ? { type: 'utc' as const } : {}) },
        y: { label: yLabel, grid: true, ...(y?.kind === 'temporal' && (raw || aggregate !== 'count') ? { type: 'utc' as const } : {}) },
        color: color ? { legend: true, label: color.name } : undefined
      });
    }
  };
}

/** rect: a heatmap over x and y (each binned when numeric or temporal), filled by count or an aggregate of color. */
function compileRect(ctx: Ctx, aggregateText: ChartAggregate | ''): CompiledChart {
  const x = ctx.x!;
  const y = ctx.y;
  if (!y) throw new ConfigError('A rect (heatmap) chart needs a y column.', 'y');
  const aggregate: ChartAggregate = aggregateText || 'count';
  const value = aggregate === 'count' ? null : ctx.color;
  if (aggregate !== 'count') requireMeasure(aggregate, ctx.color, 'color');
  const bins = ctx.bins || DEFAULT_BINS;
  const cols: string[] = [];
  const keys: string[] = [];
  const out: string[] = [];
  const order: string[] = [];
  const setups: string[] = [];
  const xb = x.kind === 'nominal' ? null : binned(x, bins, 'x', ctx.from);
  const yb = y.kind === 'nominal' ? null : binned(y, bins, 'y', ctx.from);
  // Each axis is either a bin (grouped by its key, drawn between its edges axis1 and axis2) or the value itself.
  for (const [axis, column, bin] of [['x', x, xb], ['y', y, yb]] as const) {
    if (bin) {
      setups.push(bin.setup);
      cols.push(`${bin.key} as ${axis}k`);
      keys.push(`${axis}k`);
      out.push(`${bin.x1(`${axis}k`)} as ${axis}1`, `${bin.x2(`${axis}k`)} as ${axis}2`);
      order.push(`${axis}1`);
    } else {
      cols.push(`${plain(column)} as ${axis}`);
      keys.push(axis);
      out.push(axis);
      order.push(axis);
    }
  }
  if (ctx.facet) {
    cols.push(`${plain(ctx.facet)} as facet`);
    keys.push('facet');
    out.push('facet');
    order.push('facet');
  }
  if (value) cols.push(`${measure(value)} as v`);
  const exactFill = !!value?.exact && EXACT_AGGREGATES.has(aggregate);
  const where = [`${x.sql} is not null`, `${y.sql} is not null`, ...(value ? [`${value.sql} is not null`] : [])];
  const rows = `rows as (select ${cols.join(', ')} from src where ${where.join(' and ')})`;
  const sql = `${withClause(ctx.from, [rows], setups)}select ${[...out, ...measureColumns('fill', exactFill)].join(', ')} from (select ${keys.join(', ')}, ${aggregateSql(aggregate, value ? 'v' : null)} as fill from rows group by all) order by ${order.join(', ')} limit ${ROW_LIMIT}`;
  const temporal = new Set<string>();
  if (x.kind === 'temporal') ['x', 'x1', 'x2'].forEach((c) => temporal.add(c));
  if (y.kind === 'temporal') ['y', 'y1', 'y2'].forEach((c) => temporal.add(c));
  const fillLabel = aggregate === 'count' ? 'count' : `${aggregate}(${value!.name})`;
  return {
    sql,
    params: [],
    sampled: false,
    rowLimit: ROW_LIMIT,
    plot(table, style = {}) {
      const data = rowsOf(table, temporal);
      const common = { fill: 'fill', fy: ctx.facet ? 'facet' : undefined, ...tipOptions('fill', fillLabel, exactFill) };
      const mark = xb && yb
        ? Plot.rect(data, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', ...common })
        : xb
          ? Plot.barX(data, { x1: 'x1', x2: 'x2', y: 'y', ...common })
          : yb
            ? Plot.barY(data, { x: 'x', y1: 'y1', y2: 'y2', ...common })
            : Plot.cell(data, { x: 'x', y: 'y', ...common });
      return base(ctx, style, [mark], {
        x: { label: x.name, ...(x.kind === 'temporal' ? { type: 'utc' as const } : {}) },
        y: { label: y.name, ...(y.kind === 'temporal' ? { type: 'utc' as const } : {}) },
        color: { legend: true, label: fillLabel, scheme: style.dark ? 'viridis' : 'ylgnbu' }
      });
    }
  };
}

/** box: per x (and color, facet) group, quartiles and 1.5 × IQR whiskers computed in SQL; drawn as rule + bar + tick. */
function compileBox(ctx: Ctx): CompiledChart {
  const { x, y, color, facet } = ctx;
  if (!y) throw new ConfigError('A box chart needs a numeric y column.', 'y');
  if (y.kind !== 'quantitative') throw new ConfigError(`Cannot draw a box of "${y.name}": it is not numeric.`, 'y');
  const ctes: string[] = [];
  const cols: string[] = [];
  const dims: string[] = [];
  const bin = x && ctx.bins ? binned(x, ctx.bins, 'x', ctx.from) : null;
  if (bin) {
    // Quartiles need every row of a group, so the bin start is the group itself here.
    cols.push(`${bin.x1(bin.key)} as x`);
    dims.push('x');
  } else if (x) {
    cols.push(`${plain(x)} as x`);
    dims.push('x');
  }
  if (color) {
    cols.push(`${plain(color)} as color`);
    dims.push('color');
  }
  if (facet) {
    cols.push(`${plain(facet)} as facet`);
    dims.push('facet');
  }
  cols.push(`${y.sql}::DOUBLE as yv`);
  ctes.push(`rows as (select ${cols.join(', ')} from src where ${y.sql} is not null${x ? ` and ${x.sql} is not null` : ''})`);
  const groupBy = dims.length ? ` group by ${dims.join(', ')}` : '';
  ctes.push(`stats as (select ${[...dims, ''].join(', ')}quantile_cont(yv, 0.25) as q1, median(yv) as q2, quantile_cont(yv, 0.75) as q3, count(*)::DOUBLE as n from rows${groupBy})`);
  const on = dims.length ? dims.map((d) => `r.${d} is not distinct from s.${d}`).join(' and ') : 'true';
  const sql = `${withClause(ctx.from, ctes, bin ? [bin.setup] : [])}select ${dims.map((d) => `s.${d}`).concat(['s.q1', 's.q2', 's.q3', 's.n']).join(', ')},
  min(r.yv) filter (where r.yv >= s.q1 - 1.5 * (s.q3 - s.q1)) as r1,
  max(r.yv) filter (where r.yv <= s.q3 + 1.5 * (s.q3 - s.q1)) as r2
from stats s join rows r on ${on}
group by all order by ${[...dims.map((d) => `s.${d}`), 's.q2'].join(', ')} limit ${ROW_LIMIT}`;
  const temporal = new Set<string>(x?.kind === 'temporal' ? ['x'] : []);
  return {
    sql,
    params: [],
    sampled: false,
    rowLimit: ROW_LIMIT,
    plot(table, style = {}) {
      const data = rowsOf(table, temporal);
      const single = style.color ?? 'currentColor';
      const fill = color ? 'color' : single;
      const fy = facet ? 'facet' : undefined;
      const xs = x ? { x: 'x' } : {};
      const fx = color && x ? { fx: 'x', x: 'color' } : color ? { x: 'color' } : xs;
      const sort = ordinalSort(ctx.sort, true);
      return base(ctx, style, [
        Plot.ruleX(data, { ...fx, y1: 'r1', y2: 'r2', fy, stroke: 'currentColor', strokeOpacity: 0.7 }),
        Plot.barY(data, { ...fx, y1: 'q1', y2: 'q3', fill, fillOpacity: 0.8, fy, sort, tip: true, channels: { median: 'q2', n: 'n', low: 'r1', high: 'r2' } }),
        Plot.tickY(data, { ...fx, y: 'q2', fy, stroke: style.dark ? '#111' : 'white', strokeWidth: 2 })
      ], {
        x: x || color ? { label: color && x ? null : (x ?? color)!.name, ...(x?.kind === 'temporal' ? { type: 'band' as const, tickFormat: '%Y-%m-%d' } : {}) } : undefined,
        y: { label: y.name, grid: true },
        color: color ? { legend: true, label: color.name } : undefined
      });
    }
  };
}

function base(ctx: Ctx, style: ChartStyle, marks: Plot.Markish[], scales: Partial<Pick<Plot.PlotOptions, 'x' | 'y' | 'color'>>): Plot.PlotOptions {
  const options: Plot.PlotOptions = {
    marks,
    title: ctx.title,
    width: style.width,
    marginLeft: 56,
    marginBottom: 40,
    style: { background: 'transparent', overflow: 'visible' },
    ...Object.fromEntries(Object.entries(scales).filter(([, v]) => v !== undefined)),
    ...(ctx.facet ? { fy: { label: ctx.facet.name }, marginRight: 90 } : {})
  };
  return options;
}

/** A bar or dot mark's `sort` option for an ordinal x: `-y` is tallest first. */
function ordinalSort(sort: string, ordinal: boolean): Plot.BarYOptions['sort'] {
  if (!ordinal || sort === '' || sort === 'none') return undefined;
  const by = sort === 'ascending' || sort === 'y' || sort === '-y' || sort === 'descending' ? 'y' : 'x';
  const reverse = sort.startsWith('-') || sort === 'descending';
  return { x: by, reverse } as Plot.BarYOptions['sort'];
}

function midpoint(a: unknown, b: unknown): unknown {
  if (a instanceof Date && b instanceof Date) return new Date((a.getTime() + b.getTime()) / 2);
  return ((a as number) + (b as number)) / 2;
}

/** Rows of a small result as objects; time columns (epoch ms) become Dates, BigInts numbers. */
export function rowsOf(table: ArrowLike, temporal: Set<string>): Record<string, unknown>[] {
  const names = table.schema.fields.map((f) => f.name);
  const vectors = names.map((name) => table.getChild(name));
  const rows: Record<string, unknown>[] = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) {
      let v = vectors[c]?.get(i) ?? null;
      if (typeof v === 'bigint') v = Number(v);
      if (v !== null && temporal.has(names[c])) v = new Date(v instanceof Date ? v.getTime() : Number(v));
      row[names[c]] = v;
    }
    rows[i] = row;
  }
  return rows;
}
