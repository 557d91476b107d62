/** What the UI says about each kind of connection: labels, default ports, how to describe one. */
import { CONNECTION_KINDS, KINDS, type NetworkKind } from '../../../kernels/connection-kinds.js';
import type { ConnectionKind, ConnectionView } from '../warehouse/types.js';

const byKind = <T>(read: (d: (typeof CONNECTION_KINDS)[number]) => T) =>
  Object.fromEntries(CONNECTION_KINDS.map((d) => [d.kind, read(d)])) as Record<ConnectionKind, T>;

/** Each kind's full name, in the registry's order (kernels/connection-kinds.ts). */
export const KIND_NAMES: Record<ConnectionKind, string> = byKind((d) => d.label);

/** A short label for badges and the engine select. */
export const KIND_SHORT: Record<ConnectionKind, string> = byKind((d) => d.shortLabel);

/** The port a network kind listens on unless told otherwise. */
export const DEFAULT_PORTS = Object.fromEntries(
  CONNECTION_KINDS.flatMap((d) => ('defaultPort' in d ? [[d.kind, d.defaultPort]] : []))
) as Record<NetworkKind, number>;

/** Whether the kind connects to a server over the network (host, port, user, password). */
export function isNetworkKind(kind: ConnectionKind): kind is NetworkKind {
  return 'defaultPort' in KINDS[kind];
}

/** Where a connection points, in one line: `user@host:port/database`, a DuckDB file, or the built-in log. */
export function describeConnection(c: ConnectionView): string {
  if (c.builtin) return 'Cairn’s own run log, notebooks and connections (read-only)';
  if (c.kind === 'duckdb') return c.config.path ? c.config.path : 'In-memory, with the bundled samples';
  const port = c.config.port && c.config.port !== DEFAULT_PORTS[c.kind] ? `:${c.config.port}` : '';
  const user = c.config.user ? `${c.config.user}@` : '';
  return `${user}${c.config.host ?? ''}${port}/${c.config.database ?? ''}`;
}

/** The schema a kind's unqualified table names resolve in (autocomplete and inserted names leave it off). */
export function defaultSchemaOf(c: ConnectionView | null): string {
  if (!c) return 'main';
  if (c.kind === 'postgres') return 'public';
  if (c.kind === 'mysql') return c.config.database ?? '';
  return 'main';
}
