import { describe, expect, it } from 'vitest';
import { changeKind, emptyForm, formFromView, toInput, toPatch } from '../../src/lib/connections/connection-form.js';
import { describeConnection } from '../../src/lib/connections/kinds.js';
import { completionNamespace, sqlIdent, tableRef } from '../../src/lib/connections/schema-names.js';
import { formatDuration } from '../../src/lib/connections/format.js';
import type { ConnectionView, TableInfo } from '../../src/lib/warehouse/types.js';

const saved: ConnectionView = {
  id: 'c1',
  name: 'Warehouse',
  kind: 'postgres',
  config: { host: 'db.internal', port: 5432, database: 'analytics', user: 'reader' },
  hasPassword: true,
  options: { statementTimeoutMs: 30_000, maxConnections: 2, rowLimit: 10_000, readOnly: true, acceptPrivilegedAccount: false },
  access: 'editors',
  builtin: false,
  createdAt: '',
  updatedAt: ''
};

describe('the connection form', () => {
  it('starts a new connection with the kind’s default port and the server’s default limits', () => {
    expect(emptyForm('postgres')).toMatchObject({ port: '5432', timeoutSeconds: '60', maxConnections: '4', readOnly: true });
    expect(emptyForm('mysql').port).toBe('3306');
  });

  it('moves a default port to the new kind’s default, and keeps a port someone typed', () => {
    expect(changeKind(emptyForm('postgres'), 'mysql').port).toBe('3306');
    expect(changeKind({ ...emptyForm('postgres'), port: '6543' }, 'mysql').port).toBe('6543');
    expect(changeKind(emptyForm('postgres'), 'duckdb').port).toBe('');
  });

  it('sends seconds as milliseconds, numbers as numbers (number inputs bind numbers), and no password when blank', () => {
    const values = { ...emptyForm('postgres'), name: ' Prod ', host: '127.0.0.1', database: 'test', user: 'postgres', timeoutSeconds: 2.5 as unknown as string };
    expect(toInput(values)).toEqual({
      name: 'Prod',
      kind: 'postgres',
      config: { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' },
      options: { statementTimeoutMs: 2500, maxConnections: 4, rowLimit: 1_000_000, readOnly: true }
    });
    expect(toInput({ ...values, password: 's3cret' }).config.password).toBe('s3cret');
  });

  it('an edit keeps the saved password unless a new one is typed', () => {
    const form = formFromView(saved);
    expect(form.password).toBe('');
    expect(form.timeoutSeconds).toBe('30');
    expect('password' in toPatch(form).config).toBe(false);
    expect(toPatch({ ...form, password: 'new' }).config.password).toBe('new');
  });

  it('a DuckDB connection without a path is in-memory', () => {
    expect(toInput({ ...emptyForm('duckdb'), name: 'Local' }).config).toEqual({});
    expect(toInput({ ...emptyForm('duckdb'), name: 'Local', path: ' /data/x.duckdb ' }).config).toEqual({ path: '/data/x.duckdb' });
    expect(describeConnection({ ...saved, kind: 'duckdb', config: {} })).toBe('In-memory, with the bundled samples');
    expect(describeConnection(saved)).toBe('reader@db.internal/analytics');
  });
});

describe('SQL names from a catalogue', () => {
  const orders: TableInfo = { schema: 'public', name: 'orders', kind: 'table', columns: [{ name: 'id', type: 'integer', nullable: false }], rowEstimate: 10 };
  const events: TableInfo = { schema: 'Raw Data', name: 'Events', kind: 'view', columns: [{ name: 'at', type: 'timestamptz', nullable: true }], rowEstimate: null };

  it('quotes only names that need it, in the dialect’s quotes', () => {
    expect(sqlIdent('postgres', 'orders')).toBe('orders');
    expect(sqlIdent('postgres', 'Orders')).toBe('"Orders"');
    expect(sqlIdent('postgres', 'user')).toBe('"user"');
    expect(sqlIdent('mysql', 'my table')).toBe('`my table`');
  });

  it('leaves the default schema off and qualifies the rest', () => {
    expect(tableRef('postgres', orders, 'public')).toBe('orders');
    expect(tableRef('postgres', events, 'public')).toBe('"Raw Data"."Events"');
  });

  it('completes default-schema tables unqualified, other schemas by name, and cell results over catalogue tables', () => {
    const ns = completionNamespace([orders, events], 'public', [{ name: 'orders', columns: [{ name: 'total', type: 'Float64', nullable: true }] }]) as Record<string, unknown>;
    expect(Object.keys(ns).sort()).toEqual(['Raw Data', 'orders', 'public']);
    expect(ns.orders).toEqual([{ label: 'total', type: 'property', detail: 'float64' }]);
    expect((ns['Raw Data'] as Record<string, unknown>).Events).toEqual([{ label: 'at', type: 'property', detail: 'timestamptz' }]);
  });
});

describe('durations', () => {
  it('reads like a person would say them', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(3200)).toBe('3.2 s');
    expect(formatDuration(60_000)).toBe('1 min');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
});
