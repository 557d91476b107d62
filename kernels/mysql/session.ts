/**
 * Per-session settings that make a pooled connection safe for notebook SQL, in the
 * dialect of the server at the other end (MariaDB and MySQL name them differently).
 */

/** Which server the connection talks to, from its handshake version string. */
export interface ServerFlavour {
  mariadb: boolean;
  /** [major, minor, patch] of the server itself. */
  version: [number, number, number];
}

/** Parses a handshake version: '10.11.19-MariaDB-0+deb12u1', '5.5.5-10.6.2-MariaDB', '8.0.36'. */
export function flavourOf(versionString: string): ServerFlavour {
  const mariadb = /mariadb/i.test(versionString);
  // MariaDB before 11 prefixes '5.5.5-' so that old MySQL clients accept the handshake.
  const text = mariadb ? versionString.replace(/^5\.5\.5-/, '') : versionString;
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(text);
  const version: [number, number, number] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  return { mariadb, version };
}

export interface SessionSettings {
  statementTimeoutMs: number;
  readOnly: boolean;
}

/**
 * One SET for every run, re-asserted each time because notebook SQL on a pooled
 * connection may itself have run `SET SESSION …`:
 * - time_zone '+00:00': TIMESTAMP values come back as UTC text;
 * - the statement timeout: MariaDB's max_statement_time (seconds, any statement), MySQL's
 *   max_execution_time (milliseconds, SELECT only);
 * - the session's transaction access mode: with READ ONLY, MariaDB refuses DDL too, which
 *   a `START TRANSACTION READ ONLY` alone does not (DDL commits it first and then runs
 *   under the session's mode).
 * This guards against the notebook's own statements, not against a stored procedure that
 * switches the mode back and commits inside a CALL: the real boundary is an account with
 * only SELECT grants, which a read-only connection should use.
 */
export function sessionSql(flavour: ServerFlavour, settings: SessionSettings): string {
  const timeout = flavour.mariadb
    ? `max_statement_time = ${formatSeconds(settings.statementTimeoutMs)}`
    : `max_execution_time = ${Math.max(0, Math.round(settings.statementTimeoutMs))}`;
  // MariaDB renamed tx_read_only to transaction_read_only in 11.1; MySQL 8 has only the new name.
  const [major, minor] = flavour.version;
  const readOnlyVar = flavour.mariadb && (major < 11 || (major === 11 && minor < 1)) ? 'tx_read_only' : 'transaction_read_only';
  return `SET SESSION time_zone = '+00:00', ${timeout}, ${readOnlyVar} = ${settings.readOnly ? 1 : 0}`;
}

function formatSeconds(ms: number): string {
  // max_statement_time takes fractional seconds; 0 would mean "no limit".
  return String(Math.max(0.001, ms / 1000));
}
