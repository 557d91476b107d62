-- History, forks and proposals. A version is a reference into the notebook's update log:
-- a Yjs snapshot (state vector + delete set, a few hundred bytes) read against the log,
-- never a copy of the document.
create table notebook_versions (
  id text primary key,
  notebook_id text not null references notebooks (id) on delete cascade,
  -- 1, 2, 3… per notebook: the order versions were cut in.
  seq integer not null,
  at timestamptz not null default now(),
  kind text not null check (kind in ('auto', 'named', 'restore', 'merge', 'fork', 'pull')),
  label text,
  authors text[] not null default '{}',
  -- Cells added, removed and changed since the previous version.
  summary jsonb not null,
  -- Y.encodeSnapshot of the document at this version.
  snapshot bytea not null,
  -- Each cell's digest and the display order, so the next version's summary needs no rebuild.
  fingerprint jsonb not null,
  unique (notebook_id, seq)
);

-- Which user each Yjs client id belongs to: every item carries its client id, so this maps
-- any character of the document to the person who typed it. The first claim holds; the
-- collaboration server refuses updates that reuse another user's client id.
create table doc_clients (
  notebook_id text not null references notebooks (id) on delete cascade,
  client_id bigint not null,
  user_id text not null references users (id) on delete cascade,
  first_at timestamptz not null default now(),
  primary key (notebook_id, client_id)
);

-- The origin's version a fork started from: its snapshot is valid in both documents, since
-- the fork starts from the origin's own items.
alter table notebooks add column forked_from_version text references notebook_versions (id);

create table proposals (
  id text primary key,
  -- Numbered per origin, as pull requests are per repository.
  number integer not null,
  origin_id text not null references notebooks (id) on delete cascade,
  fork_id text not null references notebooks (id) on delete cascade,
  author_id text references users (id) on delete set null,
  title text not null,
  description text not null default '',
  state text not null check (state in ('open', 'merged', 'closed')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Set when merged: who merged, and the version the merge made in the origin.
  merged_by text references users (id) on delete set null,
  merge_version_id text references notebook_versions (id),
  -- Set when merged or closed: the diff as it was, so a closed proposal stays readable.
  final_diff jsonb,
  unique (origin_id, number)
);
create index proposals_origin on proposals (origin_id, created_at desc);
create index proposals_fork on proposals (fork_id);
