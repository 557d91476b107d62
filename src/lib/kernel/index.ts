/** The browser's SQL engine (DuckDB-WASM in a worker) and adding data files; browser-only. */
export { getKernel, kernelStarted, sqlParser, warmEngine, setNotebookFiles, type Kernel, type QueryOptions, type QueryResult } from './host.js';
export { kernelStatus, type KernelStatus, type QueryProgress } from './status.js';
export { addFile, addUrl, validateFile, tableNameFor, uniqueTableName, FileInputError, MAX_FILE_BYTES, type AddedFile, type AddOptions } from './files.js';
