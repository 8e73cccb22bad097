-- +goose Up
-- Followers are contacts who get a ticket's public replies besides its
-- requester: colleagues on Cc of the mail, or added by an agent.
CREATE TABLE ticket_followers (
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, contact_id)
);
CREATE INDEX ticket_followers_contact ON ticket_followers (contact_id);

-- +goose Down
DROP TABLE ticket_followers;
