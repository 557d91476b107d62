/**
 * A query's result columns before it runs: the extended protocol's Parse + Describe
 * (statement), which plans the user's own SQL text (so an error's position is already an
 * offset into it) and infers parameter types without binding them. Binary COPY carries no
 * type ids, so this is what tells the decoders what they are reading.
 */
import type { ClientBase, Connection } from 'pg';
import type { PgColumn, PgTypeInfo } from './types.js';

interface RowDescriptionField {
  name: string;
  dataTypeID: number;
  dataTypeModifier: number;
}

/** Parse + Describe + Sync as a node-postgres Submittable. */
class DescribeStatement {
  private columns: PgColumn[] = [];
  readonly done: Promise<PgColumn[]>;
  private resolve!: (columns: PgColumn[]) => void;
  private reject!: (err: unknown) => void;
  private failed = false;

  constructor(private readonly text: string) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: Connection): Error | undefined {
    if (this.text.includes('\0')) return new Error('the SQL text contains a NUL character');
    connection.parse({ text: this.text, name: '' } as never, true);
    connection.describe({ type: 'S', name: '' }, true);
    connection.sync();
    return undefined;
  }

  handleRowDescription(msg: { fields: RowDescriptionField[] }): void {
    this.columns = msg.fields.map((f) => ({ name: f.name, typeOid: f.dataTypeID, typeModifier: f.dataTypeModifier }));
  }

  handleError(err: unknown): void {
    this.failed = true;
    this.reject(err);
  }

  handleReadyForQuery(): void {
    if (!this.failed) this.resolve(this.columns);
  }

  // Not sent for a statement Describe; present because node-postgres may call them.
  handleDataRow(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}

/** The result columns of `sql` (none for a statement that returns no rows). */
export async function describeQuery(client: ClientBase, sql: string): Promise<PgColumn[]> {
  const statement = new DescribeStatement(sql);
  client.query(statement as never);
  return statement.done;
}

/** Element type, category and name of oids this module does not know by number (arrays of enums, uuid[]…). */
export async function lookupTypes(client: ClientBase, oids: number[]): Promise<Map<number, PgTypeInfo>> {
  const types = new Map<number, PgTypeInfo>();
  if (oids.length === 0) return types;
  const { rows } = await client.query<{ oid: number; elem: number; category: string; name: string }>(
    'select oid::int4 as oid, typelem::int4 as elem, typcategory as category, pg_catalog.format_type(oid, null) as name from pg_catalog.pg_type where oid = any($1::oid[])',
    [oids]
  );
  for (const r of rows) types.set(r.oid, { elem: r.elem, category: r.category, name: r.name });
  return types;
}
