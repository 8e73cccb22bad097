-- +goose Up
-- Reports read the event log by type over a period: this index lets each
-- report touch only the events of the types it counts in the range.
CREATE INDEX ticket_events_type_created ON ticket_events (type, created_at);

-- A survey is offered when a ticket is solved: its link's secret is stored
-- hashed, like sign-in links; solving again offers a fresh link (the old
-- one stops working) and the answer window starts over.
CREATE TABLE surveys (
    ticket_id    INTEGER PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL,
    agent_id     INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX surveys_token ON surveys (token_hash);

-- Customer satisfaction: one answer per ticket (good or bad, with an
-- optional comment), given through a signed link and changeable within a
-- window; agent_id is who solved the ticket, so the rating shows on the
-- agent's record even after the ticket is reassigned.
CREATE TABLE survey_responses (
    ticket_id    INTEGER PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    agent_id     INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    rating       TEXT NOT NULL CHECK (rating IN ('good', 'bad')),
    comment      TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX survey_responses_updated ON survey_responses (updated_at);
CREATE INDEX survey_responses_agent ON survey_responses (agent_id, updated_at);

-- +goose Down
DROP TABLE survey_responses;
DROP TABLE surveys;
DROP INDEX ticket_events_type_created;
