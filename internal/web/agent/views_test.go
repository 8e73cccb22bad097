package agent_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/web/agent"
	"tessera/internal/web/page"
)

var ctx = context.Background()

// env is the workspace over a fresh app, with a way to act as anyone.
type env struct {
	t    *testing.T
	f    *apptest.Fixture
	site *page.Site
	h    http.Handler
	toks map[int64]string
}

func newEnv(t *testing.T, engine store.Engine) *env {
	t.Helper()
	f := apptest.New(t, engine)
	log := slog.New(slog.DiscardHandler)
	site, err := page.New(f.App, log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	(&agent.Handler{Site: site, Log: log}).Register(mux)
	return &env{t: t, f: f, site: site, h: mux, toks: map[int64]string{}}
}

// response is what a request answered.
type response struct {
	code   int
	header http.Header
	body   string
	cookie []*http.Cookie
}

// do sends a request as who (nil: signed out), a form for a POST, and
// carries extra cookies (a flash from the previous answer).
func (e *env) do(who *auth.Actor, method, target string, form url.Values, cookies ...*http.Cookie) response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if who != nil {
		tok, ok := e.toks[who.ID]
		if !ok {
			var err error
			if tok, err = e.site.Sessions.Create(ctx, who.ID, 0, "en", "test", "127.0.0.1"); err != nil {
				e.t.Fatal(err)
			}
			e.toks[who.ID] = tok
		}
		r.AddCookie(&http.Cookie{Name: page.AgentCookie, Value: tok})
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	res := w.Result()
	b, _ := io.ReadAll(res.Body)
	// A message key printed as itself is a missing translation.
	if m := untranslated.FindString(string(b)); m != "" {
		e.t.Errorf("%s %s shows the message key %q", method, target, m)
	}
	return response{code: res.StatusCode, header: res.Header, body: string(b), cookie: res.Cookies()}
}

// follow is a GET of the redirect of res, with the cookies it set.
func (e *env) follow(who *auth.Actor, res response) response {
	e.t.Helper()
	if res.code != http.StatusSeeOther {
		e.t.Fatalf("want a redirect, got %d: %.300s", res.code, res.body)
	}
	var keep []*http.Cookie
	for _, c := range res.cookie {
		if c.MaxAge >= 0 && c.Value != "" {
			keep = append(keep, c)
		}
	}
	return e.do(who, "GET", res.header.Get("Location"), nil, keep...)
}

func (e *env) ticket(subject string, mod func(*ticket.CreateInput)) ticket.Ticket {
	e.t.Helper()
	in := ticket.CreateInput{Subject: subject, Body: "About " + subject, Requester: &ticket.RequesterInput{Email: "cliente@example.com"}}
	if mod != nil {
		mod(&in)
	}
	tk, err := e.f.Tickets.Create(ctx, auth.System, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return tk
}

func team(id int64) func(*ticket.CreateInput) {
	return func(in *ticket.CreateInput) { in.TeamID = &id }
}

type role struct {
	name  string
	actor *auth.Actor
}

func (e *env) roles() []role {
	return []role{{"agent", &e.f.Agent}, {"light", &e.f.Light}, {"admin", &e.f.Admin}, {"team", &e.f.TeamAgent}}
}

var savedIDPattern = regexp.MustCompile(`/views/saved/(\d+)`)

// Every route of views, saved views, bulk changes and search, for every
// role: signed out goes to the sign-in page; agents see the lists, and a
// team-restricted agent only their teams' tickets.
func TestRoutesByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		sup := e.ticket("Support printer jam", team(e.f.Support.ID))
		bil := e.ticket("Billing printer invoice", team(e.f.Billing.ID))
		shared, err := e.f.Tickets.CreateSavedView(ctx, e.f.Admin, ticket.SavedViewInput{Name: "All unsolved", Shared: true, Filter: ticket.ViewFilter{Status: ticket.Unsolved}})
		if err != nil {
			t.Fatal(err)
		}
		sharedURL := "/views/saved/" + strconv.FormatInt(shared.ID, 10)
		gets := []string{"/", "/views/mine", "/views/unassigned", "/views/teams", "/views/open", "/views/pending", "/views/on_hold", "/views/solved",
			"/views/open?sort=priority&dir=desc", "/views/open?sort=created&dir=asc", "/views/open?sort=updated", "/views/open?sort=sla&dir=desc",
			"/views/new", sharedURL, "/search", "/search?q=printer"}
		for _, path := range gets {
			res := e.do(nil, "GET", path, nil)
			if res.code != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login?next=") {
				t.Errorf("signed out GET %s: %d %s", path, res.code, res.header.Get("Location"))
			}
			for _, r := range e.roles() {
				res := e.do(r.actor, "GET", path, nil)
				if res.code != http.StatusOK {
					t.Errorf("%s GET %s: %d %.300s", r.name, path, res.code, res.body)
					continue
				}
				if strings.Contains(path, "open") || path == sharedURL || strings.HasPrefix(path, "/search?") {
					hasSup, hasBil := strings.Contains(res.body, sup.Subject) || strings.Contains(res.body, "Support <mark>printer</mark> jam"),
						strings.Contains(res.body, bil.Subject) || strings.Contains(res.body, "Billing <mark>printer</mark> invoice")
					if r.name == "team" && (hasSup || !hasBil) {
						t.Errorf("team agent on %s: support=%v billing=%v", path, hasSup, hasBil)
					}
					if r.name != "team" && (!hasSup || !hasBil) {
						t.Errorf("%s on %s: support=%v billing=%v", r.name, path, hasSup, hasBil)
					}
				}
			}
		}
		posts := []struct {
			path string
			form url.Values
		}{
			{"/views", url.Values{"name": {"x"}}},
			{sharedURL, url.Values{"name": {"x"}}},
			{sharedURL + "/delete", url.Values{}},
			{"/tickets/bulk", url.Values{"ids": {fmt.Sprint(sup.ID)}, "action": {"priority"}, "priority": {"high"}}},
		}
		for _, p := range posts {
			res := e.do(nil, "POST", p.path, p.form)
			if res.code != http.StatusSeeOther || res.header.Get("Location") != "/login?next=%2F" {
				t.Errorf("signed out POST %s: %d %s", p.path, res.code, res.header.Get("Location"))
			}
		}
		if res := e.do(&e.f.Agent, "GET", "/views/nope", nil); res.code != http.StatusNotFound {
			t.Errorf("unknown view: %d", res.code)
		}
		if res := e.do(&e.f.Agent, "GET", "/views/saved/999999", nil); res.code != http.StatusNotFound {
			t.Errorf("unknown saved view: %d", res.code)
		}
		if res := e.do(&e.f.Agent, "GET", "/views/saved/abc", nil); res.code != http.StatusNotFound {
			t.Errorf("saved view abc: %d", res.code)
		}
		// Bad list input.
		for _, path := range []string{"/views/open?sort=subject", "/views/open?sort=sla&cursor=bogus", "/views/saved/" + fmt.Sprint(shared.ID) + "?cursor=zzz"} {
			if res := e.do(&e.f.Agent, "GET", path, nil); res.code != http.StatusUnprocessableEntity {
				t.Errorf("GET %s: %d", path, res.code)
			}
		}
	})
}

// The views show the saved ones in the sidebar, with counts; sort links
// and pages keep the sort.
func TestSidebarAndSorting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		for i := range 5 {
			p := []string{"low", "urgent", "normal", "high", "urgent"}[i]
			e.ticket(fmt.Sprintf("Queue item %d", i), func(in *ticket.CreateInput) { in.Priority = p })
		}
		if _, err := e.f.Tickets.CreateSavedView(ctx, e.f.Agent, ticket.SavedViewInput{Name: "Urgent ones", Filter: ticket.ViewFilter{Priority: []string{"urgent"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.f.Tickets.CreateSavedView(ctx, e.f.Agent, ticket.SavedViewInput{Name: "Items, by text", Filter: ticket.ViewFilter{Query: "queue item"}}); err != nil {
			t.Fatal(err)
		}
		res := e.do(&e.f.Agent, "GET", "/views/open", nil)
		if res.code != http.StatusOK {
			t.Fatalf("open: %d", res.code)
		}
		for _, want := range []string{"Urgent ones", "Items, by text", `<span class="count">2</span>`, `<span class="count">5</span>`, `aria-sort="ascending"`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		// Another agent does not see them.
		if res := e.do(&e.f.Agent2, "GET", "/views/open", nil); strings.Contains(res.body, "Urgent ones") {
			t.Errorf("agent2 sees agent's saved view")
		}
		// Priority, most pressing first, two a page.
		res = e.do(&e.f.Agent, "GET", "/views/open?sort=priority&dir=desc&limit=2", nil)
		items := regexp.MustCompile(`Queue item (\d)`).FindAllStringSubmatch(res.body, -1)
		if len(items) < 2 || items[0][1] != "4" || items[1][1] != "1" {
			t.Errorf("first page by priority: %v", items)
		}
		next := regexp.MustCompile(`href="(/views/open\?[^"]*cursor=[^"]*)"`).FindStringSubmatch(res.body)
		if next == nil {
			t.Fatalf("no next page link")
		}
		link := html.UnescapeString(next[1])
		if !strings.Contains(link, "sort=priority") || !strings.Contains(link, "dir=desc") {
			t.Errorf("next link loses the sort: %s", link)
		}
		res = e.do(&e.f.Agent, "GET", link, nil)
		items = regexp.MustCompile(`Queue item (\d)`).FindAllStringSubmatch(res.body, -1)
		if len(items) < 2 || items[0][1] != "3" || items[1][1] != "2" {
			t.Errorf("second page by priority: %v", items)
		}
		if !strings.Contains(res.body, "First page") {
			t.Errorf("no link back to the first page")
		}
	})
}

func TestSavedViewPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		e.ticket("Router down", func(in *ticket.CreateInput) { in.Priority = "urgent" })
		form := url.Values{"name": {"Urgent"}, "priority": {"urgent"}, "status": {"new", "open"}, "assignee": {""}, "tags": {"vip, billing"}}
		res := e.do(&e.f.Agent, "POST", "/views", form)
		if res.code != http.StatusSeeOther {
			t.Fatalf("create: %d %.500s", res.code, res.body)
		}
		m := savedIDPattern.FindStringSubmatch(res.header.Get("Location"))
		if m == nil {
			t.Fatalf("redirect to %s", res.header.Get("Location"))
		}
		path := m[0]
		page := e.follow(&e.f.Agent, res)
		if page.code != http.StatusOK || !strings.Contains(page.body, "The view was saved.") || !strings.Contains(page.body, `aria-current="page"`) {
			t.Errorf("view page: %d %.300s", page.code, page.body)
		}
		// Not another agent's business.
		for _, p := range []string{path, path + "/edit"} {
			if res := e.do(&e.f.Agent2, "GET", p, nil); res.code != http.StatusNotFound {
				t.Errorf("agent2 GET %s: %d", p, res.code)
			}
		}
		if res := e.do(&e.f.Agent2, "POST", path+"/delete", url.Values{}); res.code != http.StatusNotFound {
			t.Errorf("agent2 delete: %d", res.code)
		}
		// The form keeps what was saved.
		edit := e.do(&e.f.Agent, "GET", path+"/edit", nil)
		if edit.code != http.StatusOK || !strings.Contains(edit.body, `value="urgent" checked`) || !strings.Contains(edit.body, `value="billing, vip"`) {
			t.Errorf("edit form: %d %.300s", edit.code, edit.body)
		}
		// Bad input: 422, the field's error, the input kept.
		bad := url.Values{"name": {"Renamed"}, "requester": {"not-an-address"}, "created_from": {"yesterday"}, "q": {"router"}}
		res = e.do(&e.f.Agent, "POST", path, bad)
		if res.code != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Enter an email address.") || !strings.Contains(res.body, `value="not-an-address"`) ||
			!strings.Contains(res.body, `value="Renamed"`) || !strings.Contains(res.body, `id="err-created_from"`) {
			t.Errorf("bad update: %d %.2000s", res.code, res.body)
		}
		res = e.do(&e.f.Agent, "POST", "/views", url.Values{"name": {""}, "status": {"nope"}})
		if res.code != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Give the view a name") {
			t.Errorf("bad create: %d", res.code)
		}
		// A good update, with a text query: the list shows matches, marked.
		res = e.do(&e.f.Agent, "POST", path, url.Values{"name": {"Routers"}, "q": {"router"}})
		if res.code != http.StatusSeeOther {
			t.Fatalf("update: %d %.300s", res.code, res.body)
		}
		page = e.follow(&e.f.Agent, res)
		if !strings.Contains(page.body, "<mark>Router</mark> down") || !strings.Contains(page.body, "Routers") {
			t.Errorf("view with a query: %.2000s", page.body)
		}
		// An agent cannot share; the box is not offered and ignored.
		res = e.do(&e.f.Agent, "POST", "/views", url.Values{"name": {"Shared?"}, "shared": {"1"}})
		if res.code != http.StatusForbidden {
			t.Errorf("agent shared a view: %d", res.code)
		}
		// Admins share; agents see shared views but do not change them.
		res = e.do(&e.f.Admin, "POST", "/views", url.Values{"name": {"Team queue"}, "shared": {"1"}, "status": {"open"}})
		if res.code != http.StatusSeeOther {
			t.Fatalf("admin share: %d %.300s", res.code, res.body)
		}
		spath := savedIDPattern.FindString(res.header.Get("Location"))
		if res := e.do(&e.f.Agent, "GET", spath, nil); res.code != http.StatusOK || strings.Contains(res.body, spath+"/edit") {
			t.Errorf("agent on a shared view: %d, edit link shown: %v", res.code, strings.Contains(res.body, spath+"/edit"))
		}
		for _, r := range []struct {
			method, path string
		}{{"GET", spath + "/edit"}, {"POST", spath}, {"POST", spath + "/delete"}} {
			if res := e.do(&e.f.Agent, r.method, r.path, url.Values{"name": {"Mine"}}); res.code != http.StatusForbidden {
				t.Errorf("agent %s %s: %d", r.method, r.path, res.code)
			}
		}
		if res := e.do(&e.f.Light, "POST", "/views", url.Values{"name": {"Light's"}}); res.code != http.StatusSeeOther {
			t.Errorf("light agent's own view: %d", res.code)
		}
		// Delete.
		res = e.do(&e.f.Agent, "POST", path+"/delete", url.Values{})
		if res.code != http.StatusSeeOther || res.header.Get("Location") != "/" {
			t.Fatalf("delete: %d %s", res.code, res.header.Get("Location"))
		}
		if res := e.do(&e.f.Agent, "GET", path, nil); res.code != http.StatusNotFound {
			t.Errorf("deleted view: %d", res.code)
		}
		if res := e.do(&e.f.Admin, "POST", spath+"/delete", url.Values{}); res.code != http.StatusSeeOther {
			t.Errorf("admin delete shared: %d", res.code)
		}
	})
}

func TestBulkRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		if _, err := e.f.Tickets.CreateField(ctx, e.f.Admin, ticket.FieldDef{Key: "cause", Name: "Cause", Kind: "text", Required: true}); err != nil {
			t.Fatal(err)
		}
		a := e.ticket("Alpha", func(in *ticket.CreateInput) {
			in.CustomFields = map[string]any{"cause": "x"}
			in.TeamID = &e.f.Support.ID
		})
		b := e.ticket("Bravo", team(e.f.Billing.ID))
		c := e.ticket("Charlie", func(in *ticket.CreateInput) { in.CustomFields = map[string]any{"cause": "y"} })
		sel := []string{fmt.Sprint(a.ID), fmt.Sprint(b.ID), fmt.Sprint(c.ID)}
		back := "/views/open?sort=priority&dir=desc"

		// Partial failure: reported per ticket, by number.
		res := e.do(&e.f.Agent, "POST", "/tickets/bulk", url.Values{"ids": sel, "action": {"status"}, "status": {"solved"}, "back": {back}})
		if res.code != http.StatusSeeOther || res.header.Get("Location") != back {
			t.Fatalf("bulk: %d %s %.300s", res.code, res.header.Get("Location"), res.body)
		}
		page := e.follow(&e.f.Agent, res)
		want := fmt.Sprintf("2 tickets updated, 1 failed: #%d requires the field cause", b.Number)
		if !strings.Contains(page.body, want) {
			t.Errorf("report %q not in %.3000s", want, page.body)
		}
		// The report shows once.
		if again := e.do(&e.f.Agent, "GET", back, nil); strings.Contains(again.body, "1 failed") {
			t.Errorf("report shown twice")
		}

		// Assign, team, priority, tags, merge.
		for _, f := range []url.Values{
			{"action": {"assign"}, "assignee": {"me"}},
			{"action": {"assign"}, "assignee": {fmt.Sprint(e.f.Agent2.ID)}},
			{"action": {"assign"}, "assignee": {"none"}},
			{"action": {"team"}, "team": {fmt.Sprint(e.f.Billing.ID)}},
			{"action": {"team"}, "team": {"none"}},
			{"action": {"priority"}, "priority": {"urgent"}},
			{"action": {"add_tags"}, "tags": {"vip, renewal"}},
			{"action": {"remove_tags"}, "tags": {"vip"}},
		} {
			f["ids"] = []string{fmt.Sprint(b.ID)}
			res := e.do(&e.f.Agent, "POST", "/tickets/bulk", f)
			if res.code != http.StatusSeeOther {
				t.Errorf("%v: %d %.300s", f, res.code, res.body)
				continue
			}
			if page := e.follow(&e.f.Agent, res); !strings.Contains(page.body, "1 ticket updated") || strings.Contains(page.body, "failed") {
				t.Errorf("%v: report missing", f)
			}
		}
		got, _ := e.f.Tickets.Get(ctx, e.f.Agent, b.ID)
		if got.Priority != "urgent" || got.AssigneeID != nil || got.TeamID != nil || strings.Join(got.Tags, ",") != "renewal" {
			t.Errorf("after bulk: %+v", got)
		}
		d := e.ticket("Delta", nil)
		res = e.do(&e.f.Agent, "POST", "/tickets/bulk", url.Values{"ids": {fmt.Sprint(b.ID), fmt.Sprint(d.ID)}, "action": {"merge"}, "into": {fmt.Sprint(d.Number)}})
		if page := e.follow(&e.f.Agent, res); !strings.Contains(page.body, "1 ticket updated") {
			t.Errorf("merge report: %.300s", page.body)
		}
		if got, _ := e.f.Tickets.Get(ctx, e.f.Agent, b.ID); got.MergedIntoID == nil || *got.MergedIntoID != d.ID {
			t.Errorf("not merged: %+v", got)
		}

		// A light agent may look, not change: every ticket fails, forbidden.
		e2 := e.ticket("Echo", nil)
		res = e.do(&e.f.Light, "POST", "/tickets/bulk", url.Values{"ids": {fmt.Sprint(d.ID), fmt.Sprint(e2.ID)}, "action": {"priority"}, "priority": {"low"}, "back": {"/views/open"}})
		page = e.follow(&e.f.Light, res)
		if !strings.Contains(page.body, "0 tickets updated, 2 failed") || !strings.Contains(page.body, "you may not change it") {
			t.Errorf("light report: %.3000s", page.body)
		}
		// A team-restricted agent: the other team's ticket does not exist.
		res = e.do(&e.f.TeamAgent, "POST", "/tickets/bulk", url.Values{"ids": {fmt.Sprint(e2.ID)}, "action": {"priority"}, "priority": {"low"}})
		page = e.follow(&e.f.TeamAgent, res)
		if !strings.Contains(page.body, fmt.Sprintf("ticket %d was not found", e2.ID)) || strings.Contains(page.body, fmt.Sprint("#", e2.Number)) {
			t.Errorf("restricted report: %.3000s", page.body)
		}

		// Wrong for every ticket alike: 422, the list again with the
		// selection and the values kept, nothing changed.
		many := make([]string, ticket.MaxBulk+1)
		for i := range many {
			many[i] = fmt.Sprint(i + 1)
		}
		for name, f := range map[string]url.Values{
			"no ids":     {"action": {"priority"}, "priority": {"low"}},
			"too many":   {"ids": many, "action": {"priority"}, "priority": {"low"}},
			"no action":  {"ids": {fmt.Sprint(e2.ID)}},
			"no value":   {"ids": {fmt.Sprint(e2.ID)}, "action": {"priority"}},
			"bad value":  {"ids": {fmt.Sprint(e2.ID)}, "action": {"priority"}, "priority": {"asap"}},
			"bad id":     {"ids": {"x"}, "action": {"priority"}, "priority": {"low"}},
			"bad merge":  {"ids": {fmt.Sprint(e2.ID)}, "action": {"merge"}, "into": {"999999"}},
			"bad status": {"ids": {fmt.Sprint(e2.ID)}, "action": {"status"}, "status": {"nope"}},
		} {
			f["back"] = []string{"/views/open"}
			res := e.do(&e.f.Agent, "POST", "/tickets/bulk", f)
			if res.code != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Nothing was changed") {
				t.Errorf("%s: %d %.300s", name, res.code, res.body)
			}
		}
		res = e.do(&e.f.Agent, "POST", "/tickets/bulk", url.Values{"ids": {fmt.Sprint(e2.ID)}, "action": {"priority"}, "priority": {"asap"}, "back": {"/views/open"}})
		if !strings.Contains(res.body, fmt.Sprintf(`value="%d" form="bulk" data-pick aria-label="Select ticket #%d" checked`, e2.ID, e2.Number)) {
			t.Errorf("selection not kept: %.3000s", res.body)
		}
		if got, _ := e.f.Tickets.Get(ctx, e.f.Agent, e2.ID); got.Priority != e2.Priority {
			t.Errorf("a refused change changed the ticket")
		}
		// Back is a local path only.
		res = e.do(&e.f.Agent, "POST", "/tickets/bulk", url.Values{"ids": {fmt.Sprint(e2.ID)}, "action": {"priority"}, "priority": {"high"}, "back": {"https://evil.example/"}})
		if res.code != http.StatusSeeOther || res.header.Get("Location") != "/" {
			t.Errorf("open redirect: %d %s", res.code, res.header.Get("Location"))
		}
		// Light agents get no bulk bar.
		if page := e.do(&e.f.Light, "GET", "/views/open", nil); strings.Contains(page.body, `id="bulk"`) {
			t.Errorf("light agent sees the bulk bar")
		}
		if page := e.do(&e.f.Agent, "GET", "/views/open", nil); !strings.Contains(page.body, `id="bulk"`) {
			t.Errorf("agent lacks the bulk bar")
		}
	})
}

func TestSearchPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		x := e.ticket(`Printer <script>alert(1)</script> & co`, team(e.f.Support.ID))
		bil := e.ticket("Billing printer", team(e.f.Billing.ID))
		for i := range 30 {
			e.ticket(fmt.Sprintf("Toner %d", i), nil)
		}
		res := e.do(&e.f.Agent, "GET", "/search?q=printer", nil)
		if res.code != http.StatusOK {
			t.Fatalf("search: %d", res.code)
		}
		if strings.Contains(res.body, "<script>alert") || !strings.Contains(res.body, "<mark>Printer</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; co") {
			t.Errorf("highlight not escaped: %.3000s", res.body)
		}
		// Only marks survive in excerpts too.
		if strings.Count(res.body, "<mark>") != strings.Count(res.body, "</mark>") {
			t.Errorf("unbalanced marks")
		}
		// More results.
		res = e.do(&e.f.Agent, "GET", "/search?q=toner", nil)
		next := regexp.MustCompile(`href="(/search\?[^"]*cursor=[^"]*)"`).FindStringSubmatch(res.body)
		if next == nil {
			t.Fatalf("no more results link")
		}
		more := e.do(&e.f.Agent, "GET", html.UnescapeString(next[1]), nil)
		if more.code != http.StatusOK || strings.Count(more.body, `class="hit"`) != 5 {
			t.Errorf("second page: %d, %d hits", more.code, strings.Count(more.body, `class="hit"`))
		}
		// Empty state.
		if res := e.do(&e.f.Agent, "GET", "/search?q=zebra", nil); !strings.Contains(res.body, "No tickets match “zebra”") {
			t.Errorf("no empty state")
		}
		// A number opens its ticket; one not visible is searched as text.
		for _, q := range []string{fmt.Sprint(x.Number), fmt.Sprint("#", x.Number), fmt.Sprint(" #", x.Number, " ")} {
			res := e.do(&e.f.Agent, "GET", "/search?q="+url.QueryEscape(q), nil)
			if res.code != http.StatusSeeOther || res.header.Get("Location") != fmt.Sprint("/tickets/", x.ID) {
				t.Errorf("number %q: %d %s", q, res.code, res.header.Get("Location"))
			}
		}
		if res := e.do(&e.f.TeamAgent, "GET", fmt.Sprint("/search?q=", x.Number), nil); res.code != http.StatusOK {
			t.Errorf("restricted agent jumped to another team's ticket: %d", res.code)
		}
		res = e.do(&e.f.TeamAgent, "GET", "/search?q=printer", nil)
		if strings.Contains(res.body, "alert(1)") || !strings.Contains(res.body, "Billing <mark>printer</mark>") {
			t.Errorf("restricted search: %.2000s", res.body)
		}
		if res := e.do(&e.f.Light, "GET", fmt.Sprint("/search?q=", bil.Number), nil); res.code != http.StatusSeeOther {
			t.Errorf("light agent number jump: %d", res.code)
		}
		// Bad input: 422 with the query kept.
		long := strings.Repeat("a", 501)
		if res := e.do(&e.f.Agent, "GET", "/search?q="+long, nil); res.code != http.StatusUnprocessableEntity || !strings.Contains(res.body, `value="`+long) {
			t.Errorf("long query: %d", res.code)
		}
		if res := e.do(&e.f.Agent, "GET", "/search?q=toner&cursor=%25%25", nil); res.code != http.StatusUnprocessableEntity {
			t.Errorf("bad cursor: %d", res.code)
		}
	})
}
