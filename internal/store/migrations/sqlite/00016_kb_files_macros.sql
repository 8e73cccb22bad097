-- +goose Up
-- Files attached to a knowledge base article (images the body shows,
-- downloads). The bytes live once in blobs, like ticket attachments.
CREATE TABLE kb_attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id   INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    sha256       TEXT NOT NULL REFERENCES blobs (sha256),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    author_id    INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX kb_attachments_article ON kb_attachments (article_id, id);

-- A category written in another language names the one it translates.
ALTER TABLE kb_categories ADD COLUMN translation_of INTEGER REFERENCES kb_categories (id) ON DELETE SET NULL;

-- A restored revision names the one it brought back.
ALTER TABLE kb_revisions ADD COLUMN restored_from INTEGER;

-- Macros: canned replies with placeholders, per-language translations
-- (JSON object locale → text) and ticket actions (JSON array). A macro
-- without owner_agent_id is shared with every agent.
CREATE TABLE macros (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL,
    body           TEXT NOT NULL DEFAULT '',
    locale         TEXT NOT NULL DEFAULT 'en',
    translations   TEXT NOT NULL DEFAULT '{}',
    actions        TEXT NOT NULL DEFAULT '[]',
    owner_agent_id INTEGER REFERENCES agents (id) ON DELETE CASCADE,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    usage_count    INTEGER NOT NULL DEFAULT 0,
    last_used_at   TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX macros_owner ON macros (owner_agent_id, name);

-- Files a macro's reply carries; the bytes live once in blobs.
CREATE TABLE macro_attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    macro_id     INTEGER NOT NULL REFERENCES macros (id) ON DELETE CASCADE,
    sha256       TEXT NOT NULL REFERENCES blobs (sha256),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX macro_attachments_macro ON macro_attachments (macro_id, id);

-- +goose Down
DROP TABLE macro_attachments;
DROP TABLE macros;
ALTER TABLE kb_revisions DROP COLUMN restored_from;
DROP TABLE kb_attachments;
ALTER TABLE kb_categories DROP COLUMN translation_of;
