/** The `duckdb` connection kind: a database file on the server, or in-memory with the samples (engine: ./engine.ts). */
import { z } from 'zod';
import type { ConnectionKindDescriptor } from '../connection-kind.js';

export const duckdbKind = {
  kind: 'duckdb',
  label: 'DuckDB',
  shortLabel: 'DuckDB',
  dialect: 'duckdb',
  configSchema: z.object({ path: z.string().trim().max(1000).optional() }),
  secretFields: []
} as const satisfies ConnectionKindDescriptor<'duckdb'>;
