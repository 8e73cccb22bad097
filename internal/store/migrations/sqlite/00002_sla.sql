-- +goose Up
CREATE TABLE calendars (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    week        TEXT NOT NULL,
    holidays    TEXT NOT NULL DEFAULT '[]',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX calendars_name ON calendars (lower(name));

CREATE TABLE sla_policies (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    name                TEXT NOT NULL,
    position            INTEGER NOT NULL DEFAULT 0,
    active              BOOLEAN NOT NULL DEFAULT 1,
    conditions          TEXT NOT NULL DEFAULT '{}',
    targets             TEXT NOT NULL DEFAULT '{}',
    calendar_id         INTEGER REFERENCES calendars (id),
    pause_on_pending    BOOLEAN NOT NULL DEFAULT 1,
    pause_on_hold       BOOLEAN NOT NULL DEFAULT 1,
    warn_before_minutes INTEGER NOT NULL DEFAULT 0,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sla_policies_name ON sla_policies (lower(name));

-- Where each metric of each ticket stands. Breach and warning detection
-- read the partial indexes below: their cost follows the number of clocks
-- due, not the number of open tickets.
CREATE TABLE ticket_sla (
    ticket_id      INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    metric         TEXT NOT NULL CHECK (metric IN ('first_reply', 'next_reply', 'resolution')),
    policy_id      INTEGER NOT NULL REFERENCES sla_policies (id) ON DELETE CASCADE,
    state          TEXT NOT NULL CHECK (state IN ('active', 'paused', 'achieved', 'breached')),
    target_minutes INTEGER NOT NULL,
    business_hours BOOLEAN NOT NULL,
    due_at         TIMESTAMP,
    warn_at        TIMESTAMP,
    warned_at      TIMESTAMP,
    achieved_at    TIMESTAMP,
    breached_at    TIMESTAMP,
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, metric)
);
CREATE INDEX ticket_sla_due ON ticket_sla (due_at) WHERE state = 'active';
CREATE INDEX ticket_sla_warn ON ticket_sla (warn_at) WHERE state = 'active' AND warned_at IS NULL;

ALTER TABLE tickets ADD COLUMN sla_policy_id INTEGER REFERENCES sla_policies (id) ON DELETE SET NULL;
ALTER TABLE tickets ADD COLUMN sla_due_at TIMESTAMP;
CREATE INDEX tickets_status_sla_due ON tickets (status_category, sla_due_at, id);

-- +goose Down
DROP INDEX tickets_status_sla_due;
ALTER TABLE tickets DROP COLUMN sla_due_at;
ALTER TABLE tickets DROP COLUMN sla_policy_id;
DROP TABLE ticket_sla;
DROP TABLE sla_policies;
DROP TABLE calendars;
