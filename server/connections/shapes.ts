/**
 * What a connection is, as clients send it (design.md, "Connections") and as the server
 * shows it back. The password is write-only: it goes in, is sealed, and never comes out.
 */
import { z } from 'zod';

const host = z.string().trim().min(1, 'is required').max(255);
const port = z.number().int().min(1).max(65535);
const name = z.string().trim().min(1, 'is required').max(100);

const NetworkConfig = (defaultPort: number) =>
  z.object({
    host,
    port: port.default(defaultPort),
    database: z.string().trim().min(1, 'is required').max(255),
    user: z.string().trim().min(1, 'is required').max(255),
    password: z.string().max(1000).optional()
  });

export const PostgresConfig = NetworkConfig(5432);
export const MysqlConfig = NetworkConfig(3306);
export const DuckDbConfig = z.object({ path: z.string().trim().max(1000).optional() });

/** Limits every kind has; defaults are design.md's (60 s statement timeout). */
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

export const ConnectionInput = z.discriminatedUnion('kind', [
  z.object({ name, kind: z.literal('postgres'), config: PostgresConfig, options: ConnectionOptions.partial().optional() }),
  z.object({ name, kind: z.literal('mysql'), config: MysqlConfig, options: ConnectionOptions.partial().optional() }),
  z.object({ name, kind: z.literal('duckdb'), config: DuckDbConfig, options: ConnectionOptions.partial().optional() })
]);
export type ConnectionInput = z.infer<typeof ConnectionInput>;

/** A PATCH: any part; a config without `password` keeps the saved one. */
export const ConnectionPatch = z.object({
  name: name.optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  options: ConnectionOptions.partial().optional()
});
export type ConnectionPatch = z.infer<typeof ConnectionPatch>;

export type ConnectionKind = ConnectionInput['kind'];

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
  /** The built-in `cairn` connection (the audit log), which nobody edits. */
  builtin: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Split an input config into what is stored in clear and the password. */
export function splitSecret(config: Record<string, unknown>): { publicConfig: PublicConfig; password: string | null } {
  const { password, ...rest } = config as PublicConfig & { password?: string };
  return { publicConfig: rest, password: password ?? null };
}

/** Validate a full config for `kind` (used after merging a PATCH into the saved one). */
export function parseConfig(kind: ConnectionKind, config: unknown): Record<string, unknown> {
  const schema = kind === 'postgres' ? PostgresConfig : kind === 'mysql' ? MysqlConfig : DuckDbConfig;
  return schema.parse(config) as Record<string, unknown>;
}
