-- +goose Up
-- The domains an organization claims, one row each, so matching a new
-- contact's address to its organization is one index probe.
CREATE TABLE organization_domains (
    domain          TEXT PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE
);
CREATE INDEX organization_domains_org ON organization_domains (organization_id);

WITH RECURSIVE split (organization_id, rest, domain) AS (
    SELECT id, trim(domains) || ' ', '' FROM organizations WHERE trim(domains) <> ''
    UNION ALL
    SELECT organization_id, ltrim(substr(rest, instr(rest, ' ') + 1)), substr(rest, 1, instr(rest, ' ') - 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO organization_domains (domain, organization_id)
SELECT domain, organization_id FROM split WHERE domain <> '' ORDER BY organization_id;

-- +goose Down
DROP TABLE organization_domains;
