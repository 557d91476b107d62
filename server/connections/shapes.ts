/**
 * Connections on the server: the API's shapes (src/lib/contract/connections.ts, shared
 * with the browser) and the server's own steps over them — splitting out the secret,
 * validating a merged config against its kind.
 */
import { KINDS, type ConnectionKind } from '../../kernels/connection-kinds.js';
import type { PublicConfig } from '../../src/lib/contract/connections.js';

export {
  ConnectionAccess,
  ConnectionInput,
  ConnectionOptions,
  ConnectionPatch,
  type ConnectionKind,
  type ConnectionName,
  type ConnectionView,
  type PublicConfig
} from '../../src/lib/contract/connections.js';

/** Split an input config into what is stored in clear and the password. */
export function splitSecret(config: Record<string, unknown>): { publicConfig: PublicConfig; password: string | null } {
  const { password, ...rest } = config as PublicConfig & { password?: string };
  return { publicConfig: rest, password: password ?? null };
}

/** Validate a full config for `kind` (used after merging a PATCH into the saved one). */
export function parseConfig(kind: ConnectionKind, config: unknown): Record<string, unknown> {
  return KINDS[kind].configSchema.parse(config) as Record<string, unknown>;
}
