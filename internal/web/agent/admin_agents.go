package agent

import (
	"net/http"
	"strconv"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/report"
	"tessera/internal/store"
	"tessera/internal/web/i18n"
	"tessera/internal/web/page"
)

// adminChoices are the options of the agent form's selects.
type adminChoices struct {
	Roles          []string
	Accesses       []string
	Availabilities []string
	Languages      []adminLanguage
	TimeZones      []string
}

type adminLanguage struct{ Code, Name string }

// adminTimeZones are offered as suggestions; any IANA zone is accepted.
var adminTimeZones = []string{
	"UTC", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Bogota", "America/Mexico_City", "America/Santiago",
	"America/Lima", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto",
	"Europe/London", "Europe/Lisbon", "Europe/Madrid", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam", "Europe/Rome",
	"Asia/Jerusalem", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "Africa/Johannesburg",
}

func newAdminChoices() adminChoices {
	c := adminChoices{
		Roles:          []string{auth.RoleAdmin, auth.RoleAgent, auth.RoleLight},
		Accesses:       []string{auth.AccessAll, auth.AccessTeams},
		Availabilities: []string{"available", "away", "offline"},
		TimeZones:      adminTimeZones,
	}
	for _, l := range people.Languages {
		c.Languages = append(c.Languages, adminLanguage{Code: l, Name: i18n.Names[l]})
	}
	return c
}

type adminAgentsPage struct {
	adminBase
	Agents []people.Agent
	Teams  map[int64]people.Team
}

// TeamNames names an agent's teams.
func (p adminAgentsPage) TeamNames(ids []int64) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, p.Teams[id].Name)
	}
	return strings.Join(names, ", ")
}

func (h *Handler) adminAgents(w http.ResponseWriter, r *http.Request) {
	dir, err := h.directory(r.Context())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	agents, err := h.Site.App.People.ListAgents(r.Context())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.renderAdmin(w, r, "admin/agents", "admin.agents", adminAgentsPage{adminBase: newAdminBase("agents", nil), Agents: agents, Teams: dir.Teams}, nil)
}

type adminAgentPage struct {
	adminBase
	Agent    *people.Agent // nil for a new agent
	Teams    []people.Team
	Choices  adminChoices
	Password *adminForm   // the reset-password form
	CSAT     *report.CSAT // satisfaction with the agent's solves, all time
}

func agentValues(a people.Agent) *adminForm {
	f := newAdminForm(nil)
	f.Values.Set("name", a.Name)
	f.Values.Set("email", a.Email)
	f.Values.Set("role", a.Role)
	f.Values.Set("ticket_access", a.TicketAccess)
	f.Values.Set("language", a.Language)
	f.Values.Set("time_zone", a.TimeZone)
	f.Values.Set("availability", a.Availability)
	f.Values.Set("capacity", strconv.Itoa(a.Capacity))
	f.Values["team_ids"] = idStrings(a.TeamIDs)
	f.Values.Set("skill_tags", strings.Join(a.SkillTags, ", "))
	f.Values["skill_languages"] = a.SkillLanguages
	return f
}

func (h *Handler) renderAgentForm(w http.ResponseWriter, r *http.Request, a *people.Agent, f, pw *adminForm) {
	teams, err := h.Site.App.People.ListTeams(r.Context())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if pw == nil {
		pw = newAdminForm(nil)
	}
	title := "admin.agent_new"
	if a != nil {
		title = "admin.agent_edit"
	}
	p := adminAgentPage{adminBase: newAdminBase("agents", f), Agent: a, Teams: teams, Choices: newAdminChoices(), Password: pw}
	if a != nil {
		c, err := h.Site.App.Reports.AgentCSAT(r.Context(), a.ID)
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		p.CSAT = &c
	}
	if pw.Invalid() {
		p.Refused = pw
	}
	h.renderAdmin(w, r, "admin/agent", title, p, p.Refused)
}

func (h *Handler) adminAgentNew(w http.ResponseWriter, r *http.Request) {
	f := newAdminForm(nil)
	f.Values.Set("role", auth.RoleAgent)
	f.Values.Set("ticket_access", auth.AccessAll)
	f.Values.Set("language", "en")
	f.Values.Set("time_zone", "UTC")
	f.Values.Set("capacity", "0")
	h.renderAgentForm(w, r, nil, f, nil)
}

// agentInput reads the agent form. Every field is sent, so every field is
// set: an unticked team is a team the agent leaves.
func agentInput(f *adminForm) (people.AgentInput, bool) {
	str := func(name string) *string {
		v := strings.TrimSpace(f.Get(name))
		return &v
	}
	in := people.AgentInput{Name: str("name"), Email: str("email"), Role: str("role"), TicketAccess: str("ticket_access"),
		Language: str("language"), TimeZone: str("time_zone")}
	if v := f.Get("availability"); v != "" {
		in.Availability = &v
	}
	capacity := 0
	if !formInt(f, "capacity", &capacity) {
		return in, false
	}
	in.Capacity = &capacity
	teams := formIDs(f.Values, "team_ids")
	in.TeamIDs = &teams
	tags := splitList(f.Get("skill_tags"))
	langs := f.Values["skill_languages"]
	if langs == nil {
		langs = []string{}
	}
	in.SkillTags, in.SkillLanguages = &tags, &langs
	return in, true
}

func (h *Handler) adminAgentCreate(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	in, ok := agentInput(f)
	if pw := f.Get("password"); pw != "" {
		in.Password = &pw
	}
	if ok {
		a, err := h.Site.App.People.CreateAgent(r.Context(), page.ViewerFrom(r.Context()).Actor, in)
		if h.settle(w, r, f, err, nil, "admin.agent_created", "/admin/agents/"+strconv.FormatInt(a.ID, 10)) {
			return
		}
	}
	f.Values.Del("password") // never echoed back
	h.renderAgentForm(w, r, nil, f, nil)
}

// adminAgent loads the agent of the path, answering not found itself.
func (h *Handler) adminAgent(w http.ResponseWriter, r *http.Request) (*people.Agent, bool) {
	return byPathID(h, w, r, h.Site.App.People.GetAgent)
}

func (h *Handler) adminAgentEdit(w http.ResponseWriter, r *http.Request) {
	a, ok := h.adminAgent(w, r)
	if !ok {
		return
	}
	h.renderAgentForm(w, r, a, agentValues(*a), nil)
}

func (h *Handler) adminAgentUpdate(w http.ResponseWriter, r *http.Request) {
	a, ok := h.adminAgent(w, r)
	if !ok {
		return
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	in, ok := agentInput(f)
	if ok {
		_, err := h.Site.App.People.UpdateAgent(r.Context(), page.ViewerFrom(r.Context()).Actor, a.ID, in)
		if h.settle(w, r, f, err, nil, "admin.saved", "/admin/agents/"+strconv.FormatInt(a.ID, 10)) {
			return
		}
	}
	h.renderAgentForm(w, r, a, f, nil)
}

// adminAgentPassword sets a new password; the service ends the agent's
// sessions with it.
func (h *Handler) adminAgentPassword(w http.ResponseWriter, r *http.Request) {
	a, ok := h.adminAgent(w, r)
	if !ok {
		return
	}
	pw, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	password := pw.Get("password")
	_, err = h.Site.App.People.UpdateAgent(r.Context(), page.ViewerFrom(r.Context()).Actor, a.ID, people.AgentInput{Password: &password})
	if err == nil {
		adminDone(w, r, "admin.password_reset", "/admin/agents/"+strconv.FormatInt(a.ID, 10))
		return
	}
	if !pw.refused(err, nil) {
		h.Site.Fail(w, r, err)
		return
	}
	pw.Values.Del("password")
	h.renderAgentForm(w, r, a, agentValues(*a), pw)
}

// adminAgentActive deactivates (active=0) or reactivates (active=1) an
// agent. A deactivated agent is signed out everywhere (the service ends
// their sessions) and can no longer sign in or use API tokens.
func (h *Handler) adminAgentActive(w http.ResponseWriter, r *http.Request) {
	a, ok := h.adminAgent(w, r)
	if !ok {
		return
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	active := f.Get("active") == "1"
	_, err = h.Site.App.People.UpdateAgent(r.Context(), page.ViewerFrom(r.Context()).Actor, a.ID, people.AgentInput{Active: &active})
	if err == nil {
		flash := "admin.agent_deactivated"
		if active {
			flash = "admin.agent_reactivated"
		}
		adminDone(w, r, flash, "/admin/agents/"+strconv.FormatInt(a.ID, 10))
		return
	}
	form := agentValues(*a)
	if !form.refused(err, nil) {
		h.Site.Fail(w, r, err)
		return
	}
	h.renderAgentForm(w, r, a, form, nil)
}

// adminRole describes one role by what the auth rules let it do.
type adminRole struct {
	Key string
	Can []adminCan
}

type adminCan struct {
	Key string
	Yes bool
}

// adminRoles derives each role's abilities from the auth package, so the
// page says what the code enforces.
func adminRoleTable() []adminRole {
	var out []adminRole
	for _, role := range []string{auth.RoleAdmin, auth.RoleAgent, auth.RoleLight} {
		a := auth.Actor{Kind: auth.KindAgent, Role: role, Access: auth.AccessAll}
		limited := auth.Actor{Kind: auth.KindAgent, Role: role, Access: auth.AccessTeams}
		out = append(out, adminRole{Key: role, Can: []adminCan{
			{"admin.can_settings", a.IsAdmin()},
			{"admin.can_edit", a.CanEditTickets()},
			{"admin.can_notes", a.CanAddNotes()},
			{"admin.can_see_all", limited.SeesAllTickets()},
		}})
	}
	return out
}

type adminRolesPage struct {
	adminBase
	Roles  []adminRole
	Agents []people.Agent
	// Row is the agent whose change was refused, to show the error there.
	Row int64
}

func (h *Handler) renderRoles(w http.ResponseWriter, r *http.Request, f *adminForm) {
	agents, err := h.Site.App.People.ListAgents(r.Context())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	row, _ := strconv.ParseInt(f.Get("agent_id"), 10, 64)
	p := adminRolesPage{adminBase: newAdminBase("roles", f), Roles: adminRoleTable(), Agents: agents, Row: row}
	h.renderAdmin(w, r, "admin/roles", "admin.roles", p, f)
}

func (h *Handler) adminRoles(w http.ResponseWriter, r *http.Request) {
	h.renderRoles(w, r, newAdminForm(nil))
}

func (h *Handler) adminRoleChange(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(f.Get("agent_id"), 10, 64)
	if err != nil || id <= 0 {
		h.Site.Fail(w, r, store.ErrNotFound)
		return
	}
	role := f.Get("role")
	_, err = h.Site.App.People.UpdateAgent(r.Context(), page.ViewerFrom(r.Context()).Actor, id, people.AgentInput{Role: &role})
	if h.settle(w, r, f, err, nil, "admin.role_changed", "/admin/roles") {
		return
	}
	h.renderRoles(w, r, f)
}
