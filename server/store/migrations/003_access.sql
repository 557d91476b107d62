-- Access: instance admins, several workspaces per user, invitations, notebook sharing,
-- connection grants, session bookkeeping and the files each workspace holds.

alter table users add column instance_admin boolean not null default false;
-- The first account of an instance made before this migration owns the default workspace.
update users set instance_admin = true where id = (select owner_id from workspaces where id = 'default');
alter table users add column current_workspace_id text references workspaces (id) on delete set null;

alter table workspaces add column allowed_domains jsonb not null default '[]';

-- Sessions get an id to list and end them by (the token itself is never stored), and a
-- last-use time: a session idle for 14 days ends.
alter table sessions add column id text;
update sessions set id = substr(token_hash, 1, 32) where id is null;
alter table sessions alter column id set not null;
create unique index sessions_id on sessions (id);
alter table sessions add column last_used_at timestamptz not null default now();
alter table sessions add column user_agent text;

create table invitations (
  id text primary key,
  -- SHA-256 of the token in the link; the token itself is shown once.
  token_hash text not null unique,
  workspace_id text not null references workspaces (id) on delete cascade,
  role text not null check (role in ('owner', 'admin', 'editor', 'viewer')),
  email text,
  expires_at timestamptz not null,
  max_uses integer not null,
  used integer not null default 0,
  created_by text references users (id) on delete set null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);
create index invitations_workspace on invitations (workspace_id, created_at desc);

-- What members of the notebook's workspace get without a grant: edit, view or none.
alter table notebooks add column general_access text not null default 'edit' check (general_access in ('edit', 'view', 'none'));

create table notebook_grants (
  notebook_id text not null references notebooks (id) on delete cascade,
  user_id text not null references users (id) on delete cascade,
  role text not null check (role in ('edit', 'view')),
  primary key (notebook_id, user_id)
);
create index notebook_grants_user on notebook_grants (user_id);

-- Who may use a connection: every editor ("editors"), or only the members listed.
alter table connections add column access jsonb not null default '"editors"';

-- Uploads per workspace and uploader: who may read a file by hash, and the workspace quota.
create table files (
  hash text not null,
  workspace_id text not null references workspaces (id) on delete cascade,
  uploaded_by text not null references users (id) on delete cascade,
  size bigint not null,
  created_at timestamptz not null default now(),
  primary key (hash, workspace_id, uploaded_by)
);
