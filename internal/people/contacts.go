package people

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// TeamInput creates or changes a team.
type TeamInput struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Tier        *int    `json:"tier"`
	// RoutingStrategy: manual (the default), round_robin or least_loaded.
	RoutingStrategy *string  `json:"routing_strategy"`
	AgentIDs        *[]int64 `json:"agent_ids"`
}

// RoutingStrategies are the ways a team's tickets are assigned; package
// routing carries them out.
var RoutingStrategies = []string{"manual", "round_robin", "least_loaded"}

func checkStrategy(c *validation.Collector, s *string) {
	if s != nil && !slices.Contains(RoutingStrategies, *s) {
		c.Add("routing_strategy", "must be one of %s", strings.Join(RoutingStrategies, ", "))
	}
}

// CreateTeam adds a team (admins only).
func (s *Service) CreateTeam(ctx context.Context, actor auth.Actor, in TeamInput) (Team, error) {
	if !actor.IsAdmin() {
		return Team{}, auth.Forbidden("only admins manage teams")
	}
	name := strings.TrimSpace(deref(in.Name))
	var c validation.Collector
	c.Text("name", name, 100, true)
	c.Text("description", deref(in.Description), 2000, false)
	if in.Tier != nil && (*in.Tier < 1 || *in.Tier > 9) {
		c.Add("tier", "must be between 1 and 9")
	}
	checkStrategy(&c, in.RoutingStrategy)
	if err := c.Err(); err != nil {
		return Team{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO teams (name, description, tier, routing_strategy, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			name, deref(in.Description), or(in.Tier, 1), or(in.RoutingStrategy, "manual"), store.Now()).Scan(&id)
		if errors.Is(err, store.ErrConflict) {
			return validation.Field("name", "a team with this name already exists")
		}
		if err != nil {
			return fmt.Errorf("insert team: %w", err)
		}
		if in.AgentIDs != nil {
			for _, a := range *in.AgentIDs {
				if _, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, a); err != nil {
					if errors.Is(err, store.ErrReference) {
						return validation.Field("agent_ids", "agent %d does not exist", a)
					}
					return fmt.Errorf("add member: %w", err)
				}
			}
		}
		return auth.Audit(ctx, tx, actor, "team.create", fmt.Sprintf("team:%d", id), name)
	})
	if err != nil {
		return Team{}, err
	}
	return s.GetTeam(ctx, id)
}

// UpdateTeam changes a team (admins only). AgentIDs, when given, replaces
// its members.
func (s *Service) UpdateTeam(ctx context.Context, actor auth.Actor, id int64, in TeamInput) (Team, error) {
	if !actor.IsAdmin() {
		return Team{}, auth.Forbidden("only admins manage teams")
	}
	var c validation.Collector
	if in.Name != nil {
		*in.Name = strings.TrimSpace(*in.Name)
		c.Text("name", *in.Name, 100, true)
	}
	if in.Description != nil {
		c.Text("description", *in.Description, 2000, false)
	}
	if in.Tier != nil && (*in.Tier < 1 || *in.Tier > 9) {
		c.Add("tier", "must be between 1 and 9")
	}
	checkStrategy(&c, in.RoutingStrategy)
	if err := c.Err(); err != nil {
		return Team{}, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		sets := []string{}
		args := []any{id}
		add := func(col string, v any) {
			args = append(args, v)
			sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
		}
		if in.Name != nil {
			add("name", *in.Name)
		}
		if in.Description != nil {
			add("description", *in.Description)
		}
		if in.Tier != nil {
			add("tier", *in.Tier)
		}
		if in.RoutingStrategy != nil {
			add("routing_strategy", *in.RoutingStrategy)
		}
		q := `SELECT id FROM teams WHERE id = $1`
		if len(sets) > 0 {
			q = `UPDATE teams SET ` + strings.Join(sets, ", ") + ` WHERE id = $1 RETURNING id`
		}
		var got int64
		err := tx.QueryRow(ctx, q, args...).Scan(&got)
		if errors.Is(err, store.ErrConflict) {
			return validation.Field("name", "a team with this name already exists")
		}
		if err != nil {
			return fmt.Errorf("update team %d: %w", id, err)
		}
		if in.AgentIDs != nil {
			if _, err := tx.Exec(ctx, `DELETE FROM team_members WHERE team_id = $1`, id); err != nil {
				return fmt.Errorf("clear members: %w", err)
			}
			for _, a := range *in.AgentIDs {
				if _, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, a); err != nil {
					if errors.Is(err, store.ErrReference) {
						return validation.Field("agent_ids", "agent %d does not exist", a)
					}
					return fmt.Errorf("add member: %w", err)
				}
			}
		}
		return auth.Audit(ctx, tx, actor, "team.update", fmt.Sprintf("team:%d", id), deref(in.Name))
	})
	if err != nil {
		return Team{}, err
	}
	return s.GetTeam(ctx, id)
}

// GetTeam returns a team with its members.
func (s *Service) GetTeam(ctx context.Context, id int64) (Team, error) {
	var t Team
	err := s.DB.Read().QueryRow(ctx, `SELECT id, name, description, tier, routing_strategy, created_at FROM teams WHERE id = $1`, id).
		Scan(&t.ID, &t.Name, &t.Description, &t.Tier, &t.RoutingStrategy, &t.CreatedAt)
	if err != nil {
		return Team{}, fmt.Errorf("get team %d: %w", id, err)
	}
	t.AgentIDs, err = int64s(ctx, s.DB.Read(), `SELECT agent_id FROM team_members WHERE team_id = $1 ORDER BY agent_id`, id)
	return t, err
}

// ListTeams returns every team by tier and name, with two queries.
func (s *Service) ListTeams(ctx context.Context) ([]Team, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT id, name, description, tier, routing_strategy, created_at FROM teams ORDER BY tier, name`)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	out := []Team{}
	idx := map[int64]int{}
	for rows.Next() {
		var t Team
		if err := rows.Scan(&t.ID, &t.Name, &t.Description, &t.Tier, &t.RoutingStrategy, &t.CreatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list teams: %w", err)
		}
		t.AgentIDs = []int64{}
		idx[t.ID] = len(out)
		out = append(out, t)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	rows, err = s.DB.Read().Query(ctx, `SELECT team_id, agent_id FROM team_members ORDER BY agent_id`)
	if err != nil {
		return nil, fmt.Errorf("list team members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var team, agent int64
		if err := rows.Scan(&team, &agent); err != nil {
			return nil, fmt.Errorf("list team members: %w", err)
		}
		if i, ok := idx[team]; ok {
			out[i].AgentIDs = append(out[i].AgentIDs, agent)
		}
	}
	return out, rows.Err()
}

// OrganizationInput creates or changes an organization.
type OrganizationInput struct {
	Name    *string   `json:"name"`
	Domains *[]string `json:"domains"`
	Notes   *string   `json:"notes"`
}

// CreateOrganization adds an organization (admins and agents).
func (s *Service) CreateOrganization(ctx context.Context, actor auth.Actor, in OrganizationInput) (Organization, error) {
	if !actor.CanEditTickets() {
		return Organization{}, auth.Forbidden("light agents cannot manage organizations")
	}
	name := strings.TrimSpace(deref(in.Name))
	var c validation.Collector
	c.Text("name", name, 200, true)
	var domains []string
	for _, d := range deref(in.Domains) {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" || strings.ContainsAny(d, " @/") || !strings.Contains(d, ".") {
			c.Add("domains", "%q is not a domain name", d)
			continue
		}
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	if err := c.Err(); err != nil {
		return Organization{}, err
	}
	now := store.Now()
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO organizations (name, domains, notes, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id`,
			name, strings.Join(domains, " "), deref(in.Notes), now).Scan(&id)
		if errors.Is(err, store.ErrConflict) {
			return validation.Field("name", "an organization with this name already exists")
		}
		if err != nil {
			return fmt.Errorf("insert organization: %w", err)
		}
		for _, d := range domains {
			_, err := tx.Exec(ctx, `INSERT INTO organization_domains (domain, organization_id) VALUES ($1, $2)`, d, id)
			if errors.Is(err, store.ErrConflict) {
				return validation.Field("domains", "%s already belongs to another organization", d)
			}
			if err != nil {
				return fmt.Errorf("organization domain %s: %w", d, err)
			}
		}
		return nil
	})
	if err != nil {
		return Organization{}, err
	}
	return s.GetOrganization(ctx, id)
}

// GetOrganization returns one organization.
func (s *Service) GetOrganization(ctx context.Context, id int64) (Organization, error) {
	return scanOrg(s.DB.Read().QueryRow(ctx, `SELECT id, name, domains, notes, created_at, updated_at FROM organizations WHERE id = $1`, id))
}

func scanOrg(r store.Row) (Organization, error) {
	var o Organization
	var domains string
	if err := r.Scan(&o.ID, &o.Name, &domains, &o.Notes, &o.CreatedAt, &o.UpdatedAt); err != nil {
		return Organization{}, fmt.Errorf("organization: %w", err)
	}
	o.Domains = strings.Fields(domains)
	if o.Domains == nil {
		o.Domains = []string{}
	}
	return o, nil
}

// ListOrganizations returns organizations by id after the cursor.
func (s *Service) ListOrganizations(ctx context.Context, afterID int64, limit int) ([]Organization, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT id, name, domains, notes, created_at, updated_at FROM organizations WHERE id > $1 ORDER BY id LIMIT $2`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list organizations: %w", err)
	}
	defer rows.Close()
	out := []Organization{}
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ContactInput creates or changes a contact.
type ContactInput struct {
	Name           *string   `json:"name"`
	Email          *string   `json:"email"`
	Emails         *[]string `json:"emails"`
	Phones         *[]string `json:"phones"`
	OrganizationID *int64    `json:"organization_id"`
	Tier           *string   `json:"tier"`
	Language       *string   `json:"language"`
	TimeZone       *string   `json:"time_zone"`
	Notes          *string   `json:"notes"`
}

// CreateContact adds a customer with one or more identities.
func (s *Service) CreateContact(ctx context.Context, actor auth.Actor, in ContactInput) (Contact, error) {
	if !actor.CanEditTickets() {
		return Contact{}, auth.Forbidden("light agents cannot manage contacts")
	}
	var c validation.Collector
	name := strings.TrimSpace(deref(in.Name))
	c.Text("name", name, 200, false)
	var ids []Identity
	field := map[string]string{} // identity value → the input field it came from
	add := func(kind, value, name string) {
		if _, dup := field[value]; dup {
			return
		}
		field[value] = name
		ids = append(ids, Identity{Kind: kind, Value: value, Primary: len(ids) == 0})
	}
	if in.Email != nil {
		if n, ok := NormalizeEmail(*in.Email); ok {
			add("email", n, "email")
		} else {
			c.Add("email", "%q is not an email address", *in.Email)
		}
	}
	for i, e := range deref(in.Emails) {
		name := fmt.Sprintf("emails[%d]", i)
		if n, ok := NormalizeEmail(e); ok {
			add("email", n, name)
		} else {
			c.Add(name, "%q is not an email address", e)
		}
	}
	for i, p := range deref(in.Phones) {
		name := fmt.Sprintf("phones[%d]", i)
		if n := normalizePhone(p); n != "" {
			add("phone", n, name)
		} else {
			c.Add(name, "%q is not a phone number", p)
		}
	}
	if len(ids) == 0 && c.Err() == nil {
		c.Add("email", "a contact needs at least one email address or phone number")
	}
	if in.Language != nil && *in.Language != "" && !validLanguage(*in.Language) {
		c.Add("language", "must be one of %s", strings.Join(Languages, ", "))
	}
	checkTimeZone(&c, in.TimeZone)
	if err := c.Err(); err != nil {
		return Contact{}, err
	}
	if name == "" {
		name = strings.Split(ids[0].Value, "@")[0]
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		orgID := in.OrganizationID
		if orgID == nil && ids[0].Kind == "email" {
			orgID = orgForDomain(ctx, tx, ids[0].Value)
		}
		now := store.Now()
		err := tx.QueryRow(ctx, `INSERT INTO contacts (name, organization_id, tier, language, time_zone, notes, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			name, orgID, deref(in.Tier), deref(in.Language), deref(in.TimeZone), deref(in.Notes), now).Scan(&id)
		if errors.Is(err, store.ErrReference) {
			return validation.Field("organization_id", "organization does not exist")
		}
		if err != nil {
			return fmt.Errorf("insert contact: %w", err)
		}
		for _, ident := range ids {
			_, err := tx.Exec(ctx, `INSERT INTO contact_identities (contact_id, kind, value, is_primary, created_at) VALUES ($1, $2, $3, $4, $5)`,
				id, ident.Kind, ident.Value, ident.Primary, now)
			if errors.Is(err, store.ErrConflict) {
				return validation.Field(field[ident.Value], "%s already belongs to another contact", ident.Value)
			}
			if err != nil {
				return fmt.Errorf("insert identity: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return Contact{}, err
	}
	return s.GetContact(ctx, id)
}

func checkTimeZone(c *validation.Collector, tz *string) {
	if tz == nil || *tz == "" {
		return
	}
	if _, err := time.LoadLocation(*tz); err != nil || *tz == "Local" {
		c.Add("time_zone", "must be an IANA time zone such as America/Sao_Paulo")
	}
}

func normalizePhone(p string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(p) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return ""
		}
	}
	if n := b.Len(); n < 5 || n > 20 {
		return ""
	}
	return b.String()
}

// orgForDomain finds the organization that claims an email's domain.
func orgForDomain(ctx context.Context, q store.Querier, email string) *int64 {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return nil
	}
	var id int64
	if err := q.QueryRow(ctx, `SELECT organization_id FROM organization_domains WHERE domain = $1`, email[at+1:]).Scan(&id); err != nil {
		return nil
	}
	return &id
}

// FindOrCreateByEmail returns the contact that owns an email identity,
// creating the contact inside tx if none does. It returns the contact's id
// and organization.
func FindOrCreateByEmail(ctx context.Context, tx *store.Tx, email, name string) (int64, *int64, error) {
	e, ok := NormalizeEmail(email)
	if !ok {
		return 0, nil, validation.Field("requester.email", "must be an email address")
	}
	var id int64
	var org *int64
	err := tx.QueryRow(ctx, `SELECT c.id, c.organization_id FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
		WHERE i.kind = 'email' AND i.value = $1`, e).Scan(&id, &org)
	if err == nil {
		return id, org, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return 0, nil, fmt.Errorf("find contact: %w", err)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = e[:strings.IndexByte(e, '@')]
	}
	name = validation.Truncate(strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), ""), 200)
	org = orgForDomain(ctx, tx, e)
	now := store.Now()
	if err := tx.QueryRow(ctx, `INSERT INTO contacts (name, organization_id, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
		name, org, now).Scan(&id); err != nil {
		return 0, nil, fmt.Errorf("create contact: %w", err)
	}
	n, err := tx.Exec(ctx, `INSERT INTO contact_identities (contact_id, kind, value, is_primary, created_at) VALUES ($1, 'email', $2, $3, $4)
		ON CONFLICT (kind, value) DO NOTHING`, id, e, true, now)
	if err != nil {
		return 0, nil, fmt.Errorf("create identity: %w", err)
	}
	if n == 0 {
		// Another transaction created the same address a moment ago; use
		// theirs and make our empty contact vanish with our rollback-free
		// delete.
		if _, err := tx.Exec(ctx, `DELETE FROM contacts WHERE id = $1`, id); err != nil {
			return 0, nil, fmt.Errorf("drop duplicate contact: %w", err)
		}
		err = tx.QueryRow(ctx, `SELECT c.id, c.organization_id FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
			WHERE i.kind = 'email' AND i.value = $1`, e).Scan(&id, &org)
		if err != nil {
			return 0, nil, fmt.Errorf("find contact: %w", err)
		}
	}
	return id, org, nil
}

const contactCols = `c.id, c.name, c.organization_id, c.tier, c.language, c.time_zone, c.notes, c.created_at, c.updated_at`

func scanContact(r store.Row) (Contact, error) {
	var c Contact
	err := r.Scan(&c.ID, &c.Name, &c.OrganizationID, &c.Tier, &c.Language, &c.TimeZone, &c.Notes, &c.CreatedAt, &c.UpdatedAt)
	return c, err
}

// GetContact returns a contact with its identities.
func (s *Service) GetContact(ctx context.Context, id int64) (Contact, error) {
	c, err := scanContact(s.DB.Read().QueryRow(ctx, `SELECT `+contactCols+` FROM contacts c WHERE c.id = $1`, id))
	if err != nil {
		return Contact{}, fmt.Errorf("get contact %d: %w", id, err)
	}
	if err := s.loadIdentities(ctx, []*Contact{&c}); err != nil {
		return Contact{}, err
	}
	return c, nil
}

func (s *Service) loadIdentities(ctx context.Context, cs []*Contact) error {
	if len(cs) == 0 {
		return nil
	}
	byID := map[int64]*Contact{}
	ph := make([]string, len(cs))
	args := make([]any, len(cs))
	for i, c := range cs {
		byID[c.ID] = c
		c.Identities = []Identity{}
		ph[i] = fmt.Sprintf("$%d", i+1)
		args[i] = c.ID
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT contact_id, kind, value, is_primary FROM contact_identities WHERE contact_id IN (`+strings.Join(ph, ",")+`) ORDER BY is_primary DESC, id`, args...)
	if err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ident Identity
		if err := rows.Scan(&id, &ident.Kind, &ident.Value, &ident.Primary); err != nil {
			return fmt.Errorf("identities: %w", err)
		}
		c := byID[id]
		c.Identities = append(c.Identities, ident)
		if c.Email == "" && ident.Kind == "email" {
			c.Email = ident.Value
		}
	}
	return rows.Err()
}

// ListContacts returns contacts by id after the cursor; q filters by a
// name or identity prefix.
func (s *Service) ListContacts(ctx context.Context, q string, orgID int64, afterID int64, limit int) ([]Contact, error) {
	where := []string{"c.id > $1"}
	args := []any{afterID, limit}
	if q = strings.ToLower(strings.TrimSpace(q)); q != "" {
		args = append(args, strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q)+"%")
		where = append(where, fmt.Sprintf(`(lower(c.name) LIKE $%d ESCAPE '\' OR c.id IN (SELECT contact_id FROM contact_identities WHERE value LIKE $%[1]d ESCAPE '\'))`, len(args)))
	}
	if orgID > 0 {
		args = append(args, orgID)
		where = append(where, fmt.Sprintf("c.organization_id = $%d", len(args)))
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT `+contactCols+` FROM contacts c WHERE `+strings.Join(where, " AND ")+` ORDER BY c.id LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	out := []Contact{}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list contacts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	ptrs := make([]*Contact, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, s.loadIdentities(ctx, ptrs)
}

// UpdateContact changes a contact's details (not its identities).
func (s *Service) UpdateContact(ctx context.Context, actor auth.Actor, id int64, in ContactInput) (Contact, error) {
	if !actor.CanEditTickets() {
		return Contact{}, auth.Forbidden("light agents cannot manage contacts")
	}
	var c validation.Collector
	if in.Name != nil {
		c.Text("name", *in.Name, 200, true)
	}
	if in.Language != nil && *in.Language != "" && !validLanguage(*in.Language) {
		c.Add("language", "must be one of %s", strings.Join(Languages, ", "))
	}
	if in.Email != nil || in.Emails != nil || in.Phones != nil {
		c.Add("emails", "identities cannot be changed with this call")
	}
	checkTimeZone(&c, in.TimeZone)
	if err := c.Err(); err != nil {
		return Contact{}, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		sets := []string{"updated_at = $2"}
		args := []any{id, store.Now()}
		add := func(col string, v any) {
			args = append(args, v)
			sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
		}
		if in.Name != nil {
			add("name", strings.TrimSpace(*in.Name))
		}
		if in.OrganizationID != nil {
			if *in.OrganizationID == 0 {
				add("organization_id", nil)
			} else {
				add("organization_id", *in.OrganizationID)
			}
		}
		if in.Tier != nil {
			add("tier", *in.Tier)
		}
		if in.Language != nil {
			add("language", *in.Language)
		}
		if in.TimeZone != nil {
			add("time_zone", *in.TimeZone)
		}
		if in.Notes != nil {
			add("notes", *in.Notes)
		}
		n, err := tx.Exec(ctx, `UPDATE contacts SET `+strings.Join(sets, ", ")+` WHERE id = $1`, args...)
		if errors.Is(err, store.ErrReference) {
			return validation.Field("organization_id", "organization does not exist")
		}
		if err != nil {
			return fmt.Errorf("update contact: %w", err)
		}
		if n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return Contact{}, err
	}
	return s.GetContact(ctx, id)
}
