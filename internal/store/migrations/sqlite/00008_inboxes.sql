-- +goose Up
-- Inboxes are where requests enter: a mailbox, a web form, a chat widget,
-- the API. Each gives its tickets a default team, language and priority.
-- settings holds the channel's own configuration as a JSON object (for a
-- mailbox, later: IMAP and SMTP), so a channel needs no migration of its
-- own to be configured.
CREATE TABLE inboxes (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('email', 'web', 'api', 'chat')),
    address          TEXT NOT NULL DEFAULT '',
    default_team_id  INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    default_language TEXT NOT NULL DEFAULT 'en',
    default_priority TEXT NOT NULL DEFAULT '' CHECK (default_priority IN ('', 'urgent', 'high', 'normal', 'low')),
    settings         TEXT NOT NULL DEFAULT '{}',
    active           BOOLEAN NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX inboxes_name ON inboxes (lower(name));
-- Mail is routed to its inbox by address: one inbox per address.
CREATE UNIQUE INDEX inboxes_address ON inboxes (kind, lower(address)) WHERE address <> '';

-- +goose Down
DROP TABLE inboxes;
