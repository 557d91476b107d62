/** The `duckdb` connection kind: a database file on the server, or in-memory with the samples (engine: ./engine.ts). */
import { z } from 'zod';
import type { ConnectionKindDescriptor } from '../connection-kind.js';
import { DATABASE_NAME_RULE, databaseNameProblem } from './database-name.js';

export const duckdbKind = {
  kind: 'duckdb',
  label: 'DuckDB',
  shortLabel: 'DuckDB',
  dialect: 'duckdb',
  /** A database name inside the data directory's `duckdb/` folder (./database-name.ts); empty or absent: in-memory. */
  configSchema: z.object({
    path: z
      .string()
      .trim()
      .max(1000)
      .optional()
      .superRefine((path, ctx) => {
        const problem = path ? databaseNameProblem(path) : null;
        if (problem) ctx.addIssue({ code: 'custom', message: `${problem}: ${DATABASE_NAME_RULE}` });
      })
  }),
  secretFields: []
} as const satisfies ConnectionKindDescriptor<'duckdb'>;
