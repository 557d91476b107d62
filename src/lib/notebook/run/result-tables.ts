/**
 * Cell results as DuckDB tables, registered when something reads them by name — a SQL
 * cell, a chart, the grid's sort and filter — rather than every time a cell runs. A result
 * nobody queries is never copied into DuckDB, and a reader always registers the value it
 * was handed, so an older run can never overwrite a newer one's table.
 */
import type { Table } from 'apache-arrow';
import type { CellKernel } from './executor';

export class ResultTables {
  private readonly registered = new Map<string, { value: unknown; done: Promise<void> }>();

  /** Make `value` the table `name` unless it already is. */
  ensure(kernel: CellKernel, name: string, value: Table | readonly object[]): Promise<void> {
    const current = this.registered.get(name);
    if (current?.value === value) return current.done;
    const done = kernel.registerTable(name, value);
    this.registered.set(name, { value, done });
    done.catch(() => {
      if (this.registered.get(name)?.done === done) this.registered.delete(name);
    });
    return done;
  }
}
