-- Warehouse connections, the audit log of every server run, and the shared result cache.

create table connections (
  id text primary key,
  workspace_id text not null references workspaces (id),
  name text not null,
  kind text not null check (kind in ('postgres', 'mysql', 'duckdb')),
  -- Everything needed to connect except the password: safe to show to members.
  config jsonb not null,
  -- The password sealed with AES-256-GCM under CAIRN_SECRET_KEY (see connections/secrets.ts).
  secret text,
  statement_timeout_ms integer not null default 60000,
  max_connections integer not null default 4,
  row_limit integer not null default 1000000,
  read_only boolean not null default true,
  created_by text references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);
create unique index connections_name on connections (workspace_id, lower(name)) where deleted_at is null;

-- One row per server run, cache hits included. connection_id is not a foreign key: the
-- built-in 'cairn' connection has no row, and runs outlive deleted connections.
create table query_runs (
  id text primary key,
  workspace_id text not null,
  user_id text references users (id),
  notebook_id text,
  cell_id text,
  connection_id text not null,
  sql text not null,
  params jsonb not null,
  status text not null check (status in ('queued', 'running', 'done', 'error', 'canceled')),
  started_at timestamptz not null,
  duration_ms double precision,
  rows bigint,
  truncated boolean not null default false,
  bytes bigint,
  result_hash text,
  cache text not null check (cache in ('hit', 'miss')),
  error text
);
create index query_runs_started on query_runs (started_at desc);
create index query_runs_notebook on query_runs (notebook_id, started_at desc);
create index query_runs_connection on query_runs (connection_id, started_at desc);

-- Results by key (connection, SQL, parameters); the Arrow bytes live in files named by their hash.
create table result_cache (
  key text primary key,
  connection_id text not null,
  result_hash text not null,
  rows bigint not null,
  truncated boolean not null,
  bytes bigint not null,
  -- The shared run (the notebook's runs map runId) that produced it: every open copy of
  -- the notebook asks for that run, and all but the first get this entry.
  run_token text,
  created_at timestamptz not null,
  last_used_at timestamptz not null
);
create index result_cache_used on result_cache (last_used_at);
