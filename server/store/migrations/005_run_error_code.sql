-- A machine-readable reason next to a failed run's message. `result_widened`: a value did
-- not fit the type its first rows chose; the client runs the query again, and the server
-- starts that run with the wider type (docs/types.md).
alter table query_runs add column error_code text;
