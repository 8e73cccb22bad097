-- +goose Up
-- Custom fields an admin shows on the customer portal's web form. The
-- portal's own settings (priority on the form, organization sharing,
-- passwords) live in the settings table under portal.* keys.
ALTER TABLE custom_fields ADD COLUMN portal BOOLEAN NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE custom_fields DROP COLUMN portal;
