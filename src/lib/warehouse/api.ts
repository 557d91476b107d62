/**
 * The REST calls for connections and runs. `baseUrl` and `token` let Node tests and
 * scripts use the same client; the page uses its own origin and session cookie.
 */
import type { ConnectionInput, ConnectionOptions, ConnectionView, DangerousPrivilege, RunView, TableInfo } from './types.js';
import { ApiClient } from '../api-client.js';

export { ApiError, type ClientOptions } from '../api-client.js';

/** The connection and run calls, on the shared client. */
export class WarehouseApi extends ApiClient {
  listConnections(): Promise<ConnectionView[]> {
    return this.json<{ connections: ConnectionView[] }>('GET', '/api/connections').then((r) => r.connections);
  }
  createConnection(input: ConnectionInput): Promise<ConnectionView> {
    return this.json('POST', '/api/connections', input);
  }
  updateConnection(id: string, patch: { name?: string; config?: ConnectionInput['config']; options?: Partial<ConnectionOptions> }): Promise<ConnectionView> {
    return this.json('PATCH', `/api/connections/${encodeURIComponent(id)}`, patch);
  }
  deleteConnection(id: string): Promise<void> {
    return this.json<unknown>('DELETE', `/api/connections/${encodeURIComponent(id)}`).then(() => undefined);
  }
  /** "Test connection" on saved settings, or on a form's unsaved input. */
  /** Connects and answers how long it took and the account's privileges beyond reading. */
  testConnection(idOrInput: string | ConnectionInput): Promise<{ ok: true; ms: number; privileges: DangerousPrivilege[] }> {
    return typeof idOrInput === 'string'
      ? this.json('POST', `/api/connections/${encodeURIComponent(idOrInput)}/test`, {})
      : this.json('POST', '/api/connections/test', idOrInput);
  }
  schema(id: string, refresh = false): Promise<TableInfo[]> {
    return this.json<{ tables: TableInfo[] }>('GET', `/api/connections/${encodeURIComponent(id)}/schema${refresh ? '?refresh=1' : ''}`).then((r) => r.tables);
  }
  listRuns(filter: { notebookId?: string; connectionId?: string; limit?: number } = {}): Promise<RunView[]> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
    return this.json<{ runs: RunView[] }>('GET', `/api/runs?${q}`).then((r) => r.runs);
  }
  run(id: string): Promise<RunView> {
    return this.json('GET', `/api/runs/${encodeURIComponent(id)}`);
  }
  cancelRun(id: string): Promise<{ canceled: boolean }> {
    return this.json('POST', `/api/runs/${encodeURIComponent(id)}/cancel`, {});
  }
}
