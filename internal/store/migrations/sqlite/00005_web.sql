-- +goose Up
-- Browser sessions of agents and contacts, kept in the database so they
-- survive a restart and are shared by every server. Only a hash of the
-- cookie's secret is stored.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    agent_id     INTEGER REFERENCES agents (id) ON DELETE CASCADE,
    contact_id   INTEGER REFERENCES contacts (id) ON DELETE CASCADE,
    language     TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    remote_addr  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    CHECK ((agent_id IS NULL) <> (contact_id IS NULL))
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_agent ON sessions (agent_id);
CREATE INDEX sessions_contact ON sessions (contact_id);

-- Failed sign-ins, by account and by address, to slow down guessing on
-- every server at once.
CREATE TABLE login_failures (
    key        TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, created_at);

-- One-time sign-in links mailed to contacts.
CREATE TABLE login_links (
    token_hash TEXT PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX login_links_expires ON login_links (expires_at);

-- Contacts may get a portal password when the admin allows passwords.
ALTER TABLE contacts ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';

-- Who has a ticket open right now, and whether they are typing: one row per
-- browser tab, refreshed by a heartbeat, stale after a minute.
CREATE TABLE presence (
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    typing     BOOLEAN NOT NULL DEFAULT 0,
    seen_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, agent_id, client_id)
);
CREATE INDEX presence_seen ON presence (seen_at);

-- Signals for the live-event hub that are not ticket events (presence,
-- typing); every server polls this and ticket_events by id.
CREATE TABLE live_signals (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  INTEGER NOT NULL,
    agent_id   INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX live_signals_created ON live_signals (created_at);

-- Views an agent saves (agent_id set) or an admin shares (agent_id NULL).
CREATE TABLE saved_views (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id   INTEGER REFERENCES agents (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    filter     TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX saved_views_agent ON saved_views (agent_id, position);

-- +goose Down
DROP TABLE saved_views;
DROP TABLE live_signals;
DROP TABLE presence;
ALTER TABLE contacts DROP COLUMN password_hash;
DROP TABLE login_links;
DROP TABLE login_failures;
DROP TABLE sessions;
