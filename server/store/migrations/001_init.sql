-- Accounts, sessions, the default workspace, notebooks and their Yjs update log.

create table users (
  id text primary key,
  email text not null,
  name text not null,
  password_hash text not null,
  created_at timestamptz not null default now()
);
create unique index users_email on users (lower(email));

create table sessions (
  token_hash text primary key,
  user_id text not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user on sessions (user_id);

create table workspaces (
  id text primary key,
  name text not null,
  owner_id text references users (id),
  -- The "Flights" sample is seeded once per workspace, even if a user deletes it later.
  sample_seeded boolean not null default false,
  created_at timestamptz not null default now()
);

create table workspace_members (
  workspace_id text not null references workspaces (id) on delete cascade,
  user_id text not null references users (id) on delete cascade,
  role text not null check (role in ('owner', 'admin', 'editor', 'viewer')),
  primary key (workspace_id, user_id)
);

create table notebooks (
  id text primary key,
  workspace_id text not null references workspaces (id),
  title text not null default '',
  created_by text references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  forked_from text references notebooks (id),
  deleted_at timestamptz
);
create index notebooks_workspace on notebooks (workspace_id, updated_at desc);

-- The durable log: every Yjs update a client sent, appended before it is broadcast.
create table doc_updates (
  seq bigserial primary key,
  notebook_id text not null references notebooks (id) on delete cascade,
  data bytea not null,
  created_at timestamptz not null default now()
);
create index doc_updates_notebook on doc_updates (notebook_id, seq);

-- Compaction merges a prefix of the log into one snapshot per notebook.
create table doc_snapshots (
  notebook_id text primary key references notebooks (id) on delete cascade,
  data bytea not null,
  upto_seq bigint not null,
  updated_at timestamptz not null default now()
);
