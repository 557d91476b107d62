-- A read-only connection whose account can act beyond reading (a PostgreSQL superuser, a
-- MySQL account with FILE, …) is saved only when an owner or admin accepted that risk
-- (server/connections/service.ts); this records that they did.
alter table connections add column accept_privileged_account boolean not null default false;
