package agent

import (
	"net/http"
	"strconv"
	"strings"

	"tessera/internal/people"
	"tessera/internal/web/page"
)

type adminTeamsPage struct {
	adminBase
	Teams  []people.Team
	Agents map[int64]people.Agent
}

// Members names a team's agents.
func (p adminTeamsPage) Members(ids []int64) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, p.Agents[id].Name)
	}
	return strings.Join(names, ", ")
}

func (h *Handler) adminTeams(w http.ResponseWriter, r *http.Request) {
	h.renderTeams(w, r, nil)
}

// renderTeams shows the teams and the routing settings' form (f, when it
// was refused).
func (h *Handler) renderTeams(w http.ResponseWriter, r *http.Request, f *adminForm) {
	if f == nil {
		st, err := h.Site.App.Routing.Settings(r.Context(), page.ViewerFrom(r.Context()).Actor)
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		f = newAdminForm(nil)
		f.Values.Set("offline_after_minutes", strconv.Itoa(st.OfflineAfterMinutes))
	}
	dir, err := h.directory(r.Context())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	teams, err := h.Site.App.People.ListTeams(r.Context())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.renderAdmin(w, r, "admin/teams", "admin.teams", adminTeamsPage{adminBase: newAdminBase("teams", f), Teams: teams, Agents: dir.Agents}, f)
}

type adminTeamPage struct {
	adminBase
	Team   *people.Team // nil for a new team
	Agents []people.Agent
}

// Strategies are the routing strategies a team may use.
func (adminTeamPage) Strategies() []string { return people.RoutingStrategies }

func (h *Handler) renderTeamForm(w http.ResponseWriter, r *http.Request, t *people.Team, f *adminForm) {
	agents, err := h.Site.App.People.ListAgents(r.Context())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	title := "admin.team_new"
	if t != nil {
		title = "admin.team_edit"
	}
	h.renderAdmin(w, r, "admin/team", title, adminTeamPage{adminBase: newAdminBase("teams", f), Team: t, Agents: agents}, f)
}

func teamInput(f *adminForm) (people.TeamInput, bool) {
	name, desc := strings.TrimSpace(f.Get("name")), strings.TrimSpace(f.Get("description"))
	tier := 1
	ok := formInt(f, "tier", &tier)
	members := formIDs(f.Values, "agent_ids")
	in := people.TeamInput{Name: &name, Description: &desc, Tier: &tier, AgentIDs: &members}
	if s := f.Get("routing_strategy"); s != "" {
		in.RoutingStrategy = &s
	}
	return in, ok
}

func (h *Handler) adminTeamNew(w http.ResponseWriter, r *http.Request) {
	f := newAdminForm(nil)
	f.Values.Set("tier", "1")
	f.Values.Set("routing_strategy", "manual")
	h.renderTeamForm(w, r, nil, f)
}

func (h *Handler) adminTeamCreate(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if in, ok := teamInput(f); ok {
		_, err := h.Site.App.People.CreateTeam(r.Context(), page.ViewerFrom(r.Context()).Actor, in)
		if h.settle(w, r, f, err, nil, "admin.team_created", "/admin/teams") {
			return
		}
	}
	h.renderTeamForm(w, r, nil, f)
}

func (h *Handler) adminTeam(w http.ResponseWriter, r *http.Request) (*people.Team, bool) {
	return byPathID(h, w, r, h.Site.App.People.GetTeam)
}

func (h *Handler) adminTeamEdit(w http.ResponseWriter, r *http.Request) {
	t, ok := h.adminTeam(w, r)
	if !ok {
		return
	}
	f := newAdminForm(nil)
	f.Values.Set("name", t.Name)
	f.Values.Set("description", t.Description)
	f.Values.Set("tier", strconv.Itoa(t.Tier))
	f.Values.Set("routing_strategy", t.RoutingStrategy)
	f.Values["agent_ids"] = idStrings(t.AgentIDs)
	h.renderTeamForm(w, r, t, f)
}

func (h *Handler) adminTeamUpdate(w http.ResponseWriter, r *http.Request) {
	t, ok := h.adminTeam(w, r)
	if !ok {
		return
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if in, ok := teamInput(f); ok {
		_, err := h.Site.App.People.UpdateTeam(r.Context(), page.ViewerFrom(r.Context()).Actor, t.ID, in)
		if h.settle(w, r, f, err, nil, "admin.saved", "/admin/teams") {
			return
		}
	}
	h.renderTeamForm(w, r, t, f)
}
