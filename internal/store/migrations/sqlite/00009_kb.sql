-- +goose Up
-- The knowledge base. A category with a parent is a section of it. Each
-- category and article is written in one language; translations of an
-- article share translation_of (the id of the first one written).
CREATE TABLE kb_categories (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id   INTEGER REFERENCES kb_categories (id) ON DELETE CASCADE,
    locale      TEXT NOT NULL DEFAULT 'en',
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX kb_categories_locale ON kb_categories (locale, parent_id, position);

CREATE TABLE kb_articles (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    locale         TEXT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL DEFAULT '',
    body_html      TEXT NOT NULL DEFAULT '',
    body_text      TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    visibility     TEXT NOT NULL CHECK (visibility IN ('public', 'customers', 'agents')),
    category_id    INTEGER REFERENCES kb_categories (id) ON DELETE SET NULL,
    author_id      INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    tags           TEXT NOT NULL DEFAULT '',
    translation_of INTEGER REFERENCES kb_articles (id) ON DELETE SET NULL,
    views          INTEGER NOT NULL DEFAULT 0,
    published_at   TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX kb_articles_category ON kb_articles (category_id, status);
CREATE INDEX kb_articles_locale ON kb_articles (locale, status, visibility);

-- Every save keeps the version it replaced.
CREATE TABLE kb_revisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id  INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    status      TEXT NOT NULL,
    visibility  TEXT NOT NULL,
    category_id INTEGER,
    tags        TEXT NOT NULL DEFAULT '',
    author_id   INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX kb_revisions_article ON kb_revisions (article_id, id);

CREATE TABLE kb_feedback (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    helpful    BOOLEAN NOT NULL,
    contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX kb_feedback_article ON kb_feedback (article_id);

-- A deflection: a customer opened a suggested article while writing a
-- request and left without sending it.
CREATE TABLE kb_deflections (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    query      TEXT NOT NULL DEFAULT '',
    contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX kb_deflections_article ON kb_deflections (article_id);

-- Searches and how many results they found: those that found nothing are
-- the articles to write next.
CREATE TABLE kb_searches (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    locale     TEXT NOT NULL,
    query      TEXT NOT NULL,
    results    INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX kb_searches_results ON kb_searches (results, created_at);

-- The vocabulary of the published articles of each language: the folded
-- words (and their light stems) with the number of articles using them. A
-- query word that is not in it is corrected to the nearest one that is.
CREATE TABLE kb_terms (
    locale TEXT NOT NULL,
    term   TEXT NOT NULL,
    docs   INTEGER NOT NULL,
    PRIMARY KEY (locale, term)
);

-- The search index: folded title and body, words and their stems.
CREATE VIRTUAL TABLE kb_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 0');

-- +goose Down
DROP TABLE kb_fts;
DROP TABLE kb_terms;
DROP TABLE kb_searches;
DROP TABLE kb_deflections;
DROP TABLE kb_feedback;
DROP TABLE kb_revisions;
DROP TABLE kb_articles;
DROP TABLE kb_categories;
