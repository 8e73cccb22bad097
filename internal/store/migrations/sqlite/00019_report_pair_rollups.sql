-- +goose Up
-- The reports' rollups now also count each pair of dimensions (team ×
-- priority, assignee × channel…), so a report filtered on two of them reads
-- daily rows instead of the joint hourly tables. A filed summary keeps its
-- joint tables but lacks the pair rows: state 2 says so (reports read the
-- events meanwhile), and `tessera report rebuild --rollups` sums the joint
-- tables into the rollups in SQL, without filing the tickets again.
UPDATE report_summary_state SET ready = 2 WHERE ready = 1 AND EXISTS (SELECT 1 FROM tickets);

-- +goose Down
-- The pair rows are harmless to the older code, which never reads them.
SELECT 1;
