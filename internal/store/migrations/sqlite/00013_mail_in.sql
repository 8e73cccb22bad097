-- +goose Up
-- Mail in: what a message received by mail keeps besides its text (the
-- whole text, the sanitised HTML, its headers, the raw mail as a blob),
-- the mail that could not be stored, and the IMAP fetcher's cursors and
-- health per inbox.
ALTER TABLE messages ADD COLUMN full_text TEXT;
ALTER TABLE messages ADD COLUMN html TEXT;
ALTER TABLE messages ADD COLUMN mail_headers TEXT;
ALTER TABLE messages ADD COLUMN raw_sha256 TEXT REFERENCES blobs (sha256);
-- Outlook's Thread-Index root (its first 22 bytes, base64): a reply whose
-- client dropped In-Reply-To and References still shares it.
ALTER TABLE messages ADD COLUMN thread_index_root TEXT;
CREATE INDEX messages_thread_index_root ON messages (thread_index_root, id) WHERE thread_index_root IS NOT NULL;

CREATE TABLE failed_mail (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    inbox_id    INTEGER REFERENCES inboxes (id) ON DELETE SET NULL,
    raw_sha256  TEXT NOT NULL REFERENCES blobs (sha256),
    size        INTEGER NOT NULL,
    source      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    sender      TEXT NOT NULL,
    error       TEXT NOT NULL,
    retries     INTEGER NOT NULL DEFAULT 0,
    resolution  TEXT CHECK (resolution IN ('stored', 'dismissed')),
    ticket_id   INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    received_at TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
-- The same broken mail fetched again is one open entry, not a new one.
CREATE UNIQUE INDEX failed_mail_open_raw ON failed_mail (raw_sha256) WHERE resolution IS NULL;

CREATE TABLE imap_cursors (
    inbox_id     INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    folder       TEXT NOT NULL,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (inbox_id, folder)
);

CREATE TABLE inbox_health (
    inbox_id        INTEGER PRIMARY KEY REFERENCES inboxes (id) ON DELETE CASCADE,
    state           TEXT NOT NULL,
    last_fetch_at   TIMESTAMP,
    last_success_at TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT '',
    last_error_at   TIMESTAMP,
    backlog         INTEGER NOT NULL DEFAULT 0,
    fetched         INTEGER NOT NULL DEFAULT 0,
    updated_at      TIMESTAMP NOT NULL,
    -- Which server fetches the inbox, until when: servers sharing one
    -- database fetch each inbox once.
    lease_owner     TEXT,
    lease_until     TIMESTAMP
);

-- +goose Down
DROP TABLE inbox_health;
DROP TABLE imap_cursors;
DROP TABLE failed_mail;
DROP INDEX messages_thread_index_root;
ALTER TABLE messages DROP COLUMN thread_index_root;
ALTER TABLE messages DROP COLUMN raw_sha256;
ALTER TABLE messages DROP COLUMN mail_headers;
ALTER TABLE messages DROP COLUMN html;
ALTER TABLE messages DROP COLUMN full_text;
