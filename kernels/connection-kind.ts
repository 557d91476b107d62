/**
 * What describes one kind of server connection, free of any host: the server validates
 * and builds engines from it, the browser's form and SQL quoting read it. Each kind's
 * descriptor sits beside its engine (`kernels/<engine>/kind.ts`); kernels/connection-kinds.ts
 * lists them.
 */
import { z } from 'zod';
import type { SqlDialect } from './sql-ident.js';

/** One kind of connection: its name in the API, how people call it, and what its config holds. */
export interface ConnectionKindDescriptor<K extends string = string, C extends z.ZodObject = z.ZodObject> {
  /** The `kind` in the API and the store. */
  kind: K;
  /** The full name, in the form's kind select. */
  label: string;
  /** A short name, for badges and the engine select. */
  shortLabel: string;
  /** The port a network kind listens on unless told otherwise; absent when it has no server. */
  defaultPort?: number;
  /** How its SQL quotes names. */
  dialect: SqlDialect;
  /** The config as clients send it, secrets included. */
  configSchema: C;
  /** Config fields that are sealed at rest and never shown back. */
  secretFields: readonly string[];
}

/** The config of a kind that connects to a server over the network with a login. */
export function networkConfig(defaultPort: number) {
  return z.object({
    host: z.string().trim().min(1, 'is required').max(255),
    port: z.number().int().min(1).max(65535).default(defaultPort),
    database: z.string().trim().min(1, 'is required').max(255),
    user: z.string().trim().min(1, 'is required').max(255),
    password: z.string().max(1000).optional()
  });
}
