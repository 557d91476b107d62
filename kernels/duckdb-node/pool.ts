/**
 * At most `size` DuckDB connections on one instance, opened when first needed; a run that
 * finds them all busy waits for one (in arrival order) instead of failing.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export class ConnectionPool {
  private readonly free: DuckDBConnection[] = [];
  private readonly waiting: ((connection: DuckDBConnection) => void)[] = [];
  private opened = 0;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly size: number
  ) {}

  /** A connection for one run; give it back with {@link release}. */
  async acquire(): Promise<DuckDBConnection> {
    const idle = this.free.pop();
    if (idle) return idle;
    if (this.opened < this.size) {
      this.opened++;
      try {
        return await this.instance.connect();
      } catch (e) {
        this.opened--;
        throw e;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(connection: DuckDBConnection): void {
    const next = this.waiting.shift();
    if (next) next(connection);
    else this.free.push(connection);
  }
}
