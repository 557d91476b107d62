/** The API's shapes for connections and runs, as the browser reads them (src/lib/contract/connections.ts). */
import type { DangerousPrivilege, TableInfo } from '../../../kernels/engine.js';
import type { ConnectionKind, ConnectionOptions } from '../contract/connections.js';

export type { DangerousPrivilege, TableInfo };
export type { ConnectionKind, ConnectionName, ConnectionOptions, ConnectionView, RunStatus, RunView } from '../contract/connections.js';

/**
 * What a form sends to `POST /api/connections`: looser than the contract's schema (which
 * the server checks per kind, answering 400 naming the first bad field).
 */
export interface ConnectionInput {
  name: string;
  kind: ConnectionKind;
  config: { host?: string; port?: number; database?: string; user?: string; password?: string; path?: string };
  options?: Partial<ConnectionOptions>;
}
