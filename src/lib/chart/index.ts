/** Chart cells: config → DuckDB aggregation → Observable Plot, and the view that draws them. */
export { compileChart, measureLabel, rowsOf, DEFAULT_BINS, DOT_SAMPLE, ROW_LIMIT, type ChartConfig, type ChartColumn, type ChartError, type ChartStyle, type CompiledChart, type ArrowLike, type ChartMark, type ChartAggregate } from './compile.js';
export { columnKind, quoteIdent, type ColumnKind } from './sql.js';
export { svgMarkup, downloadSvg, downloadPng } from './export.js';
export { default as ChartView } from './ChartView.svelte';
