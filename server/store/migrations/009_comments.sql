-- Comments on notebook cells (and on a range of a text cell's text), threaded one level:
-- a thread is a root comment and its replies; resolving is recorded on the root. Comments
-- live beside the Yjs document, not in it, so forks do not copy them. A comment may also
-- belong to a proposal on the notebook (proposal_id, no foreign key: proposals are
-- stored elsewhere); those may name no cell.
create table comments (
  id text primary key,
  notebook_id text not null references notebooks (id) on delete cascade,
  proposal_id text,
  cell_id text,
  parent_id text references comments (id) on delete cascade,
  author_id text references users (id) on delete set null,
  body text not null,
  -- The commented range of a text cell: Yjs relative positions, base64-encoded.
  range_start text,
  range_end text,
  -- User ids mentioned with `<@id>` in the body, members of the notebook's workspace when written.
  mentions jsonb not null default '[]',
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  resolved_by text references users (id) on delete set null,
  check (cell_id is not null or proposal_id is not null),
  check ((range_start is null) = (range_end is null))
);
create index comments_notebook on comments (notebook_id, created_at);
create index comments_parent on comments (parent_id);
