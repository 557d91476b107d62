/**
 * A throwaway database on the real MariaDB/MySQL (127.0.0.1:3306, root, empty password,
 * unless CAIRN_TEST_MYSQL_* say otherwise): created for one test file, dropped after. An
 * unreachable server fails the tests with a message that says so.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

export const MYSQL_HOST = process.env.CAIRN_TEST_MYSQL_HOST ?? '127.0.0.1';
export const MYSQL_PORT = Number(process.env.CAIRN_TEST_MYSQL_PORT ?? 3306);
export const MYSQL_USER = process.env.CAIRN_TEST_MYSQL_USER ?? 'root';
export const MYSQL_PASSWORD = process.env.CAIRN_TEST_MYSQL_PASSWORD ?? '';

export interface TestMysqlDatabase {
  name: string;
  config: { host: string; port: number; database: string; user: string; password: string };
  /** An admin connection in the database (read-write, session time zone UTC), for seeding and checks. */
  admin: mysql.Connection;
  drop(): Promise<void>;
}

export async function createTestMysqlDatabase(): Promise<TestMysqlDatabase> {
  const name = `cairn_test_${randomBytes(6).toString('hex')}`;
  let admin: mysql.Connection;
  try {
    admin = await mysql.createConnection({
      host: MYSQL_HOST,
      port: MYSQL_PORT,
      user: MYSQL_USER,
      password: MYSQL_PASSWORD,
      connectTimeout: 10_000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true
    });
  } catch (err) {
    throw new Error(
      `MariaDB/MySQL is not reachable at ${MYSQL_HOST}:${MYSQL_PORT} as ${MYSQL_USER} (${(err as Error).message}). ` +
        'Integration tests run against a real MariaDB; start it or set CAIRN_TEST_MYSQL_HOST/PORT/USER/PASSWORD.'
    );
  }
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.query(`USE \`${name}\``);
  await admin.query("SET SESSION time_zone = '+00:00'");
  return {
    name,
    config: { host: MYSQL_HOST, port: MYSQL_PORT, database: name, user: MYSQL_USER, password: MYSQL_PASSWORD },
    admin,
    async drop() {
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await admin.end();
      }
    }
  };
}
