-- +goose Up
CREATE TABLE priority_rules (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    active     BOOLEAN NOT NULL DEFAULT 1,
    conditions TEXT NOT NULL DEFAULT '{}',
    priority   TEXT NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX priority_rules_name ON priority_rules (lower(name));

-- +goose Down
DROP TABLE priority_rules;
