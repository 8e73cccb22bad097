-- +goose Up
-- The inbox a ticket came in through (a mailbox, the web form, the API):
-- triggers, SLA policies, routing and reports filter on it. Older tickets
-- have none.
ALTER TABLE tickets ADD COLUMN inbox_id BIGINT REFERENCES inboxes (id) ON DELETE SET NULL;
CREATE INDEX tickets_inbox_created ON tickets (inbox_id, created_at, id);

-- +goose Down
DROP INDEX tickets_inbox_created;
ALTER TABLE tickets DROP COLUMN inbox_id;
