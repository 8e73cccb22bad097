-- +goose Up
-- Lists sort by update, creation, priority or the next SLA due time, and
-- lists of unsolved tickets by the due time unless told otherwise.
--
-- One partial index per sort key over the tickets short of closed: the
-- work of a help desk and its recent past (solved tickets close after a
-- few days), a small part of its history. A list of such tickets walks the
-- index in its order, filters as it goes and stops at the page's end. The
-- list queries carry the predicate word for word (SQLite uses a partial
-- index only then), and on SQLite they keep other columns out of index
-- lookups (see internal/ticket filterConds). A list sorted by due time
-- reads the tickets with a due time, then those without: sla_due_at IS
-- NULL is an equality in this index, so both parts come in its order.
--
-- Every index costs each write to a ticket (some 30 µs a ticket created on
-- SQLite at a million tickets), so there is one per sort key, not one per
-- filter and sort: the views of one status sorted by update or due time
-- have their own indexes already (00001, 00002), a team's or the
-- unassigned tickets are a large part of the open ones and come quickly
-- along these, and one agent's tickets are few and read through the
-- assignee's index and sorted. The exception is an agent's own queue by
-- due time, the default of the view they open most ("mine"): it has its
-- index.
--
-- Priority is indexed as a weight, urgent highest, spelled exactly as the
-- list query spells it (internal/ticket priorityWeight): an index on an
-- expression serves only that expression.
CREATE INDEX tickets_open_sla ON tickets (sla_due_at, id) WHERE status_category <> 'closed';
CREATE INDEX tickets_open_priority ON tickets ((CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END), id)
    WHERE status_category <> 'closed';
CREATE INDEX tickets_open_updated ON tickets (updated_at, id) WHERE status_category <> 'closed';
CREATE INDEX tickets_open_created ON tickets (created_at, id) WHERE status_category <> 'closed';
CREATE INDEX tickets_open_assignee_sla ON tickets (assignee_id, sla_due_at, id) WHERE status_category <> 'closed';

-- The planner takes columns to be independent; these are not: the
-- unassigned are few among all tickets and many among the open ones, and
-- a team's share of the open tickets is not its share of the history.
-- With the joint frequencies it sees that walking an index in order finds
-- a page soon, instead of expecting a handful of rows and sorting
-- thousands (in generic plans above all, which know no values).
CREATE STATISTICS tickets_status_assignee_stats (mcv) ON status_category, assignee_id FROM tickets;
CREATE STATISTICS tickets_status_team_stats (mcv) ON status_category, team_id FROM tickets;

-- +goose Down
DROP STATISTICS tickets_status_team_stats;
DROP STATISTICS tickets_status_assignee_stats;
DROP INDEX tickets_open_assignee_sla;
DROP INDEX tickets_open_created;
DROP INDEX tickets_open_updated;
DROP INDEX tickets_open_priority;
DROP INDEX tickets_open_sla;
