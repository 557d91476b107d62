/**
 * How every server-side DuckDB database is opened: bounded memory and threads, no file
 * access outside a list of allowed directories, and a locked configuration so SQL cannot
 * `SET` any of it back. worker.ts opens each database through {@link openLockedDown}.
 *
 * Observed on DuckDB 1.5.6 (@duckdb/node-api 1.5.6), and why the steps are in this order:
 * - List settings (`allowed_directories`) cannot be given when the instance is created
 *   (node-api says only "Failed to set config"), so they are `SET` on a first connection.
 * - DuckDB adds its own temp directory (`<database>.tmp/`, or `.tmp/` in the working
 *   directory for an in-memory database) to the allowed list, and matches paths after
 *   resolving symlinks and `..`.
 * - The allowed directories may be written as well as read: `COPY … TO` and `ATTACH`
 *   inside them succeed. statements.ts therefore refuses those statements on every
 *   connection, so the samples' folder is read and never written.
 */
import { DuckDBInstance } from '@duckdb/node-api';

/** What {@link openLockedDown} needs to know. */
export interface Lockdown {
  /** `:memory:` or a database file. */
  path: string;
  /** Opens a file with DuckDB's own read-only mode (an in-memory database has to be written once, for the samples). */
  readOnlyFile: boolean;
  /** DuckDB's `memory_limit`, e.g. `2GB`. */
  memoryLimit: string;
  threads: number;
  /** Folders DuckDB may read (and so write) besides its own files. */
  allowedDirectories: readonly string[];
  /** Runs on the instance before it is locked (e.g. creating the sample views). */
  prepare?: (instance: DuckDBInstance) => Promise<void>;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Opens a DuckDB instance with external access limited to `allowedDirectories` and its configuration locked. */
export async function openLockedDown(options: Lockdown): Promise<DuckDBInstance> {
  const settings: Record<string, string> = {
    // Positions come back as JSON fields instead of a caret drawn under the line.
    errors_as_json: 'true',
    // Nothing is downloaded or loaded from disk at run time: Parquet, JSON and ICU are built in.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    memory_limit: options.memoryLimit,
    threads: String(options.threads)
  };
  if (options.readOnlyFile) settings.access_mode = 'READ_ONLY';
  const instance = await DuckDBInstance.create(options.path, settings);
  try {
    await options.prepare?.(instance);
    const setup = await instance.connect();
    try {
      const dirs = options.allowedDirectories.map((d) => literal(d.endsWith('/') ? d : `${d}/`));
      await setup.run(`SET allowed_directories = [${dirs.join(', ')}]`);
      await setup.run('SET enable_external_access = false');
      await setup.run('SET lock_configuration = true');
    } finally {
      setup.closeSync();
    }
  } catch (e) {
    instance.closeSync();
    throw e;
  }
  return instance;
}
