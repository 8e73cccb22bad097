-- +goose Up
-- Routing: each team's assignment strategy and its round-robin cursor (the
-- agent it assigned last). The row is locked while a ticket is routed, so
-- concurrent assignments into one team take turns.
ALTER TABLE teams ADD COLUMN routing_strategy TEXT NOT NULL DEFAULT 'manual'
    CHECK (routing_strategy IN ('manual', 'round_robin', 'least_loaded'));
ALTER TABLE teams ADD COLUMN routing_last_agent_id INTEGER;

-- An agent's skills: tags they handle and languages they speak. An agent
-- without any takes every ticket of their teams.
CREATE TABLE agent_skills (
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('tag', 'language')),
    value    TEXT NOT NULL,
    PRIMARY KEY (agent_id, kind, value)
);

-- Each agent's load (tickets new or open), counted from the index alone.
CREATE INDEX tickets_assignee_load ON tickets (assignee_id) WHERE status_category IN ('new', 'open');

-- Webhooks: subscriptions of another system to ticket events.
CREATE TABLE webhooks (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    url                  TEXT NOT NULL,
    secret               TEXT NOT NULL,
    events               TEXT NOT NULL,
    active               BOOLEAN NOT NULL DEFAULT 1,
    disabled_reason      TEXT NOT NULL DEFAULT '',
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    failing_since        TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);

-- One event to deliver to one webhook; body is fixed at the first attempt
-- so every retry sends the same document.
CREATE TABLE webhook_deliveries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id  INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    ticket_id   INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    message_id  INTEGER,
    changes     TEXT NOT NULL DEFAULT '[]',
    body        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);

-- Each attempt of a delivery: what the receiver answered, or why not.
CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    response    TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP INDEX tickets_assignee_load;
DROP TABLE agent_skills;
ALTER TABLE teams DROP COLUMN routing_last_agent_id;
ALTER TABLE teams DROP COLUMN routing_strategy;
