/** The schema browser's view of a MySQL/MariaDB server, from information_schema. */
import type { TableInfo } from '../engine.js';

/** Schemas the server keeps for itself. */
export const SYSTEM_SCHEMAS = ['information_schema', 'mysql', 'performance_schema', 'sys'];

/**
 * Tables with their columns in one round trip; the database filter is a bound parameter.
 * Without a database the connection sees every non-system schema.
 */
export function schemaQuery(database: string | null): { sql: string; values: unknown[] } {
  const where = database ? 't.TABLE_SCHEMA = ?' : `t.TABLE_SCHEMA NOT IN (${SYSTEM_SCHEMAS.map(() => '?').join(', ')})`;
  return {
    sql: `SELECT t.TABLE_SCHEMA, t.TABLE_NAME, t.TABLE_TYPE, t.TABLE_ROWS,
                 c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE
            FROM information_schema.TABLES t
            LEFT JOIN information_schema.COLUMNS c
              ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
           WHERE ${where}
           ORDER BY t.TABLE_SCHEMA, t.TABLE_NAME, c.ORDINAL_POSITION`,
    values: database ? [database] : SYSTEM_SCHEMAS
  };
}

/** Groups the query's rows (as arrays, in its column order) into tables. */
export function tablesFromRows(rows: unknown[][]): TableInfo[] {
  const tables: TableInfo[] = [];
  let current: TableInfo | null = null;
  for (const [schema, name, type, tableRows, column, columnType, nullable] of rows) {
    if (current === null || current.schema !== schema || current.name !== name) {
      current = {
        schema: String(schema),
        name: String(name),
        kind: String(type).toUpperCase().includes('VIEW') ? 'view' : 'table',
        columns: [],
        // Views have no estimate; InnoDB's is approximate, which is all the browser needs.
        rowEstimate: tableRows === null || tableRows === undefined ? null : Number(tableRows)
      };
      tables.push(current);
    }
    if (column !== null && column !== undefined) {
      current.columns.push({ name: String(column), type: String(columnType), nullable: nullable === 'YES' });
    }
  }
  return tables;
}
