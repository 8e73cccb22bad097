-- +goose Up
-- Triggers run on ticket events, automations on time. Both hold their
-- conditions and actions as JSON (package automation reads them).
CREATE TABLE triggers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0,
    active        BOOLEAN NOT NULL DEFAULT 1,
    on_events     TEXT NOT NULL DEFAULT '[]',
    conditions    TEXT NOT NULL DEFAULT '{}',
    actions       TEXT NOT NULL DEFAULT '[]',
    fired_count   INTEGER NOT NULL DEFAULT 0,
    last_fired_at TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX triggers_name ON triggers (lower(name));

CREATE TABLE automations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0,
    active        BOOLEAN NOT NULL DEFAULT 1,
    conditions    TEXT NOT NULL DEFAULT '{}',
    actions       TEXT NOT NULL DEFAULT '[]',
    fired_count   INTEGER NOT NULL DEFAULT 0,
    last_fired_at TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX automations_name ON automations (lower(name));

-- When each automation's time condition becomes true for each ticket,
-- kept in the transaction of every ticket change. The runner reads the
-- partial index: its cost follows what is due, not the number of tickets.
-- A fired row stays, so an automation fires at most once per ticket.
CREATE TABLE automation_due (
    automation_id INTEGER NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    ticket_id     INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    due_at        TIMESTAMP NOT NULL,
    fired_at      TIMESTAMP,
    PRIMARY KEY (automation_id, ticket_id)
);
CREATE INDEX automation_due_pending ON automation_due (due_at) WHERE fired_at IS NULL;
CREATE INDEX automation_due_ticket ON automation_due (ticket_id);

-- The SLA policy a rule set on a ticket, in place of the policy its
-- conditions would choose.
ALTER TABLE tickets ADD COLUMN sla_policy_pinned INTEGER REFERENCES sla_policies (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE tickets DROP COLUMN sla_policy_pinned;
DROP TABLE automation_due;
DROP TABLE automations;
DROP TABLE triggers;
