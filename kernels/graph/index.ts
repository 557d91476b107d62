/** The cell dataflow graph: dependency analysis (JS, SQL), the graph with keys and plans, and the runtime. */
export { type ParseError, type Parsed } from './parse-error.js';
export { JS_GLOBALS, isJsGlobal } from './js-globals.js';
export { parseJsCell } from './js-parse.js';
export { jsDependencies, type JsDeps, type JsDepsOptions } from './js-deps.js';
export { jsCellBody, type JsBody, type JsBodyOptions } from './js-value.js';
export { sqlDependencies, type SqlDeps, type SqlParser } from './sql-deps.js';
export { DuckDbSqlParser, SqlAnalysisError, neutralizeParameters, type TableNamesSource } from './duckdb-sql-parser.js';
export { sha256Hex } from './sha256.js';
export { canonicalJson, cellKey, type KeyParts } from './cell-key.js';
export { cellError, type CellError, type CellErrorKind } from './cell-error.js';
export { Graph, buildGraph, type GraphCell, type GraphNode, type Leaf, type Resolution, type ResultKeys } from './graph.js';
export { Runtime, type CellState, type CellStatus, type Executor, type Listener, type RuntimeOptions } from './runtime.js';
export { composeServerSql, cellSql, parameterInputs, type ComposedSql } from './server-sql.js';
