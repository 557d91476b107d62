/**
 * The Add/Edit connection form as plain values, and what it sends: a full input for
 * "Save" and "Test connection" on a new connection, a patch for an edit. Numbers are kept
 * as the strings the inputs hold, so a half-typed field never turns into NaN in the form.
 */
import type { ConnectionInput, ConnectionKind, ConnectionOptions, ConnectionView } from '../warehouse/types.js';
import { DEFAULT_PORTS, isNetworkKind } from './kinds.js';

export interface ConnectionFormValues {
  name: string;
  kind: ConnectionKind;
  host: string;
  port: string;
  database: string;
  user: string;
  /** On an edit, blank keeps the saved password. */
  password: string;
  path: string;
  /** Seconds, as the user thinks of it; the API takes milliseconds. */
  timeoutSeconds: string;
  maxConnections: string;
  rowLimit: string;
  readOnly: boolean;
  /** Keep read-only although the account can do more than read (server/connections/service.ts refuses it otherwise). */
  acceptPrivilegedAccount: boolean;
}

/** The server's defaults (server/connections/shapes.ts), shown in the form. */
export const DEFAULT_OPTIONS: ConnectionOptions = { statementTimeoutMs: 60_000, maxConnections: 4, rowLimit: 1_000_000, readOnly: true, acceptPrivilegedAccount: false };

/** An empty form for a new connection of `kind`. */
export function emptyForm(kind: ConnectionKind = 'postgres'): ConnectionFormValues {
  return {
    name: '',
    kind,
    host: isNetworkKind(kind) ? 'localhost' : '',
    port: isNetworkKind(kind) ? String(DEFAULT_PORTS[kind]) : '',
    database: '',
    user: '',
    password: '',
    path: '',
    timeoutSeconds: String(DEFAULT_OPTIONS.statementTimeoutMs / 1000),
    maxConnections: String(DEFAULT_OPTIONS.maxConnections),
    rowLimit: String(DEFAULT_OPTIONS.rowLimit),
    readOnly: DEFAULT_OPTIONS.readOnly,
    acceptPrivilegedAccount: DEFAULT_OPTIONS.acceptPrivilegedAccount
  };
}

/** Switching kind: a port still at the old kind's default follows the new kind's. */
export function changeKind(values: ConnectionFormValues, kind: ConnectionKind): ConnectionFormValues {
  const oldDefault = isNetworkKind(values.kind) ? String(DEFAULT_PORTS[values.kind]) : '';
  const port = values.port === '' || values.port === oldDefault ? (isNetworkKind(kind) ? String(DEFAULT_PORTS[kind]) : '') : values.port;
  const host = isNetworkKind(kind) && !values.host ? 'localhost' : values.host;
  return { ...values, kind, port, host };
}

/** The form for editing a saved connection (the password stays blank: it is never sent back). */
export function formFromView(c: ConnectionView): ConnectionFormValues {
  return {
    name: c.name,
    kind: c.kind,
    host: c.config.host ?? '',
    port: c.config.port === undefined ? '' : String(c.config.port),
    database: c.config.database ?? '',
    user: c.config.user ?? '',
    password: '',
    path: c.config.path ?? '',
    timeoutSeconds: String(c.options.statementTimeoutMs / 1000),
    maxConnections: String(c.options.maxConnections),
    rowLimit: String(c.options.rowLimit),
    readOnly: c.options.readOnly,
    acceptPrivilegedAccount: c.options.acceptPrivilegedAccount
  };
}

/**
 * A number from a field, or undefined when it is blank or not a number (the server then
 * uses its default). Svelte binds `type="number"` inputs as numbers (null when empty).
 */
function numberOf(value: string | number | null | undefined): number | undefined {
  const text = String(value ?? '').trim();
  const n = Number(text);
  return text === '' || !Number.isFinite(n) ? undefined : n;
}

/**
 * The options as the API takes them. A new connection sends the risk acceptance only when
 * ticked (the server's default is not to accept); an edit always sends it, so unticking
 * takes it back.
 */
function optionsOf(v: ConnectionFormValues, edit: boolean): Partial<ConnectionOptions> {
  const seconds = numberOf(v.timeoutSeconds);
  const options: Partial<ConnectionOptions> = {
    statementTimeoutMs: seconds === undefined ? undefined : Math.round(seconds * 1000),
    maxConnections: numberOf(v.maxConnections),
    rowLimit: numberOf(v.rowLimit),
    readOnly: v.readOnly,
    acceptPrivilegedAccount: edit || v.acceptPrivilegedAccount ? v.acceptPrivilegedAccount : undefined
  };
  return Object.fromEntries(Object.entries(options).filter(([, x]) => x !== undefined));
}

function configOf(v: ConnectionFormValues, withPassword: boolean): ConnectionInput['config'] {
  if (!isNetworkKind(v.kind)) return v.path.trim() ? { path: v.path.trim() } : {};
  const config: ConnectionInput['config'] = { host: v.host.trim(), port: numberOf(v.port), database: v.database.trim(), user: v.user.trim() };
  if (config.port === undefined) delete config.port;
  if (withPassword) config.password = v.password;
  return config;
}

/** What "Save" on a new connection and "Test connection" send. */
export function toInput(v: ConnectionFormValues): ConnectionInput {
  return { name: v.name.trim(), kind: v.kind, config: configOf(v, v.password !== ''), options: optionsOf(v, false) };
}

/**
 * What "Save" on an edit sends: a blank password is left out, so the server keeps the
 * saved one (server/connections/service.ts only changes it when `password` is present).
 */
export function toPatch(v: ConnectionFormValues): { name: string; config: ConnectionInput['config']; options: Partial<ConnectionOptions> } {
  return { name: v.name.trim(), config: configOf(v, v.password !== ''), options: optionsOf(v, true) };
}
