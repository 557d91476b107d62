/**
 * The one place settings come from: the environment, with defaults that work on a laptop.
 * Nothing else in the server reads `process.env`.
 */
import type { ReportRateLimitSettings } from './reports/rate-limits.js';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

export interface Config {
  /** HTTP and websocket port. */
  port: number;
  /** Interface to listen on. */
  host: string;
  /** Where the embedded store, the generated secret key and uploads live. */
  dataDir: string;
  /** A real Postgres to use instead of the embedded one; null for embedded. */
  databaseUrl: string | null;
  /** Redis for fanning collaboration out across processes; null for a single process. */
  redisUrl: string | null;
  /** 32-byte key for encrypting secrets at rest. */
  secretKey: Buffer;
  /** How long a session token lives. */
  sessionTtlMs: number;
  /** Largest websocket frame accepted; bigger frames close the socket with 1009. */
  maxFrameBytes: number;
  /** Largest JSON request body accepted. */
  maxBodyBytes: number;
  /** Largest file a user may add to a notebook. */
  maxUploadBytes: number;
  /** Disk kept for cached query results (CAIRN_RESULT_CACHE_MB, default 1024). */
  resultCacheBytes: number;
  /** Who may sign up without an invitation (CAIRN_SIGNUP): `invite` (nobody but the first account) or `open`. */
  signup: 'invite' | 'open';
  /** Per-workspace and per-user limits; defaults never get in the way of real work. */
  limits: Limits;
  /**
   * The address people reach Cairn at (CAIRN_PUBLIC_URL), e.g. `https://cairn.example.com`:
   * the only Host the server answers to and the only Origin it takes writes from. Null: a
   * local install, reached as localhost, 127.0.0.1 or [::1] on its own port.
   */
  publicUrl: URL | null;
  /** Run vite in middleware mode instead of serving build/. */
  dev: boolean;
  /** Scheduled report refresh and alert webhooks. */
  refresh: RefreshSettings;
  /** Report reads per minute, per IP address and per report token. */
  reportLimits: ReportRateLimitSettings;
  /** When versions are cut automatically. */
  history: HistorySettings;
}

export interface HistorySettings {
  /** A version is cut once editing has paused this long (CAIRN_VERSION_PAUSE_MS, default 60 000). */
  pauseMs: number;
  /** …and at least this often during continuous editing (CAIRN_VERSION_MAX_SPAN_MS, default 600 000). */
  maxSpanMs: number;
}

export interface RefreshSettings {
  /** How often each process looks for due report refreshes (CAIRN_SCHEDULER_INTERVAL_MS, default 30 000). */
  schedulerIntervalMs: number;
  /** Longest one webhook attempt may take (CAIRN_WEBHOOK_TIMEOUT_MS, default 10 000). */
  webhookTimeoutMs: number;
  /** Attempts per delivery, the first included (CAIRN_WEBHOOK_ATTEMPTS, default 3). */
  webhookAttempts: number;
  /** Wait before the first retry, doubled before each next one (CAIRN_WEBHOOK_BACKOFF_MS, default 2 000). */
  webhookBackoffMs: number;
}

export interface Limits {
  /** Bytes of files a workspace may hold (CAIRN_WORKSPACE_UPLOAD_GB, default 10). */
  workspaceUploadBytes: number;
  /** Open collaboration sockets per user (CAIRN_MAX_SOCKETS_PER_USER, default 64). */
  socketsPerUser: number;
  /** Largest a notebook's document may grow (CAIRN_MAX_DOCUMENT_MB, default 64). */
  documentBytes: number;
  /** Failed logins per account per 15 minutes (CAIRN_LOGIN_FAILURES, default 10). */
  loginFailuresPerAccount: number;
  /** Sign-ups per IP address per hour (CAIRN_SIGNUPS_PER_IP, default 30). */
  signupsPerIp: number;
}

const DAY = 24 * 60 * 60 * 1000;

/** Read the configuration. `env` defaults to the process environment; tests pass their own. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv): Config {
  const dataDir = resolve(env.CAIRN_DATA_DIR || '.cairn');
  mkdirSync(dataDir, { recursive: true });
  return {
    port: parsePort(env.PORT),
    host: env.HOST || '0.0.0.0',
    dataDir,
    databaseUrl: env.DATABASE_URL || null,
    redisUrl: env.REDIS_URL || null,
    secretKey: readSecretKey(env.CAIRN_SECRET_KEY, dataDir),
    sessionTtlMs: 30 * DAY,
    maxFrameBytes: 16 * 1024 * 1024,
    maxBodyBytes: 1024 * 1024,
    maxUploadBytes: parseBytes('CAIRN_MAX_UPLOAD_MB', env.CAIRN_MAX_UPLOAD_MB, 1024),
    resultCacheBytes: parseBytes('CAIRN_RESULT_CACHE_MB', env.CAIRN_RESULT_CACHE_MB, 1024),
    signup: parseSignup(env.CAIRN_SIGNUP),
    limits: {
      workspaceUploadBytes: parseBytes('CAIRN_WORKSPACE_UPLOAD_GB', env.CAIRN_WORKSPACE_UPLOAD_GB, 10, 1024),
      socketsPerUser: parseCount('CAIRN_MAX_SOCKETS_PER_USER', env.CAIRN_MAX_SOCKETS_PER_USER, 64),
      documentBytes: parseBytes('CAIRN_MAX_DOCUMENT_MB', env.CAIRN_MAX_DOCUMENT_MB, 64),
      loginFailuresPerAccount: parseCount('CAIRN_LOGIN_FAILURES', env.CAIRN_LOGIN_FAILURES, 10),
      signupsPerIp: parseCount('CAIRN_SIGNUPS_PER_IP', env.CAIRN_SIGNUPS_PER_IP, 30)
    },
    publicUrl: parsePublicUrl(env.CAIRN_PUBLIC_URL),
    dev: argv.includes('--dev'),
    reportLimits: {
      perIp: parseCount('CAIRN_REPORT_READS_PER_IP', env.CAIRN_REPORT_READS_PER_IP, 1200),
      perToken: parseCount('CAIRN_REPORT_READS_PER_TOKEN', env.CAIRN_REPORT_READS_PER_TOKEN, 600)
    },
    refresh: {
      schedulerIntervalMs: parseCount('CAIRN_SCHEDULER_INTERVAL_MS', env.CAIRN_SCHEDULER_INTERVAL_MS, 30_000),
      webhookTimeoutMs: parseCount('CAIRN_WEBHOOK_TIMEOUT_MS', env.CAIRN_WEBHOOK_TIMEOUT_MS, 10_000),
      webhookAttempts: parseCount('CAIRN_WEBHOOK_ATTEMPTS', env.CAIRN_WEBHOOK_ATTEMPTS, 3),
      webhookBackoffMs: parseCount('CAIRN_WEBHOOK_BACKOFF_MS', env.CAIRN_WEBHOOK_BACKOFF_MS, 2_000)
    },
    history: {
      pauseMs: parseCount('CAIRN_VERSION_PAUSE_MS', env.CAIRN_VERSION_PAUSE_MS, 60_000),
      maxSpanMs: parseCount('CAIRN_VERSION_MAX_SPAN_MS', env.CAIRN_VERSION_MAX_SPAN_MS, 600_000)
    }
  };
}

/** A size setting in MB (or GB with `scale` 1024), as bytes. */
function parseBytes(name: string, raw: string | undefined, defaultValue: number, scale = 1): number {
  const value = raw ? Number(raw) : defaultValue;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return Math.floor(value * scale * 1024 * 1024);
}

function parseCount(name: string, raw: string | undefined, defaultValue: number): number {
  const value = raw ? Number(raw) : defaultValue;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
  return value;
}

function parseSignup(raw: string | undefined): 'invite' | 'open' {
  if (!raw || raw === 'invite') return 'invite';
  if (raw === 'open') return 'open';
  throw new Error(`CAIRN_SIGNUP must be "invite" or "open", got ${JSON.stringify(raw)}`);
}

function parsePublicUrl(raw: string | undefined): URL | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`CAIRN_PUBLIC_URL must be a URL such as https://cairn.example.com, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`CAIRN_PUBLIC_URL must be http or https, got ${JSON.stringify(raw)}`);
  if (url.pathname !== '/' || url.search || url.hash) throw new Error(`CAIRN_PUBLIC_URL is an origin only (no path, query or fragment), got ${JSON.stringify(raw)}`);
  return url;
}

function parsePort(raw: string | undefined): number {
  if (!raw) return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${JSON.stringify(raw)}`);
  return port;
}

/**
 * CAIRN_SECRET_KEY as 64 hex characters or base64 of 32 bytes; when unset, a key generated
 * once into the data directory, so secrets stay readable across restarts.
 */
function readSecretKey(raw: string | undefined, dataDir: string): Buffer {
  if (raw) {
    const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    if (key.length !== 32) throw new Error('CAIRN_SECRET_KEY must be 32 bytes, as 64 hex characters or base64');
    return key;
  }
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}
