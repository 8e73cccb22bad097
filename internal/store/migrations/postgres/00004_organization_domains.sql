-- +goose Up
-- The domains an organization claims, one row each, so matching a new
-- contact's address to its organization is one index probe.
CREATE TABLE organization_domains (
    domain          TEXT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE
);
CREATE INDEX organization_domains_org ON organization_domains (organization_id);

INSERT INTO organization_domains (domain, organization_id)
SELECT DISTINCT ON (d) d, id FROM organizations, regexp_split_to_table(trim(domains), '\s+') AS d
WHERE trim(domains) <> '' ORDER BY d, id
ON CONFLICT DO NOTHING;

-- +goose Down
DROP TABLE organization_domains;
