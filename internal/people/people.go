// Package people holds agents, teams, contacts (customers), their identities
// and organizations.
package people

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// Agent is a member of the support staff.
type Agent struct {
	ID           int64   `json:"id"`
	Email        string  `json:"email"`
	Name         string  `json:"name"`
	Role         string  `json:"role"`
	TicketAccess string  `json:"ticket_access"`
	Language     string  `json:"language"`
	TimeZone     string  `json:"time_zone"`
	Availability string  `json:"availability"`
	Capacity     int     `json:"capacity"`
	Active       bool    `json:"active"`
	TeamIDs      []int64 `json:"team_ids"`
	// Skills (routing): the tags and the customer languages the agent
	// handles; an agent without any takes every ticket of their teams.
	SkillTags      []string  `json:"skill_tags"`
	SkillLanguages []string  `json:"skill_languages"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Team groups agents; tier orders escalation (1 first line, 2 second...).
type Team struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Tier        int    `json:"tier"`
	// RoutingStrategy assigns the team's new unassigned tickets: manual,
	// round_robin or least_loaded.
	RoutingStrategy string    `json:"routing_strategy"`
	AgentIDs        []int64   `json:"agent_ids"`
	CreatedAt       time.Time `json:"created_at"`
}

// Identity is one way to reach a contact.
type Identity struct {
	Kind    string `json:"kind"`
	Value   string `json:"value"`
	Primary bool   `json:"primary"`
}

// Contact is a customer.
type Contact struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Email          string     `json:"email"`
	OrganizationID *int64     `json:"organization_id"`
	Tier           string     `json:"tier"`
	Language       string     `json:"language"`
	TimeZone       string     `json:"time_zone"`
	Notes          string     `json:"notes"`
	Identities     []Identity `json:"identities"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Organization is a customer company.
type Organization struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Domains   []string  `json:"domains"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Service manages people. Its methods check the actor's permission.
type Service struct {
	DB *store.DB
}

// Languages that Tessera speaks.
var Languages = []string{"en", "pt-BR", "es", "he"}

func validLanguage(l string) bool {
	for _, x := range Languages {
		if x == l {
			return true
		}
	}
	return false
}

// NormalizeEmail parses an address and returns its lower-case form.
func NormalizeEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", false
	}
	at := strings.LastIndexByte(a.Address, '@')
	if at < 1 || !validDomain(a.Address[at+1:]) {
		return "", false
	}
	return strings.ToLower(a.Address), true
}

// validDomain accepts a host name of two or more labels of letters,
// digits and hyphens (not at either end), as mail can be delivered to.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127) {
				return false
			}
		}
	}
	return true
}

// AgentInput creates or changes an agent. Nil pointers leave a field as is.
type AgentInput struct {
	Email        *string  `json:"email"`
	Name         *string  `json:"name"`
	Role         *string  `json:"role"`
	Password     *string  `json:"password"`
	TicketAccess *string  `json:"ticket_access"`
	Language     *string  `json:"language"`
	TimeZone     *string  `json:"time_zone"`
	Availability *string  `json:"availability"`
	Capacity     *int     `json:"capacity"`
	Active       *bool    `json:"active"`
	TeamIDs      *[]int64 `json:"team_ids"`
	// Skills (routing), each replacing the agent's list when given.
	SkillTags      *[]string `json:"skill_tags"`
	SkillLanguages *[]string `json:"skill_languages"`
	// CurrentPassword proves, when agents change their own password, that
	// it is them and not someone at a screen they left signed in.
	CurrentPassword *string `json:"current_password"`
	// KeepSession is the hash of the browser session (auth.HashToken) that
	// changes its own agent's password: that sign-in stays, every other
	// one of the agent ends. Never read from a request body.
	KeepSession string `json:"-"`
}

func (in *AgentInput) check(creating bool) (email, hash string, err error) {
	var c validation.Collector
	if in.Email != nil || creating {
		e, ok := NormalizeEmail(deref(in.Email))
		if !ok {
			c.Add("email", "must be an email address")
		}
		email = e
	}
	if in.Name != nil || creating {
		c.Text("name", deref(in.Name), 200, true)
	}
	if in.Role != nil || creating {
		if !auth.ValidRole(deref(in.Role)) {
			c.Add("role", "must be admin, agent or light")
		}
	}
	if in.TicketAccess != nil && *in.TicketAccess != auth.AccessAll && *in.TicketAccess != auth.AccessTeams {
		c.Add("ticket_access", "must be all or teams")
	}
	if in.Language != nil && !validLanguage(*in.Language) {
		c.Add("language", "must be one of %s", strings.Join(Languages, ", "))
	}
	if in.TimeZone != nil {
		// "Local" would be the server's zone, not a name of a place.
		if _, err := time.LoadLocation(*in.TimeZone); err != nil || *in.TimeZone == "" || *in.TimeZone == "Local" {
			c.Add("time_zone", "must be an IANA time zone such as America/Sao_Paulo")
		}
	}
	if in.Availability != nil && *in.Availability != "available" && *in.Availability != "away" && *in.Availability != "offline" {
		c.Add("availability", "must be available, away or offline")
	}
	if in.Capacity != nil && (*in.Capacity < 0 || *in.Capacity > 10000) {
		c.Add("capacity", "must be between 0 (no limit) and 10000")
	}
	if in.SkillTags != nil {
		for i, t := range *in.SkillTags {
			t = strings.ToLower(strings.TrimSpace(t))
			if t == "" || len(t) > 64 || strings.ContainsAny(t, " ,") {
				c.Add("skill_tags", "must be tags without spaces or commas, at most 64 characters")
				break
			}
			(*in.SkillTags)[i] = t
		}
		if len(*in.SkillTags) > 50 {
			c.Add("skill_tags", "at most 50")
		}
	}
	if in.SkillLanguages != nil {
		for _, l := range *in.SkillLanguages {
			if !validLanguage(l) {
				c.Add("skill_languages", "must be among %s", strings.Join(Languages, ", "))
				break
			}
		}
	}
	if in.Password != nil {
		h, err := auth.HashPassword(*in.Password)
		if err != nil {
			c.Add("password", "%s", err.Error())
		}
		hash = h
	}
	return email, hash, c.Err()
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// CreateAgent adds an agent. Only admins (and the system) may.
func (s *Service) CreateAgent(ctx context.Context, actor auth.Actor, in AgentInput) (Agent, error) {
	if !actor.IsAdmin() {
		return Agent{}, auth.Forbidden("only admins manage agents")
	}
	email, hash, err := in.check(true)
	if err != nil {
		return Agent{}, err
	}
	now := store.Now()
	var id int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO agents (email, name, role, ticket_access, password_hash, language, time_zone, availability, capacity, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			email, strings.TrimSpace(*in.Name), *in.Role, or(in.TicketAccess, auth.AccessAll), hash,
			or(in.Language, "en"), or(in.TimeZone, "UTC"), or(in.Availability, "available"), or(in.Capacity, 0), or(in.Active, true), now).Scan(&id)
		if errors.Is(err, store.ErrConflict) {
			return validation.Field("email", "an agent with this email already exists")
		}
		if err != nil {
			return fmt.Errorf("insert agent: %w", err)
		}
		if in.TeamIDs != nil {
			if err := setTeams(ctx, tx, id, *in.TeamIDs); err != nil {
				return err
			}
		}
		if err := setSkills(ctx, tx, id, in); err != nil {
			return err
		}
		return auth.Audit(ctx, tx, actor, "agent.create", fmt.Sprintf("agent:%d", id), email)
	})
	if err != nil {
		return Agent{}, err
	}
	return s.GetAgent(ctx, id)
}

func or[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// setSkills replaces the skill lists the input names.
func setSkills(ctx context.Context, tx *store.Tx, agentID int64, in AgentInput) error {
	for kind, list := range map[string]*[]string{"tag": in.SkillTags, "language": in.SkillLanguages} {
		if list == nil {
			continue
		}
		if _, err := tx.Exec(ctx, `DELETE FROM agent_skills WHERE agent_id = $1 AND kind = $2`, agentID, kind); err != nil {
			return fmt.Errorf("clear skills: %w", err)
		}
		for _, v := range *list {
			if _, err := tx.Exec(ctx, `INSERT INTO agent_skills (agent_id, kind, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, agentID, kind, v); err != nil {
				return fmt.Errorf("add skill: %w", err)
			}
		}
	}
	return nil
}

// skillsOf fills agents' skill lists (one query for all of them).
func skillsOf(ctx context.Context, q store.Querier, agents []Agent, one bool) error {
	byID := map[int64]int{}
	for i := range agents {
		agents[i].SkillTags, agents[i].SkillLanguages = []string{}, []string{}
		byID[agents[i].ID] = i
	}
	query, args := `SELECT agent_id, kind, value FROM agent_skills ORDER BY value`, []any{}
	if one {
		query, args = `SELECT agent_id, kind, value FROM agent_skills WHERE agent_id = $1 ORDER BY value`, []any{agents[0].ID}
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("agent skills: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind, v string
		if err := rows.Scan(&id, &kind, &v); err != nil {
			return fmt.Errorf("agent skills: %w", err)
		}
		i, ok := byID[id]
		if !ok {
			continue
		}
		if kind == "tag" {
			agents[i].SkillTags = append(agents[i].SkillTags, v)
		} else {
			agents[i].SkillLanguages = append(agents[i].SkillLanguages, v)
		}
	}
	return rows.Err()
}

func setTeams(ctx context.Context, tx *store.Tx, agentID int64, teamIDs []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM team_members WHERE agent_id = $1`, agentID); err != nil {
		return fmt.Errorf("clear teams: %w", err)
	}
	for _, t := range teamIDs {
		if _, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, t, agentID); err != nil {
			if errors.Is(err, store.ErrReference) {
				return validation.Field("team_ids", "team %d does not exist", t)
			}
			return fmt.Errorf("add to team: %w", err)
		}
	}
	return nil
}

// UpdateAgent changes an agent. Admins change anyone; an agent may change
// their own name, language, time zone, availability and password, never
// their own email, role, ticket access, teams, capacity or active flag.
// Changing one's own password needs the current one; it ends the agent's
// other sessions and keeps in.KeepSession, the one making the change.
func (s *Service) UpdateAgent(ctx context.Context, actor auth.Actor, id int64, in AgentInput) (Agent, error) {
	self := actor.Kind == auth.KindAgent && actor.ID == id
	if !actor.IsAdmin() {
		if !self || in.Email != nil || in.Role != nil || in.TicketAccess != nil || in.Active != nil || in.TeamIDs != nil || in.Capacity != nil ||
			in.SkillTags != nil || in.SkillLanguages != nil {
			return Agent{}, auth.Forbidden("only admins change roles, teams and other agents")
		}
	}
	email, hash, err := in.check(false)
	if self && in.Password != nil {
		err = s.checkCurrentPassword(ctx, id, in.CurrentPassword, err)
	}
	if err != nil {
		return Agent{}, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := keepAnAdmin(ctx, tx, id, in); err != nil {
			return err
		}
		sets := []string{"updated_at = $2"}
		args := []any{id, store.Now()}
		add := func(col string, v any) {
			args = append(args, v)
			sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
		}
		if in.Email != nil {
			add("email", email)
		}
		if in.Name != nil {
			add("name", strings.TrimSpace(*in.Name))
		}
		if in.Role != nil {
			add("role", *in.Role)
		}
		if in.Password != nil {
			add("password_hash", hash)
		}
		if in.TicketAccess != nil {
			add("ticket_access", *in.TicketAccess)
		}
		if in.Language != nil {
			add("language", *in.Language)
		}
		if in.TimeZone != nil {
			add("time_zone", *in.TimeZone)
		}
		if in.Availability != nil {
			add("availability", *in.Availability)
		}
		if in.Capacity != nil {
			add("capacity", *in.Capacity)
		}
		if in.Active != nil {
			add("active", *in.Active)
		}
		n, err := tx.Exec(ctx, `UPDATE agents SET `+strings.Join(sets, ", ")+` WHERE id = $1`, args...)
		if errors.Is(err, store.ErrConflict) {
			return validation.Field("email", "an agent with this email already exists")
		}
		if err != nil {
			return fmt.Errorf("update agent: %w", err)
		}
		if n == 0 {
			return store.ErrNotFound
		}
		if in.TeamIDs != nil {
			if err := setTeams(ctx, tx, id, *in.TeamIDs); err != nil {
				return err
			}
		}
		if err := setSkills(ctx, tx, id, in); err != nil {
			return err
		}
		// A deactivated agent, or one whose password an admin has reset,
		// is signed out everywhere in the same commit. Changing one's own
		// password keeps the session one is using and ends the others: a
		// password is changed because it may be known to someone else.
		switch {
		case (in.Active != nil && !*in.Active) || (in.Password != nil && !self):
			if err := auth.EndAgentSessions(ctx, tx, id); err != nil {
				return err
			}
		case in.Password != nil:
			if err := auth.EndOtherAgentSessions(ctx, tx, id, in.KeepSession); err != nil {
				return err
			}
		}
		if actor.IsAdmin() && !self {
			return auth.Audit(ctx, tx, actor, "agent.update", fmt.Sprintf("agent:%d", id), "")
		}
		return nil
	})
	if err != nil {
		return Agent{}, err
	}
	return s.GetAgent(ctx, id)
}

// checkCurrentPassword refuses an own password change without the right
// current password, adding its error to prior (the other fields' errors).
// It reads outside the write transaction: an argon2id check takes a while,
// and the single SQLite writer should not wait for it.
func (s *Service) checkCurrentPassword(ctx context.Context, id int64, current *string, prior error) error {
	var c validation.Collector
	if current == nil || *current == "" {
		c.Add("current_password", "is required to change your password")
	} else {
		var hash string
		if err := s.DB.Read().QueryRow(ctx, `SELECT password_hash FROM agents WHERE id = $1`, id).Scan(&hash); err != nil {
			return fmt.Errorf("agent %d: %w", id, err)
		}
		if !auth.CheckPassword(hash, *current) {
			c.Add("current_password", "is not your current password")
		}
	}
	if prior != nil {
		if _, ok := validation.As(prior); !ok {
			return prior
		}
		c.Merge("", prior)
	}
	return c.Err()
}

// keepAnAdmin refuses a change that would leave no active admin: nobody
// could then manage agents, teams or settings from the workspace.
func keepAnAdmin(ctx context.Context, tx *store.Tx, id int64, in AgentInput) error {
	demote := in.Role != nil && *in.Role != auth.RoleAdmin
	deactivate := in.Active != nil && !*in.Active
	if !demote && !deactivate {
		return nil
	}
	var role string
	var active bool
	if err := tx.QueryRow(ctx, `SELECT role, active FROM agents WHERE id = $1`, id).Scan(&role, &active); err != nil {
		return fmt.Errorf("agent %d: %w", id, err)
	}
	if role != auth.RoleAdmin || !active {
		return nil
	}
	var others int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM agents WHERE role = $1 AND active = $2 AND id <> $3`, auth.RoleAdmin, true, id).Scan(&others); err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if others > 0 {
		return nil
	}
	if demote {
		return validation.Field("role", "the last active admin must stay an admin")
	}
	return validation.Field("active", "the last active admin cannot be deactivated")
}

const agentCols = `id, email, name, role, ticket_access, language, time_zone, availability, capacity, active, created_at, updated_at`

func scanAgent(r store.Row) (Agent, error) {
	var a Agent
	err := r.Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.TicketAccess, &a.Language, &a.TimeZone, &a.Availability, &a.Capacity, &a.Active, &a.CreatedAt, &a.UpdatedAt)
	return a, err
}

// GetAgent returns one agent with their teams.
func (s *Service) GetAgent(ctx context.Context, id int64) (Agent, error) {
	a, err := scanAgent(s.DB.Read().QueryRow(ctx, `SELECT `+agentCols+` FROM agents WHERE id = $1`, id))
	if err != nil {
		return Agent{}, fmt.Errorf("get agent %d: %w", id, err)
	}
	a.TeamIDs, err = int64s(ctx, s.DB.Read(), `SELECT team_id FROM team_members WHERE agent_id = $1 ORDER BY team_id`, id)
	if err != nil {
		return Agent{}, err
	}
	one := []Agent{a}
	err = skillsOf(ctx, s.DB.Read(), one, true)
	return one[0], err
}

// AgentByEmail finds an agent by email address.
func (s *Service) AgentByEmail(ctx context.Context, email string) (Agent, error) {
	e, ok := NormalizeEmail(email)
	if !ok {
		return Agent{}, validation.Field("email", "must be an email address")
	}
	var id int64
	if err := s.DB.Read().QueryRow(ctx, `SELECT id FROM agents WHERE email = $1`, e).Scan(&id); err != nil {
		return Agent{}, fmt.Errorf("agent %s: %w", e, err)
	}
	return s.GetAgent(ctx, id)
}

// ListAgents returns every agent, ordered by name.
func (s *Service) ListAgents(ctx context.Context) ([]Agent, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT `+agentCols+` FROM agents ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	var out []Agent
	byID := map[int64]int{}
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list agents: %w", err)
		}
		a.TeamIDs = []int64{}
		byID[a.ID] = len(out)
		out = append(out, a)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	rows, err = s.DB.Read().Query(ctx, `SELECT agent_id, team_id FROM team_members ORDER BY team_id`)
	if err != nil {
		return nil, fmt.Errorf("list agent teams: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, t int64
		if err := rows.Scan(&a, &t); err != nil {
			return nil, fmt.Errorf("list agent teams: %w", err)
		}
		if i, ok := byID[a]; ok {
			out[i].TeamIDs = append(out[i].TeamIDs, t)
		}
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	return out, skillsOf(ctx, s.DB.Read(), out, false)
}

// CreateToken issues an API token for an agent and returns it; only its
// hash is kept.
func (s *Service) CreateToken(ctx context.Context, actor auth.Actor, agentID int64, name string) (string, error) {
	if !actor.IsAdmin() && !(actor.Kind == auth.KindAgent && actor.ID == agentID) {
		return "", auth.Forbidden("only admins issue tokens for other agents")
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO api_tokens (agent_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5)`,
			agentID, name, hash, token[:len(auth.TokenPrefix)+4], store.Now())
		if errors.Is(err, store.ErrReference) {
			return fmt.Errorf("agent %d: %w", agentID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		return auth.Audit(ctx, tx, actor, "token.create", fmt.Sprintf("agent:%d", agentID), name)
	})
	return token, err
}

// ErrUnauthenticated means a credential was missing, unknown or revoked.
var ErrUnauthenticated = errors.New("unauthenticated")

// Authenticate returns the actor behind an API token.
func (s *Service) Authenticate(ctx context.Context, token string) (auth.Actor, error) {
	if !strings.HasPrefix(token, auth.TokenPrefix) {
		return auth.Actor{}, ErrUnauthenticated
	}
	var a auth.Actor
	var active bool
	var teams string
	// One query per request: the teams come along as a list of ids.
	agg := "group_concat(team_id, ',')"
	if s.DB.Engine == store.Postgres {
		agg = "string_agg(team_id::text, ',')"
	}
	err := s.DB.Read().QueryRow(ctx, `SELECT a.id, a.name, a.email, a.role, a.ticket_access, a.active,
			COALESCE((SELECT `+agg+` FROM team_members m WHERE m.agent_id = a.id), '')
		FROM api_tokens t JOIN agents a ON a.id = t.agent_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, auth.HashToken(token)).
		Scan(&a.ID, &a.Name, &a.Email, &a.Role, &a.Access, &active, &teams)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !active) {
		return auth.Actor{}, ErrUnauthenticated
	}
	if err != nil {
		return auth.Actor{}, fmt.Errorf("authenticate: %w", err)
	}
	a.Kind = auth.KindAgent
	a.TeamIDs = []int64{}
	for _, f := range strings.Split(teams, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			a.TeamIDs = append(a.TeamIDs, id)
		}
	}
	slices.Sort(a.TeamIDs)
	return a, nil
}

// CheckPassword returns the actor for an agent's email and password.
func (s *Service) CheckPassword(ctx context.Context, email, password string) (auth.Actor, error) {
	e, _ := NormalizeEmail(email)
	var id int64
	var hash string
	var active bool
	err := s.DB.Read().QueryRow(ctx, `SELECT id, password_hash, active FROM agents WHERE email = $1`, e).Scan(&id, &hash, &active)
	if errors.Is(err, store.ErrNotFound) {
		auth.CheckPassword("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", password) // same cost as a real check
		return auth.Actor{}, ErrUnauthenticated
	}
	if err != nil {
		return auth.Actor{}, fmt.Errorf("check password: %w", err)
	}
	if !active || !auth.CheckPassword(hash, password) {
		return auth.Actor{}, ErrUnauthenticated
	}
	a, err := s.GetAgent(ctx, id)
	if err != nil {
		return auth.Actor{}, err
	}
	return ActorOf(a), nil
}

// ActorOf returns the actor for an agent.
func ActorOf(a Agent) auth.Actor {
	return auth.Actor{Kind: auth.KindAgent, ID: a.ID, Name: a.Name, Email: a.Email, Role: a.Role, Access: a.TicketAccess, TeamIDs: a.TeamIDs}
}

func int64s(ctx context.Context, q store.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
