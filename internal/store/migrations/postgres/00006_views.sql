-- +goose Up
-- Lists sort by updated, created, priority or the next SLA due time, and
-- lists of unsolved tickets sort by the due time unless told otherwise.
--
-- Partial indexes hold only the unsolved tickets (a small part of a help
-- desk's history), one per sort key, alone or after the assignee or the
-- team (the "mine", "unassigned" and "teams" views). The list queries carry
-- their predicate word for word: SQLite uses a partial index only then.
-- A list sorted by due time reads the tickets with a due time, then those
-- without (sla_due_at IS NULL is an equality in these indexes), so both
-- parts come in index order.
--
-- Priority is indexed as a weight, urgent highest, spelled exactly as the
-- list query spells it (internal/ticket priorityWeight): an index on an
-- expression serves only that expression.
CREATE INDEX tickets_unsolved_sla ON tickets (sla_due_at, id)
    WHERE status_category NOT IN ('solved', 'closed');
CREATE INDEX tickets_unsolved_priority ON tickets ((CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END), id)
    WHERE status_category NOT IN ('solved', 'closed');
CREATE INDEX tickets_unsolved_updated ON tickets (updated_at, id)
    WHERE status_category NOT IN ('solved', 'closed');
CREATE INDEX tickets_unsolved_created ON tickets (created_at, id)
    WHERE status_category NOT IN ('solved', 'closed');
CREATE INDEX tickets_assignee_unsolved_sla ON tickets (assignee_id, sla_due_at, id)
    WHERE status_category NOT IN ('solved', 'closed');
CREATE INDEX tickets_assignee_unsolved_priority ON tickets (assignee_id, (CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END), id)
    WHERE status_category NOT IN ('solved', 'closed');
CREATE INDEX tickets_assignee_unsolved_updated ON tickets (assignee_id, updated_at, id)
    WHERE status_category NOT IN ('solved', 'closed');
CREATE INDEX tickets_assignee_unsolved_created ON tickets (assignee_id, created_at, id)
    WHERE status_category NOT IN ('solved', 'closed');
CREATE INDEX tickets_team_unsolved_sla ON tickets (team_id, sla_due_at, id)
    WHERE status_category NOT IN ('solved', 'closed');
CREATE INDEX tickets_team_unsolved_priority ON tickets (team_id, (CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END), id)
    WHERE status_category NOT IN ('solved', 'closed');
CREATE INDEX tickets_team_unsolved_updated ON tickets (team_id, updated_at, id)
    WHERE status_category NOT IN ('solved', 'closed');
CREATE INDEX tickets_team_unsolved_created ON tickets (team_id, created_at, id)
    WHERE status_category NOT IN ('solved', 'closed');
-- A single status (pending, solved...) by priority or creation; by update
-- and due time it has its indexes already (00001, 00002).
CREATE INDEX tickets_status_priority ON tickets (status_category, (CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END), id);
CREATE INDEX tickets_status_created ON tickets (status_category, created_at, id);

-- +goose Down
DROP INDEX tickets_status_created;
DROP INDEX tickets_status_priority;
DROP INDEX tickets_team_unsolved_created;
DROP INDEX tickets_team_unsolved_updated;
DROP INDEX tickets_team_unsolved_priority;
DROP INDEX tickets_team_unsolved_sla;
DROP INDEX tickets_assignee_unsolved_created;
DROP INDEX tickets_assignee_unsolved_updated;
DROP INDEX tickets_assignee_unsolved_priority;
DROP INDEX tickets_assignee_unsolved_sla;
DROP INDEX tickets_unsolved_created;
DROP INDEX tickets_unsolved_updated;
DROP INDEX tickets_unsolved_priority;
DROP INDEX tickets_unsolved_sla;
