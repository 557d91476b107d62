/** The result grid: a virtualized Arrow table view, its formatting, and sort/filter as SQL. */
export { default as ResultGrid } from './ResultGrid.svelte';
export { viewToSql, viewColumns, quoteIdent, parseFilterInput, filterToInput, toggleSort, setFilter, nextSortDir, isEmptyView, EMPTY_VIEW } from './view-sql.js';
export type { GridView, GridFilter, FilterOp, FilterValue, SortDir, SqlWithParams, ViewColumn } from './view-sql.js';
export { cellFormatter, formatInteger, formatFloat, formatDecimal, formatDecimalText, groupDigits, formatDuration } from './format.js';
export type { FormattedCell, CellFormatter } from './format.js';
export { rangeToTsv, tableToCsvBlob, tableToJsonBlob, tableToArrowBlob } from './export.js';
export { tableToParquetBlob } from './parquet.js';
