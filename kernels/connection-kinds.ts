/**
 * Every kind of server connection, once: adding a warehouse is its engine, its kind.ts
 * and one line here (plus its factory in server/connections/engines.ts, which the type
 * there requires). Host-free, so the browser's form reads the same list the server
 * validates with.
 */
import type { z } from 'zod';
import { duckdbKind } from './duckdb-node/kind.js';
import { mysqlKind } from './mysql/kind.js';
import { postgresKind } from './postgres/kind.js';

/** In the order the form offers them. */
export const CONNECTION_KINDS = [postgresKind, mysqlKind, duckdbKind] as const;

/** A kind's descriptor type, by kind. */
export type KindDescriptorOf<K extends ConnectionKind> = Extract<(typeof CONNECTION_KINDS)[number], { kind: K }>;

export type ConnectionKind = (typeof CONNECTION_KINDS)[number]['kind'];

/** The kinds that connect to a server over the network (they have a default port). */
export type NetworkKind = Extract<(typeof CONNECTION_KINDS)[number], { defaultPort: number }>['kind'];

/** A kind's config after validation (defaults filled in). */
export type ConfigOf<K extends ConnectionKind> = z.infer<KindDescriptorOf<K>['configSchema']>;

/** The descriptors by kind. */
export const KINDS = Object.fromEntries(CONNECTION_KINDS.map((d) => [d.kind, d])) as { [K in ConnectionKind]: KindDescriptorOf<K> };

/** Whether `kind` names a connection kind. */
export function isConnectionKind(kind: string): kind is ConnectionKind {
  return Object.hasOwn(KINDS, kind);
}
