-- +goose Up
-- The reports' rollups now also count each pair of dimensions (team ×
-- priority, assignee × channel…), so a report filtered on two of them reads
-- daily rows instead of the joint hourly tables. A filed summary keeps its
-- joint tables but lacks the pair rows: state 2 says so (reports read the
-- events meanwhile), and `tessera report rebuild --rollups` sums the joint
-- tables into the rollups in SQL, without filing the tickets again.
UPDATE report_summary_state SET ready = 2 WHERE ready = 1 AND EXISTS (SELECT 1 FROM tickets);

-- The backlog (tickets open at a period's end) counts open tickets by
-- status category and last update with the report's filters: this index
-- holds every column those filters test, so the count reads the index
-- alone instead of each open ticket's row.
CREATE INDEX tickets_backlog ON tickets (status_category, updated_at, team_id, assignee_id, inbox_id, channel, priority, organization_id);

-- +goose Down
-- The pair rows are harmless to the older code, which never reads them; a
-- summary still waiting for its rollups (state 2) has stale single ones,
-- which the older `tessera report rebuild --resume` refills.
UPDATE report_summary_state SET ready = 0 WHERE ready = 2;
DROP INDEX tickets_backlog;
