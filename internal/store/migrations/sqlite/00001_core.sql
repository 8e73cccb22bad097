-- +goose Up
CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    domains     TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX organizations_name ON organizations (lower(name));

CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    organization_id INTEGER REFERENCES organizations (id) ON DELETE SET NULL,
    tier            TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL DEFAULT '',
    time_zone       TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX contacts_organization ON contacts (organization_id);

CREATE TABLE contact_identities (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'chat')),
    value       TEXT NOT NULL,
    is_primary  BOOLEAN NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX contact_identities_value ON contact_identities (kind, value);
CREATE INDEX contact_identities_contact ON contact_identities (contact_id);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tier        INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (lower(name));

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'light')),
    ticket_access TEXT NOT NULL DEFAULT 'all' CHECK (ticket_access IN ('all', 'teams')),
    password_hash TEXT NOT NULL DEFAULT '',
    language      TEXT NOT NULL DEFAULT 'en',
    time_zone     TEXT NOT NULL DEFAULT 'UTC',
    availability  TEXT NOT NULL DEFAULT 'available',
    capacity      INTEGER NOT NULL DEFAULT 0,
    active        BOOLEAN NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX agents_email ON agents (email);

CREATE TABLE team_members (
    team_id  INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, agent_id)
);
CREATE INDEX team_members_agent ON team_members (agent_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id     INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);

CREATE TABLE statuses (
    key       TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    category  TEXT NOT NULL CHECK (category IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
    position  INTEGER NOT NULL DEFAULT 0,
    builtin   BOOLEAN NOT NULL DEFAULT 0,
    active    BOOLEAN NOT NULL DEFAULT 1
);
INSERT INTO statuses (key, name, category, position, builtin) VALUES
    ('new', 'New', 'new', 0, 1),
    ('open', 'Open', 'open', 10, 1),
    ('pending', 'Pending', 'pending', 20, 1),
    ('on_hold', 'On hold', 'on_hold', 30, 1),
    ('solved', 'Solved', 'solved', 40, 1),
    ('closed', 'Closed', 'closed', 50, 1);

CREATE TABLE custom_fields (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    key       TEXT NOT NULL,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('text', 'number', 'date', 'dropdown', 'checkbox')),
    options   TEXT NOT NULL DEFAULT '[]',
    required  BOOLEAN NOT NULL DEFAULT 0,
    position  INTEGER NOT NULL DEFAULT 0,
    active    BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX custom_fields_key ON custom_fields (key);

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    number          INTEGER NOT NULL,
    subject         TEXT NOT NULL,
    status          TEXT NOT NULL REFERENCES statuses (key),
    status_category TEXT NOT NULL,
    priority        TEXT NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
    type            TEXT NOT NULL DEFAULT '' CHECK (type IN ('', 'question', 'incident', 'problem', 'task')),
    channel         TEXT NOT NULL,
    requester_id    INTEGER NOT NULL REFERENCES contacts (id),
    organization_id INTEGER REFERENCES organizations (id) ON DELETE SET NULL,
    assignee_id     INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    team_id         INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    merged_into_id  INTEGER REFERENCES tickets (id),
    custom_fields   TEXT NOT NULL DEFAULT '{}',
    message_count   INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    first_reply_at  TIMESTAMP,
    solved_at       TIMESTAMP,
    closed_at       TIMESTAMP
);
CREATE UNIQUE INDEX tickets_number ON tickets (number);
-- The indexes below serve the views: every list is a filter on one of these
-- leading columns, ordered by (updated_at|created_at, id) for keyset paging.
CREATE INDEX tickets_status_updated ON tickets (status_category, updated_at, id);
CREATE INDEX tickets_team_status_updated ON tickets (team_id, status_category, updated_at, id);
CREATE INDEX tickets_assignee_status_updated ON tickets (assignee_id, status_category, updated_at, id);
CREATE INDEX tickets_requester_created ON tickets (requester_id, created_at, id);
CREATE INDEX tickets_organization_created ON tickets (organization_id, created_at, id);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_created ON tickets (created_at, id);
-- Closing solved tickets after some days reads only the solved ones.
CREATE INDEX tickets_solved ON tickets (solved_at) WHERE status_category = 'solved';

CREATE TABLE tags (
    name TEXT PRIMARY KEY
);

CREATE TABLE ticket_tags (
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag, ticket_id);

CREATE TABLE messages (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id         INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('reply', 'note', 'system')),
    author_agent_id   INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    author_contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    channel           TEXT NOT NULL,
    body_text         TEXT NOT NULL,
    body_html         TEXT NOT NULL,
    mail_message_id   TEXT,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX messages_ticket ON messages (ticket_id, id);
CREATE UNIQUE INDEX messages_mail_message_id ON messages (mail_message_id) WHERE mail_message_id IS NOT NULL;

-- Attachments are content-addressed: the bytes live once in blobs, keyed by
-- their SHA-256, however many messages carry them.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    data       BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id   INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    sha256       TEXT NOT NULL REFERENCES blobs (sha256),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);
CREATE INDEX attachments_ticket ON attachments (ticket_id);

CREATE TABLE ticket_links (
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    linked_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('related', 'follow_up', 'follow_up_of', 'merged_from', 'merged_into')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, linked_id, kind)
);

CREATE TABLE ticket_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    type         TEXT NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     INTEGER,
    field        TEXT NOT NULL DEFAULT '',
    old_value    TEXT NOT NULL DEFAULT '',
    new_value    TEXT NOT NULL DEFAULT '',
    message_id   INTEGER,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
CREATE INDEX ticket_events_created ON ticket_events (created_at);

-- Full-text search: one document per ticket (subject and every message),
-- folded to lower case without accents by the application before it is
-- written (highlights are built from the original text, not from here).
CREATE VIRTUAL TABLE ticket_fts USING fts5 (
    subject,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE idempotency_keys (
    agent_id     INTEGER NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    response     BLOB,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (agent_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    summary    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE INDEX notifications_agent ON notifications (agent_id, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id   INTEGER,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE settings;
DROP TABLE notifications;
DROP TABLE idempotency_keys;
DROP TABLE ticket_fts;
DROP TABLE ticket_events;
DROP TABLE ticket_links;
DROP TABLE attachments;
DROP TABLE blobs;
DROP TABLE messages;
DROP TABLE ticket_tags;
DROP TABLE tags;
DROP TABLE tickets;
DROP TABLE custom_fields;
DROP TABLE statuses;
DROP TABLE api_tokens;
DROP TABLE team_members;
DROP TABLE agents;
DROP TABLE teams;
DROP TABLE contact_identities;
DROP TABLE contacts;
DROP TABLE organizations;
