/**
 * What a PostgreSQL account may do that a read-only transaction does not stop: read and
 * write files on the database server and run programs there (`COPY … TO PROGRAM`,
 * `pg_read_file`, `lo_export`). Superusers may do all of it; the predefined roles grant
 * one part each.
 */
import type { DangerousPrivilege, PrivilegeReport } from '../engine.js';

/** One row: whether the current user is a superuser, and a member of each server-file role. */
export const PRIVILEGES_SQL = `
select r.rolsuper as superuser,
       pg_has_role(current_user, 'pg_read_server_files', 'member') as pg_read_server_files,
       pg_has_role(current_user, 'pg_write_server_files', 'member') as pg_write_server_files,
       pg_has_role(current_user, 'pg_execute_server_program', 'member') as pg_execute_server_program
from pg_catalog.pg_roles r
where r.rolname = current_user`;

export interface PrivilegeRow {
  superuser: boolean;
  pg_read_server_files: boolean;
  pg_write_server_files: boolean;
  pg_execute_server_program: boolean;
}

const WHY: Record<keyof PrivilegeRow, string> = {
  superuser: 'can read and write server files and run programs despite read-only',
  pg_read_server_files: 'can read any file the database server can (pg_read_file, COPY … FROM a file) despite read-only',
  pg_write_server_files: 'can write files on the database server (COPY … TO a file, lo_export) despite read-only',
  pg_execute_server_program: 'can run programs on the database server (COPY … TO PROGRAM) despite read-only'
};

/** The dangerous privileges in `row`; a superuser is reported once, as it includes the roles. */
export function reportPrivileges(row: PrivilegeRow): PrivilegeReport {
  if (row.superuser) return { privileges: [{ privilege: 'superuser', why: WHY.superuser }] };
  const roles = ['pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program'] as const;
  const privileges: DangerousPrivilege[] = roles.filter((role) => row[role]).map((role) => ({ privilege: role, why: WHY[role] }));
  return { privileges };
}
