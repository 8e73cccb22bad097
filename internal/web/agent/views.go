package agent

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
	Saved  []SidebarView
}

// SidebarView is one entry of the sidebar: a built-in view (Label is its
// message key) or a saved one (Name is what its owner called it).
type SidebarView struct {
	Key, Label, Name, URL string
	Count                 int
	Capped                bool
	Shared                bool
}

// directory names agents and teams in lists; both are small tables, read
// once per page.
type directory struct {
	Agents map[int64]people.Agent
	Teams  map[int64]people.Team
	// In name order, for the pickers of the bulk bar and the view form.
	AgentList []people.Agent
	TeamList  []people.Team
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

// Assignable are the active agents who may be assigned tickets.
func (d directory) Assignable() []people.Agent {
	var out []people.Agent
	for _, a := range d.AgentList {
		if a.Active && a.Role != auth.RoleLight {
			out = append(out, a)
		}
	}
	return out
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
	d.AgentList = agents
	slices.SortFunc(d.AgentList, func(a, b people.Agent) int { return compareFold(a.Name, b.Name) })
	teams, err := h.Site.App.People.ListTeams(ctx)
	if err != nil {
		return d, err
	}
	for _, t := range teams {
		d.Teams[t.ID] = t
	}
	d.TeamList = teams
	slices.SortFunc(d.TeamList, func(a, b people.Team) int { return compareFold(a.Name, b.Name) })
	return d, nil
}

// counts caches each agent's view counts for a few seconds: every page of
// the workspace shows them, and live updates refresh them anyway. The cache
// is per process; a count is at most a few seconds stale on another server.
type countCache struct {
	mu sync.Mutex
	m  map[countKey]countEntry
}

// countKey is an agent of a site (tests run several sites in a process).
type countKey struct {
	site  *page.Site
	agent int64
}

type countEntry struct {
	at         time.Time
	counts     map[string]int
	refreshing bool
}

var counts = countCache{m: map[countKey]countEntry{}}

// forget drops an agent's cached counts (after they changed tickets or
// views, they expect to see it).
func (c *countCache) forget(site *page.Site, agentID int64) {
	c.mu.Lock()
	delete(c.m, countKey{site, agentID})
	c.mu.Unlock()
}

// countTTL is how long counts are shown without being retaken.
const countTTL = 5 * time.Second

func (h *Handler) sidebar(ctx context.Context, v *page.Viewer, active string) (*Sidebar, error) {
	actor := v.Actor
	saved, err := h.Site.App.Tickets.SavedViews(ctx, actor)
	if err != nil {
		return nil, err
	}
	n, err := h.viewCounts(ctx, v, saved)
	if err != nil {
		return nil, err
	}
	sb := &Sidebar{Active: active}
	for _, bv := range ticket.BuiltinViews(actor) {
		c := n[bv.Key]
		sb.Views = append(sb.Views, SidebarView{Key: bv.Key, Label: bv.Label, URL: "/views/" + bv.Key, Count: c, Capped: c >= CountCap})
	}
	for _, sv := range saved {
		c := n[savedKey(sv.ID)]
		sb.Saved = append(sb.Saved, SidebarView{Key: savedKey(sv.ID), Name: sv.Name, URL: savedURL(sv.ID), Count: c, Capped: c >= CountCap, Shared: sv.Shared()})
	}
	return sb, nil
}

// viewCounts returns the agent's view counts. Counts older than countTTL
// are still shown while a background refresh retakes them, so no page
// waits for a slow count (a single-status view can walk a thousand index
// entries); only the first page, or one after forget, counts inline.
func (h *Handler) viewCounts(ctx context.Context, v *page.Viewer, saved []ticket.SavedView) (map[string]int, error) {
	key := countKey{h.Site, v.Actor.ID}
	counts.mu.Lock()
	e, ok := counts.m[key]
	complete := ok
	for _, sv := range saved {
		if _, has := e.counts[savedKey(sv.ID)]; !has {
			complete = false
		}
	}
	stale := complete && time.Since(e.at) > countTTL
	if stale && !e.refreshing {
		e.refreshing = true
		counts.m[key] = e
		go func() {
			bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			n, err := h.takeCounts(bg, v, saved)
			counts.mu.Lock()
			defer counts.mu.Unlock()
			if err != nil {
				h.Log.Warn("refresh view counts", "agent", v.Actor.ID, "err", err)
				if cur, ok := counts.m[key]; ok {
					cur.refreshing = false
					counts.m[key] = cur
				}
				return
			}
			counts.m[key] = countEntry{at: time.Now(), counts: n}
		}()
	}
	counts.mu.Unlock()
	if complete {
		return e.counts, nil
	}
	n, err := h.takeCounts(ctx, v, saved)
	if err != nil {
		return nil, err
	}
	counts.mu.Lock()
	counts.m[key] = countEntry{at: time.Now(), counts: n}
	counts.mu.Unlock()
	return n, nil
}

// takeCounts counts every view of the agent, capped.
func (h *Handler) takeCounts(ctx context.Context, v *page.Viewer, saved []ticket.SavedView) (map[string]int, error) {
	actor := v.Actor
	n := map[string]int{}
	for _, bv := range ticket.BuiltinViews(actor) {
		c, err := h.Site.App.Tickets.Count(ctx, actor, bv.Filter, CountCap)
		if err != nil {
			return nil, err
		}
		n[bv.Key] = c
	}
	for _, sv := range saved {
		c, err := func() (int, error) {
			f, q, err := h.Site.App.Tickets.FilterOf(ctx, actor, sv.Filter, v.TZ)
			if err != nil {
				return 0, err
			}
			if q != "" {
				return h.Site.App.Tickets.CountSearch(ctx, actor, q, f, CountCap)
			}
			return h.Site.App.Tickets.Count(ctx, actor, f, CountCap)
		}()
		if err != nil {
			// A view whose filter no longer holds (a custom status was
			// removed) shows without a count rather than break every page.
			h.Log.Warn("count saved view", "view", sv.ID, "err", err)
			c = -1
		}
		n[savedKey(sv.ID)] = c
	}
	return n, nil
}

func savedKey(id int64) string { return "saved-" + strconv.FormatInt(id, 10) }

func savedURL(id int64) string { return "/views/saved/" + strconv.FormatInt(id, 10) }

// listPage is a view's page.
type listPage struct {
	Key   string
	Label string // message key of a built-in view
	Saved *ticket.SavedView
	// CanManage: the viewer may edit or delete the saved view.
	CanManage bool
	Tickets   []ticket.Ticket
	// Highlights are the marked subjects of a view with a text query.
	Highlights map[int64]template.HTML
	Query      string
	Next       string // URL of the next page
	First      string // URL of the first page, when not on it
	Dir        directory
	Sort       string
	Ascending  bool
	Path       string
	Bulk       bulkBar
	// Export is the URL of the list as CSV (same filter and order); empty
	// for a text query, whose order is relevance.
	Export string
}

// SortLink is a column heading's link: the column's sort, the other
// direction when it is already the sort.
func (p listPage) SortLink(sort string) string {
	q := url.Values{"sort": {sort}}
	asc := ticket.DefaultAscending(sort)
	if p.Sort == sort {
		asc = !p.Ascending
	}
	q.Set("dir", dirName(asc))
	return p.Path + "?" + q.Encode()
}

// AriaSort is the aria-sort of a column heading.
func (p listPage) AriaSort(sort string) string {
	if p.Query != "" || p.Sort != sort {
		return ""
	}
	if p.Ascending {
		return "ascending"
	}
	return "descending"
}

// Sortable reports whether the headings sort (a text query sorts by
// relevance).
func (p listPage) Sortable() bool { return p.Query == "" }

func dirName(asc bool) string {
	if asc {
		return "asc"
	}
	return "desc"
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	h.renderView(w, r, "mine", listOpts{})
}

func (h *Handler) view(w http.ResponseWriter, r *http.Request) {
	h.renderView(w, r, r.PathValue("name"), listOpts{})
}

// listOpts carry a failed bulk change back to the list it came from.
type listOpts struct {
	status  int
	err     string
	checked []int64
	form    url.Values
}

// renderView shows a built-in view.
func (h *Handler) renderView(w http.ResponseWriter, r *http.Request, key string, o listOpts) {
	v := page.ViewerFrom(r.Context())
	view, ok := ticket.BuiltinView(v.Actor, key)
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	h.renderList(w, r, listPage{Key: key, Label: view.Label, Export: "/export/views/" + key}, view.Filter, "", o)
}

// sorted applies the order a list request asks for (?sort=&dir=) to its
// view's filter.
func sorted(f ticket.Filter, query url.Values) ticket.Filter {
	if s := query.Get("sort"); s != "" {
		f.Sort, f.Ascending = s, ticket.DefaultAscending(s)
	}
	switch query.Get("dir") {
	case "asc":
		f.Ascending = true
	case "desc":
		f.Ascending = false
	}
	if f.Sort == "" {
		f.Sort = "updated"
	}
	return f
}

// exportView sends a built-in view's tickets as CSV.
func (h *Handler) exportView(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerFrom(r.Context())
	view, ok := ticket.BuiltinView(v.Actor, r.PathValue("name"))
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	h.exportList(w, r, r.PathValue("name"), view.Filter)
}

// exportSaved sends a saved view's tickets as CSV (a view with a text
// query has none to send: its order is relevance, not a list's).
func (h *Handler) exportSaved(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.Site.NotFound(w, r)
		return
	}
	sv, err := h.Site.App.Tickets.SavedView(ctx, v.Actor, id)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	f, q, err := h.Site.App.Tickets.FilterOf(ctx, v.Actor, sv.Filter, v.TZ)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if q != "" {
		h.Site.NotFound(w, r)
		return
	}
	h.exportList(w, r, "view-"+strconv.FormatInt(id, 10), f)
}

// exportList streams a list's tickets as CSV, in the viewer's zone.
func (h *Handler) exportList(w http.ResponseWriter, r *http.Request, name string, f ticket.Filter) {
	v := page.ViewerFrom(r.Context())
	out := &csvDownload{w: w, name: "tickets-" + name + ".csv"}
	err := h.Site.App.Reports.TicketListCSV(r.Context(), h.Site.App.Tickets, v.Actor, sorted(f, r.URL.Query()), v.TZ, 0, out)
	if err != nil && !out.started {
		h.Site.Fail(w, r, err)
	} else if err != nil {
		h.Site.Log.Error("ticket list csv", "err", err)
	}
}

// csvDownload sets a CSV download's headers at its first write, so an
// error found before any row still shows the error page.
type csvDownload struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (c *csvDownload) Write(p []byte) (int, error) {
	if !c.started {
		c.started = true
		h := c.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+c.name+`"`)
		h.Set("Cache-Control", "no-store")
	}
	return c.w.Write(p)
}

// renderList shows the tickets of a filter: a page of a keyset list, in the
// sort the request asks for (?sort=&dir=) or the view's own; with a text
// query, the matches best first.
func (h *Handler) renderList(w http.ResponseWriter, r *http.Request, lp listPage, f ticket.Filter, q string, o listOpts) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	query := r.URL.Query()
	f = sorted(f, query)
	f.Cursor = query.Get("cursor")
	f.Limit = 50
	if n, err := strconv.Atoi(query.Get("limit")); err == nil && n > 0 && n <= 100 {
		f.Limit = n
	}
	lp.Path, lp.Sort, lp.Ascending, lp.Query = r.URL.Path, f.Sort, f.Ascending, q
	keep := url.Values{}
	if query.Get("sort") != "" || query.Get("dir") != "" {
		keep.Set("sort", f.Sort)
		keep.Set("dir", dirName(f.Ascending))
	}
	if n := query.Get("limit"); n != "" && f.Limit != 50 {
		keep.Set("limit", strconv.Itoa(f.Limit))
	}
	var next string
	if q != "" {
		res, err := h.Site.App.Tickets.SearchIn(ctx, v.Actor, q, &f, f.Cursor, min(f.Limit, 50))
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		lp.Highlights = map[int64]template.HTML{}
		for _, hit := range res.Items {
			lp.Tickets = append(lp.Tickets, hit.Ticket)
			lp.Highlights[hit.Ticket.ID] = marked(hit.Subject)
		}
		next = res.NextCursor
	} else {
		res, err := h.Site.App.Tickets.List(ctx, v.Actor, f)
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		lp.Tickets, next = res.Items, res.NextCursor
	}
	if q != "" {
		lp.Export = ""
	} else if lp.Export != "" && len(keep) > 0 {
		ek := url.Values{"sort": keep["sort"], "dir": keep["dir"]}
		if ek.Get("sort") != "" {
			lp.Export += "?" + ek.Encode()
		}
	}
	if next != "" {
		nq := url.Values{}
		for k, vs := range keep {
			nq[k] = vs
		}
		nq.Set("cursor", next)
		lp.Next = lp.Path + "?" + nq.Encode()
	}
	if f.Cursor != "" {
		lp.First = lp.Path
		if len(keep) > 0 {
			lp.First += "?" + keep.Encode()
		}
	}
	var err error
	if lp.Dir, err = h.directory(ctx); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if lp.Bulk, err = h.bulkBar(ctx, v, r, lp.Tickets, lp.Dir, o); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	d := h.Site.NewData(r, "")
	if lp.Saved != nil {
		d.Title = lp.Saved.Name
	} else {
		d.Title = d.T(lp.Label)
	}
	if d.Sidebar, err = h.sidebar(ctx, v, lp.Key); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.Site.TakeFlash(w, r, d)
	takeBulkReport(w, r, d)
	status := http.StatusOK
	if o.status != 0 {
		status, d.Error = o.status, o.err
	}
	d.Page = lp
	h.Site.Render(w, status, "agent/view", d)
}

func compareFold(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }
