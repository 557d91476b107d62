-- Published reports: one per notebook, pinned to the notebook's Yjs state when it was
-- published (later edits show only after "Update report"). A report answers 404 once
-- unpublished; publishing again brings the same slug back with a new version.
create table reports (
  id text primary key,
  notebook_id text not null unique references notebooks (id) on delete cascade,
  workspace_id text not null references workspaces (id) on delete cascade,
  slug text not null unique,
  title text not null,
  visibility text not null check (visibility in ('public', 'workspace', 'members')),
  version integer not null,
  -- Y.encodeStateAsUpdate of the notebook at publish time: the report is built from it,
  -- never from JSON, so its cells are the notebook's own items.
  snapshot bytea not null,
  refresh jsonb not null default '{}',
  published_by text references users (id) on delete set null,
  published_at timestamptz not null,
  unpublished_at timestamptz
);

-- Who may read a `members` report (besides its publisher and the workspace's owners and admins).
create table report_members (
  report_id text not null references reports (id) on delete cascade,
  user_id text not null references users (id) on delete cascade,
  primary key (report_id, user_id)
);

-- Machine clients' tokens for one report: stored only as SHA-256, revocable.
create table report_tokens (
  id text primary key,
  report_id text not null references reports (id) on delete cascade,
  token_hash text not null unique,
  created_by text references users (id) on delete set null,
  created_at timestamptz not null,
  revoked_at timestamptz
);
