/**
 * The connections and runs API as both sides read it: what clients send (validated by
 * the server with these schemas) and what the server answers. Host-free: the kinds come
 * from kernels/connection-kinds.ts, nothing here reaches into server/. The password is
 * write-only: it goes in, is sealed, and never comes out.
 */
import { z } from 'zod';
import { CONNECTION_KINDS, type ConnectionKind } from '../../../kernels/connection-kinds.js';

export type { ConnectionKind };

const name = z.string().trim().min(1, 'is required').max(100);

/** Limits every kind has; the statement timeout defaults to 60 s. */
export const ConnectionOptions = z.object({
  statementTimeoutMs: z.number().int().min(100).max(24 * 3600_000).default(60_000),
  maxConnections: z.number().int().min(1).max(64).default(4),
  rowLimit: z.number().int().min(1).max(50_000_000).default(1_000_000),
  readOnly: z.boolean().default(true),
  /**
   * Keep a read-only connection although its account can act beyond reading (server
   * files, programs): an owner's or admin's explicit choice, refused otherwise.
   */
  acceptPrivilegedAccount: z.boolean().default(false)
});
export type ConnectionOptions = z.infer<typeof ConnectionOptions>;

/** Who may run queries on it: every editor (the default), or only the members named. Admins always. */
export const ConnectionAccess = z.union([z.literal('editors'), z.object({ members: z.array(z.string().min(1).max(100)).max(1000) })]);
export type ConnectionAccess = z.infer<typeof ConnectionAccess>;

type Descriptor = (typeof CONNECTION_KINDS)[number];

function inputOf<D extends Descriptor>(descriptor: D) {
  return z.object({
    name,
    kind: z.literal(descriptor.kind),
    config: descriptor.configSchema,
    options: ConnectionOptions.partial().optional(),
    access: ConnectionAccess.optional()
  });
}

/** The input schema of each kind, as a tuple in the registry's order (what discriminatedUnion needs). */
type InputsOf<T extends readonly Descriptor[]> = { [I in keyof T]: T[I] extends Descriptor ? ReturnType<typeof inputOf<T[I]>> : never };
type Inputs = InputsOf<typeof CONNECTION_KINDS>;

/** `POST /api/connections` and `/api/connections/test`: one variant per kind, its config checked by the kind's schema. */
export const ConnectionInput = z.discriminatedUnion('kind', CONNECTION_KINDS.map(inputOf) as unknown as Inputs);
export type ConnectionInput = z.infer<typeof ConnectionInput>;

/** A PATCH: any part; a config without `password` keeps the saved one. */
export const ConnectionPatch = z.object({
  name: name.optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  options: ConnectionOptions.partial().optional(),
  access: ConnectionAccess.optional()
});
export type ConnectionPatch = z.infer<typeof ConnectionPatch>;

/** The config with the password taken out: what the store keeps in clear and clients see. */
export type PublicConfig = { host?: string; port?: number; database?: string; user?: string; path?: string };

/** A connection as the API shows it. */
export interface ConnectionView {
  id: string;
  name: string;
  kind: ConnectionKind;
  config: PublicConfig;
  /** Whether a password is saved (the password itself is never shown). */
  hasPassword: boolean;
  options: ConnectionOptions;
  access: ConnectionAccess;
  /** The built-in `cairn` connection (the audit log), which nobody edits. */
  builtin: boolean;
  createdAt: string;
  updatedAt: string;
}

/**
 * A connection as a notebook's readers see it (`GET /api/notebooks/:id`'s `connections`):
 * its name and kind only, so a cell can say where it runs to someone who may not use it.
 */
export interface ConnectionName {
  id: string;
  name: string;
  kind: ConnectionKind;
  /** The built-in `cairn` connection. */
  builtin: boolean;
  /**
   * A server DuckDB without a database file: it has the bundled samples, so a cell's SQL
   * reads them there (readers compose the same SQL as editors, to find their cached result).
   */
  hasSamples: boolean;
}

export type RunStatus = 'queued' | 'running' | 'done' | 'error' | 'canceled';

/** A run as `GET /api/runs` shows it. */
export interface RunView {
  id: string;
  userId: string | null;
  /** The user's display name (runs outlive nobody: a deleted user leaves null). */
  userName: string | null;
  notebookId: string | null;
  cellId: string | null;
  connectionId: string;
  sql: string;
  params: unknown[];
  status: RunStatus;
  startedAt: string;
  durationMs: number | null;
  rows: number | null;
  truncated: boolean;
  bytes: number | null;
  resultHash: string | null;
  cache: 'hit' | 'miss';
  error: string | null;
  /**
   * Why it failed, when a client can act on it: `result_widened` means a value did not fit
   * the type the first rows chose; run the query again (with a new run id) and the server
   * starts with the wider type (docs/types.md).
   */
  errorCode: string | null;
  /** While queued: runs ahead of it on the connection. */
  queuePosition?: number | null;
  /** While running: rows streamed so far. */
  rowsSoFar?: number;
}
