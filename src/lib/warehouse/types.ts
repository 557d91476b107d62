/** The API's shapes for connections and runs, as the browser reads them (server/connections/shapes.ts, server/query/run-log.ts). */
import type { DangerousPrivilege, TableInfo } from '../../../kernels/engine.js';
import type { ConnectionKind, ConnectionOptions } from '../../../server/connections/shapes.js';

export type { DangerousPrivilege, TableInfo };

// One definition of the API's shapes: the server's. These imports are types only, so
// nothing from the server reaches the browser bundle.
export type { ConnectionKind, ConnectionOptions, ConnectionView } from '../../../server/connections/shapes.js';
export type { RunStatus, RunView } from '../../../server/query/run-log.js';

/**
 * What a form sends to `POST /api/connections`: looser than the server's schema (which
 * checks the fields per kind and answers 400 naming the first bad one).
 */
export interface ConnectionInput {
  name: string;
  kind: ConnectionKind;
  config: { host?: string; port?: number; database?: string; user?: string; password?: string; path?: string };
  options?: Partial<ConnectionOptions>;
}
