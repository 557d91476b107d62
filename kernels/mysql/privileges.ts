/**
 * What a MySQL/MariaDB account may do that a read-only transaction does not stop, read
 * from `SHOW GRANTS` (the grants the server applies to this session, roles included in
 * MariaDB): FILE reads and writes files on the database server (`LOAD_FILE`,
 * `SELECT … INTO OUTFILE`), SUPER changes server settings and bypasses `read_only`.
 * `ALL PRIVILEGES ON *.*` holds both.
 */
import type { DangerousPrivilege, PrivilegeReport } from '../engine.js';

const WHY = {
  FILE: 'can read and write files on the database server (LOAD_FILE, SELECT … INTO OUTFILE) despite read-only',
  SUPER: 'can change server settings, end other sessions and write past the server’s read_only despite read-only'
} as const;

/** The privilege list of a global grant line: `GRANT FILE, SELECT ON *.* TO …` → ['FILE', 'SELECT']. */
function globalPrivileges(line: string): string[] {
  const m = /^GRANT\s+(.+?)\s+ON\s+\*\.\*\s+TO\s/i.exec(line.trim());
  if (!m) return [];
  return m[1]!.split(',').map((p) => p.trim().toUpperCase());
}

/** The dangerous privileges among `SHOW GRANTS` lines, each named once. */
export function reportGrants(lines: readonly string[]): PrivilegeReport {
  const found = new Set<keyof typeof WHY>();
  for (const line of lines) {
    for (const privilege of globalPrivileges(line)) {
      if (privilege === 'ALL' || privilege === 'ALL PRIVILEGES') {
        found.add('FILE');
        found.add('SUPER');
      } else if (privilege === 'FILE' || privilege === 'SUPER') {
        found.add(privilege);
      }
    }
  }
  const privileges: DangerousPrivilege[] = (['FILE', 'SUPER'] as const).filter((p) => found.has(p)).map((p) => ({ privilege: p, why: WHY[p] }));
  return { privileges };
}
