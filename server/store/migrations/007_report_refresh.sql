-- Scheduled refresh of published reports, their per-cell outcome, alerts on results and
-- the webhooks alerts post to (docs/api.md, "Scheduled refresh and alerts").

-- When the scheduler next refreshes a report (null: never, no refresh policy), and how the
-- last refresh went as a whole. Several server processes claim due reports from here with
-- `for update skip locked` and advance `next_refresh_at` in the same transaction.
alter table reports add column next_refresh_at timestamptz;
alter table reports add column last_refresh_at timestamptz;
-- Set when computing the report failed as a whole (no cell outcome to record it on).
alter table reports add column last_refresh_error text;
alter table reports add column last_refresh_error_at timestamptz;
create index reports_next_refresh on reports (next_refresh_at) where next_refresh_at is not null and unpublished_at is null;

-- Each shown cell's last refresh: a failed refresh changes only the error fields, so the
-- last good time and row count survive it.
create table report_cell_state (
  report_id text not null references reports (id) on delete cascade,
  cell_id text not null,
  cell_name text not null,
  last_ok_at timestamptz,
  last_rows bigint,
  last_error text,
  last_error_at timestamptz,
  primary key (report_id, cell_id)
);

-- Saved webhook destinations of a workspace. The URL is sealed with CAIRN_SECRET_KEY
-- (server/connections/secrets.ts), bound to the webhook's id: chat webhook URLs are secrets.
-- Deleting keeps the row (deleted_at), so alerts that chose it say why they stopped.
create table workspace_webhooks (
  id text primary key,
  workspace_id text not null references workspaces (id) on delete cascade,
  name text not null,
  url_sealed text not null,
  created_by text references users (id) on delete set null,
  created_at timestamptz not null,
  deleted_at timestamptz
);
create index workspace_webhooks_workspace on workspace_webhooks (workspace_id) where deleted_at is null;

-- An alert on one cell of a report. `state` is what the last check found; a delivery is
-- made only on the change ok → triggered. A raw webhook URL is sealed, bound to the alert id.
create table report_alerts (
  id text primary key,
  report_id text not null references reports (id) on delete cascade,
  cell_name text not null,
  name text not null,
  condition jsonb not null,
  webhook_url_sealed text,
  webhook_id text references workspace_webhooks (id),
  state text not null default 'ok' check (state in ('ok', 'triggered')),
  state_changed_at timestamptz,
  -- Why the last check could not decide (a column the result does not have).
  last_check_error text,
  created_by text references users (id) on delete set null,
  created_at timestamptz not null
);
create index report_alerts_report on report_alerts (report_id);

-- One notification per ok → triggered change, with what was sent; its attempts below.
create table alert_deliveries (
  id text primary key,
  alert_id text not null references report_alerts (id) on delete cascade,
  payload jsonb not null,
  -- pending: being sent; delivered: a 2xx answer; failed: out of attempts or not retryable,
  -- recorded: the alert has no destination, the change is only kept here.
  status text not null check (status in ('pending', 'delivered', 'failed', 'recorded')),
  attempts integer not null default 0,
  created_at timestamptz not null,
  finished_at timestamptz
);
create index alert_deliveries_alert on alert_deliveries (alert_id, created_at);

create table alert_delivery_attempts (
  delivery_id text not null references alert_deliveries (id) on delete cascade,
  attempt integer not null,
  at timestamptz not null,
  duration_ms integer not null,
  -- The HTTP status (null when no answer came: network error or timeout).
  status_code integer,
  -- The start of the answer's body, for the history page.
  answer text,
  error text,
  primary key (delivery_id, attempt)
);
