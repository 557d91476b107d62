-- A notebook's run history by result key: where each result on screen came from. Server
-- runs point at their audit-log entry (run_id into query_runs, which keeps the exact
-- statement, timing and error); browser runs (DuckDB-WASM SQL, JS cells, charts) have no
-- audit entry, so their row is the whole record. `computed` is false for a cache hit or a
-- joined shared run: the result was made by another row's run, which readers are shown first.
create table result_runs (
  id text primary key,
  notebook_id text not null references notebooks (id) on delete cascade,
  result_key text not null,
  cell_id text not null,
  kind text not null check (kind in ('sql', 'js', 'chart')),
  engine text not null,
  connection_id text,
  source text not null,
  source_hash text not null,
  params jsonb not null,
  inputs jsonb not null,
  user_id text references users (id) on delete set null,
  at timestamptz not null,
  duration_ms double precision not null,
  rows bigint,
  result_hash text not null,
  run_id text,
  computed boolean not null
);
create index result_runs_key on result_runs (notebook_id, result_key, at desc);
-- Every open copy of a notebook runs a shared browser run and reports it: one row per
-- user and distinct result is enough to say who computed what.
create unique index result_runs_browser_once on result_runs (notebook_id, result_key, user_id, result_hash) where run_id is null;
