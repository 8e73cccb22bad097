package agent

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/ticket"
	"tessera/internal/web/page"
)

// CountCap is where view counts stop counting ("999+").
const CountCap = 1000

// Sidebar is the list of views with their counts.
type Sidebar struct {
	Active string
	Views  []SidebarView
}

// SidebarView is one entry of the sidebar.
type SidebarView struct {
	Key, Label, URL string
	Count           int
	Capped          bool
}

// directory names agents and teams in lists; both are small tables, read
// once per page.
type directory struct {
	Agents map[int64]people.Agent
	Teams  map[int64]people.Team
}

func (d directory) AgentName(id *int64) string {
	if id == nil {
		return ""
	}
	return d.Agents[*id].Name
}

func (d directory) TeamName(id *int64) string {
	if id == nil {
		return ""
	}
	return d.Teams[*id].Name
}

func (h *Handler) directory(ctx context.Context) (directory, error) {
	d := directory{Agents: map[int64]people.Agent{}, Teams: map[int64]people.Team{}}
	agents, err := h.Site.App.People.ListAgents(ctx)
	if err != nil {
		return d, err
	}
	for _, a := range agents {
		d.Agents[a.ID] = a
	}
	teams, err := h.Site.App.People.ListTeams(ctx)
	if err != nil {
		return d, err
	}
	for _, t := range teams {
		d.Teams[t.ID] = t
	}
	return d, nil
}

// counts caches each agent's view counts for a few seconds: every page of
// the workspace shows them, and live updates refresh them anyway.
type countCache struct {
	mu sync.Mutex
	m  map[int64]countEntry
}

type countEntry struct {
	at     time.Time
	counts map[string]int
}

var counts = countCache{m: map[int64]countEntry{}}

func (h *Handler) sidebar(ctx context.Context, actor auth.Actor, active string) (*Sidebar, error) {
	counts.mu.Lock()
	e, ok := counts.m[actor.ID]
	counts.mu.Unlock()
	views := ticket.BuiltinViews(actor)
	if !ok || time.Since(e.at) > 5*time.Second {
		e = countEntry{at: time.Now(), counts: map[string]int{}}
		for _, v := range views {
			n, err := h.Site.App.Tickets.Count(ctx, actor, v.Filter, CountCap)
			if err != nil {
				return nil, err
			}
			e.counts[v.Key] = n
		}
		counts.mu.Lock()
		counts.m[actor.ID] = e
		counts.mu.Unlock()
	}
	sb := &Sidebar{Active: active}
	for _, v := range views {
		n := e.counts[v.Key]
		sb.Views = append(sb.Views, SidebarView{Key: v.Key, Label: v.Label, URL: "/views/" + v.Key, Count: n, Capped: n >= CountCap})
	}
	return sb, nil
}

// listPage is a view's page.
type listPage struct {
	Key, Label string
	Tickets    []ticket.Ticket
	Next       string
	Dir        directory
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	h.renderView(w, r, "mine")
}

func (h *Handler) view(w http.ResponseWriter, r *http.Request) {
	h.renderView(w, r, r.PathValue("name"))
}

func (h *Handler) renderView(w http.ResponseWriter, r *http.Request, key string) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	view, ok := ticket.BuiltinView(v.Actor, key)
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	f := view.Filter
	f.Cursor = r.URL.Query().Get("cursor")
	f.Limit = 50
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 && n <= 100 {
		f.Limit = n
	}
	res, err := h.Site.App.Tickets.List(ctx, v.Actor, f)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	dir, err := h.directory(ctx)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	d := h.Site.NewData(r, "")
	d.Title = d.T(view.Label)
	if d.Sidebar, err = h.sidebar(ctx, v.Actor, key); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.Site.TakeFlash(w, r, d)
	d.Page = listPage{Key: key, Label: view.Label, Tickets: res.Items, Next: res.NextCursor, Dir: dir}
	h.Site.Render(w, http.StatusOK, "agent/view", d)
}
