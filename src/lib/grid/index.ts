/** The result grid: a virtualized Arrow table view, its formatting, and sort/filter as SQL. */
export { default as ResultGrid } from './ResultGrid.svelte';
export { viewToSql, quoteIdent, parseFilterInput, filterToInput, toggleSort, setFilter, nextSortDir, isEmptyView, EMPTY_VIEW } from './view-sql.js';
export type { GridView, GridFilter, FilterOp, FilterValue, SortDir, SqlWithParams } from './view-sql.js';
export { cellFormatter, rawText, typeLabel, formatInteger, formatFloat, formatDecimal, formatDate, formatTimestamp, formatDuration } from './format.js';
export type { FormattedCell, CellFormatter } from './format.js';
export { rangeToTsv, tableToCsvBlob, tableToArrowBlob } from './export.js';
export { tableToParquetBlob } from './parquet.js';
