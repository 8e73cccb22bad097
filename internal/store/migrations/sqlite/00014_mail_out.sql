-- +goose Up
-- Outbound mail (the email channel's "out"): one delivery per recipient of
-- each mail we send (an agent's reply, an auto-acknowledgement), so a
-- permanent failure or a bounce can be shown on the message it carried.
CREATE TABLE mail_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_id      INTEGER REFERENCES messages (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('reply', 'auto_ack')),
    recipient       TEXT NOT NULL,
    recipient_name  TEXT NOT NULL DEFAULT '',
    mail_message_id TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'bounced')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX mail_deliveries_ticket ON mail_deliveries (ticket_id, id);
CREATE INDEX mail_deliveries_mail_id ON mail_deliveries (mail_message_id);

-- Admins' versions of the mail templates; the embedded defaults apply
-- where there is none. inbox_id NULL: for every inbox.
CREATE TABLE mail_templates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT NOT NULL,
    language   TEXT NOT NULL,
    inbox_id   INTEGER REFERENCES inboxes (id) ON DELETE CASCADE,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX mail_templates_key ON mail_templates (key, language, COALESCE(inbox_id, 0));

-- Per inbox: whether new tickets are acknowledged, and how many new
-- tickets an hour one sender may open before being rate-limited. An inbox
-- without a row acknowledges, with the default limit.
CREATE TABLE inbox_mail_options (
    inbox_id       INTEGER PRIMARY KEY REFERENCES inboxes (id) ON DELETE CASCADE,
    auto_ack       BOOLEAN NOT NULL,
    flood_per_hour INTEGER NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

-- Per agent: which notifications also come by mail. No row: all of them.
CREATE TABLE agent_mail_prefs (
    agent_id         INTEGER PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
    assigned         BOOLEAN NOT NULL,
    customer_replied BOOLEAN NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE agent_mail_prefs;
DROP TABLE inbox_mail_options;
DROP TABLE mail_templates;
DROP TABLE mail_deliveries;
