package ticket_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// sortFixture is a ticket of the sorting tests, with what decides its
// place in each order.
type sortFixture struct {
	id       int64
	status   string
	priority string
	due      *time.Time
	assignee *int64
	team     *int64
	at       time.Time // created and updated
}

func weight(p string) int {
	return 4 - slices.Index(ticket.Priorities, p)
}

// seedSorting creates tickets with ties everywhere: several share a due
// time, a priority, a creation instant; several have no due time.
func seedSorting(t *testing.T, f *apptest.Fixture) []sortFixture {
	t.Helper()
	base := time.Date(2025, 5, 5, 8, 0, 0, 0, time.UTC)
	due1 := base.Add(2 * time.Hour)
	due2 := base.Add(5 * time.Hour).Add(123456789) // nanoseconds survive the cursor
	agent, support, billing := f.Agent.ID, f.Support.ID, f.Billing.ID
	specs := []struct {
		status, priority string
		due              *time.Time
		assignee, team   *int64
	}{
		{"new", "urgent", &due1, nil, &support},
		{"open", "normal", &due1, &agent, &support},
		{"open", "normal", &due1, nil, nil},
		{"new", "low", nil, nil, &billing},
		{"pending", "high", nil, &agent, &support},
		{"pending", "normal", nil, nil, &billing},
		{"open", "urgent", &due2, nil, &billing},
		{"on_hold", "normal", nil, nil, nil},
		{"new", "normal", nil, nil, &support},
		{"open", "high", &due2, &agent, nil},
		{"solved", "urgent", nil, &agent, &support},
		{"pending", "low", nil, nil, &support},
		{"new", "normal", &due1, nil, &billing},
	}
	var out []sortFixture
	for i, sp := range specs {
		at := base.Add(time.Duration(i/3) * time.Minute) // three per instant
		in := ticket.CreateInput{Subject: fmt.Sprintf("Sort %d", i), Body: "body", Priority: sp.priority, AssigneeID: sp.assignee, TeamID: sp.team,
			Requester: &ticket.RequesterInput{Email: "sorter@example.org"}}
		if sp.status == "pending" || sp.status == "on_hold" {
			in.Status = sp.status
		}
		tk, err := f.Tickets.Create(ticket.WithNow(ctx, at), auth.System, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.DB.Write().Exec(ctx, `UPDATE tickets SET sla_due_at = $2, status = $3, status_category = $3 WHERE id = $1`, tk.ID, sp.due, sp.status); err != nil {
			t.Fatal(err)
		}
		out = append(out, sortFixture{id: tk.ID, status: sp.status, priority: sp.priority, due: sp.due, assignee: sp.assignee, team: sp.team, at: at})
	}
	return out
}

// expected orders fixtures as List must: by the sort key, ties by id, and
// for the due time the tickets without one last in both directions.
func expected(fs []sortFixture, sort string, asc bool) []int64 {
	s := slices.Clone(fs)
	slices.SortFunc(s, func(a, b sortFixture) int {
		c := 0
		switch sort {
		case "priority":
			c = weight(a.priority) - weight(b.priority)
		case "sla":
			switch {
			case a.due == nil && b.due == nil:
			case a.due == nil:
				return 1
			case b.due == nil:
				return -1
			default:
				c = a.due.Compare(*b.due)
			}
		default:
			c = a.at.Compare(b.at)
		}
		if c == 0 {
			c = int(a.id - b.id)
		}
		if !asc {
			c = -c
		}
		return c
	})
	ids := make([]int64, len(s))
	for i, x := range s {
		ids[i] = x.id
	}
	return ids
}

// walk pages through a list and returns the ids in the order seen.
func walk(t *testing.T, f *apptest.Fixture, actor auth.Actor, flt ticket.Filter, limit int) []int64 {
	t.Helper()
	flt.Limit = limit
	var ids []int64
	for pages := 0; ; pages++ {
		if pages > 50 {
			t.Fatalf("no end to the pages")
		}
		pg, err := f.Tickets.List(ctx, actor, flt)
		if err != nil {
			t.Fatalf("list %+v: %v", flt, err)
		}
		if len(pg.Items) > limit {
			t.Fatalf("page of %d items, limit %d", len(pg.Items), limit)
		}
		for _, it := range pg.Items {
			ids = append(ids, it.ID)
		}
		if pg.NextCursor == "" {
			return ids
		}
		flt.Cursor = pg.NextCursor
	}
}

func TestListSortsAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		fs := seedSorting(t, f)
		unsolved := func(x sortFixture) bool { return slices.Contains(ticket.Unsolved, x.status) }
		none := int64(0)
		filters := []struct {
			name string
			f    ticket.Filter
			keep func(sortFixture) bool
		}{
			{"all", ticket.Filter{}, func(sortFixture) bool { return true }},
			{"unsolved", ticket.Filter{Status: ticket.Unsolved}, unsolved},
			{"new and open", ticket.Filter{Status: []string{"new", "open"}}, func(x sortFixture) bool { return x.status == "new" || x.status == "open" }},
			{"pending", ticket.Filter{Status: []string{"pending"}}, func(x sortFixture) bool { return x.status == "pending" }},
			{"unassigned", ticket.Filter{Status: ticket.Unsolved, AssigneeID: &none}, func(x sortFixture) bool { return unsolved(x) && x.assignee == nil }},
			{"mine", ticket.Filter{Status: ticket.Unsolved, AssigneeID: &f.Agent.ID}, func(x sortFixture) bool {
				return unsolved(x) && x.assignee != nil && *x.assignee == f.Agent.ID
			}},
			{"two teams", ticket.Filter{Status: ticket.Unsolved, TeamIDs: []int64{f.Support.ID, f.Billing.ID}}, func(x sortFixture) bool { return unsolved(x) && x.team != nil }},
			{"no team", ticket.Filter{TeamID: &none}, func(x sortFixture) bool { return x.team == nil }},
		}
		for _, flt := range filters {
			var want []sortFixture
			for _, x := range fs {
				if flt.keep(x) {
					want = append(want, x)
				}
			}
			for _, sort := range ticket.Sorts {
				for _, asc := range []bool{true, false} {
					for _, limit := range []int{1, 2, 3, 100} {
						q := flt.f
						q.Sort, q.Ascending = sort, asc
						got := walk(t, f, auth.System, q, limit)
						if w := expected(want, sort, asc); !slices.Equal(got, w) {
							t.Errorf("%s by %s asc=%v limit %d:\n got %v\nwant %v", flt.name, sort, asc, limit, got, w)
						}
					}
				}
			}
		}
	})
}

func TestListSortRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		seedSorting(t, f)
		_, err := f.Tickets.List(ctx, f.Agent, ticket.Filter{Sort: "subject"})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "sort" {
			t.Errorf("sort by subject: %v", err)
		}
		pg, err := f.Tickets.List(ctx, f.Agent, ticket.Filter{Sort: "sla", Limit: 2})
		if err != nil || pg.NextCursor == "" {
			t.Fatalf("first page: %v %+v", err, pg)
		}
		// A cursor of one sort is no cursor of another.
		if _, err := f.Tickets.List(ctx, f.Agent, ticket.Filter{Sort: "priority", Cursor: pg.NextCursor}); err == nil {
			t.Errorf("an SLA cursor was taken for a priority list")
		}
		if _, err := f.Tickets.List(ctx, f.Agent, ticket.Filter{Sort: "sla", Cursor: "bm9wZQ"}); err == nil {
			t.Errorf("a made-up cursor was taken")
		}
	})
}

// A team-restricted agent sees only their teams' tickets (and their own) in
// every sort, and in a view's search.
func TestListRestrictedInEverySort(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		fs := seedSorting(t, f)
		var want []sortFixture
		for _, x := range fs {
			if x.team != nil && *x.team == f.Billing.ID {
				want = append(want, x)
			}
		}
		for _, sort := range ticket.Sorts {
			got := walk(t, f, f.TeamAgent, ticket.Filter{Sort: sort}, 2)
			if w := expected(want, sort, false); !slices.Equal(got, w) {
				t.Errorf("by %s: got %v, want %v", sort, got, w)
			}
		}
		n, err := f.Tickets.Count(ctx, f.TeamAgent, ticket.Filter{Status: ticket.Unsolved}, 100)
		if err != nil || n != 4 {
			t.Errorf("count = %d, %v; want the 4 unsolved billing tickets", n, err)
		}
		res, err := f.Tickets.SearchIn(ctx, f.TeamAgent, "sort", &ticket.Filter{}, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Items {
			if h.Ticket.TeamID == nil || *h.Ticket.TeamID != f.Billing.ID {
				t.Errorf("search found ticket %d of team %v", h.Ticket.ID, h.Ticket.TeamID)
			}
		}
		if len(res.Items) != len(want) {
			t.Errorf("search found %d, want %d", len(res.Items), len(want))
		}
	})
}

func TestBuiltinViewsSortByDueTime(t *testing.T) {
	a := auth.Actor{Kind: auth.KindAgent, ID: 7, Role: auth.RoleAgent}
	for _, v := range ticket.BuiltinViews(a) {
		wantSLA := v.Key != "solved"
		if (v.Filter.Sort == "sla" && v.Filter.Ascending) != wantSLA {
			t.Errorf("view %s sorts by %q asc=%v", v.Key, v.Filter.Sort, v.Filter.Ascending)
		}
	}
}

func TestSavedViews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		fs := seedSorting(t, f)
		mine, err := f.Tickets.CreateSavedView(ctx, f.Agent, ticket.SavedViewInput{Name: "  My urgent  ",
			Filter: ticket.ViewFilter{Status: []string{"new", "open", "new"}, Priority: []string{"urgent", "high"}, Assignee: "me"}})
		if err != nil {
			t.Fatal(err)
		}
		if mine.Name != "My urgent" || mine.Shared() || !slices.Equal(mine.Filter.Status, []string{"new", "open"}) {
			t.Errorf("saved = %+v", mine)
		}
		if _, err := f.Tickets.CreateSavedView(ctx, f.Agent, ticket.SavedViewInput{Name: "Everyone's", Shared: true}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent shared a view: %v", err)
		}
		shared, err := f.Tickets.CreateSavedView(ctx, f.Admin, ticket.SavedViewInput{Name: "Billing queue", Shared: true,
			Filter: ticket.ViewFilter{Team: fmt.Sprint(f.Billing.ID), Status: ticket.Unsolved}})
		if err != nil {
			t.Fatal(err)
		}
		light, err := f.Tickets.CreateSavedView(ctx, f.Light, ticket.SavedViewInput{Name: "Light's own", Filter: ticket.ViewFilter{Query: "sort"}})
		if err != nil {
			t.Fatalf("a light agent keeps views of their own: %v", err)
		}

		// Who sees what: their own and the shared ones.
		list, err := f.Tickets.SavedViews(ctx, f.Agent)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != shared.ID || list[1].ID != mine.ID {
			t.Errorf("agent's views = %+v", list)
		}
		if _, err := f.Tickets.SavedView(ctx, f.Agent2, mine.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another agent's view: %v", err)
		}
		if _, err := f.Tickets.SavedView(ctx, f.Agent, light.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the light agent's view: %v", err)
		}
		if _, err := f.Tickets.SavedViews(ctx, auth.Actor{Kind: auth.KindContact, ID: 1}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("a contact listed views: %v", err)
		}

		// Who manages what.
		if _, err := f.Tickets.UpdateSavedView(ctx, f.Agent, shared.ID, ticket.SavedViewInput{Name: "Mine now", Shared: true}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent changed a shared view: %v", err)
		}
		if err := f.Tickets.DeleteSavedView(ctx, f.Agent, shared.ID); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent deleted a shared view: %v", err)
		}
		if _, err := f.Tickets.UpdateSavedView(ctx, f.Agent, mine.ID, ticket.SavedViewInput{Name: "Now shared", Shared: true}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent shared their view: %v", err)
		}
		if err := f.Tickets.DeleteSavedView(ctx, f.Agent2, mine.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("agent2 deleted agent's view: %v", err)
		}
		up, err := f.Tickets.UpdateSavedView(ctx, f.Admin, shared.ID, ticket.SavedViewInput{Name: "Billing, all", Shared: true, Filter: ticket.ViewFilter{Team: fmt.Sprint(f.Billing.ID)}})
		if err != nil || up.Name != "Billing, all" || !up.Shared() {
			t.Errorf("admin updated shared: %+v %v", up, err)
		}

		// "me" is whoever looks.
		sv, err := f.Tickets.SavedView(ctx, f.Agent, mine.ID)
		if err != nil {
			t.Fatal(err)
		}
		flt, q, err := f.Tickets.FilterOf(ctx, f.Agent, sv.Filter, time.UTC)
		if err != nil || q != "" || flt.AssigneeID == nil || *flt.AssigneeID != f.Agent.ID {
			t.Fatalf("filter of the view: %+v %q %v", flt, q, err)
		}
		if flt.Sort != "sla" || !flt.Ascending {
			t.Errorf("a view of unsolved tickets sorts by %s asc=%v, want the due time first", flt.Sort, flt.Ascending)
		}
		pg, err := f.Tickets.List(ctx, f.Agent, flt)
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		for _, x := range fs {
			if x.assignee != nil && *x.assignee == f.Agent.ID && (x.status == "new" || x.status == "open") && (x.priority == "urgent" || x.priority == "high") {
				want = append(want, x.id)
			}
		}
		var got []int64
		for _, it := range pg.Items {
			got = append(got, it.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("my urgent = %v, want %v", got, want)
		}
		// A shared view of a team, as the team-restricted agent and an agent see it.
		flt, _, err = f.Tickets.FilterOf(ctx, f.TeamAgent, up.Filter, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := f.Tickets.Count(ctx, f.TeamAgent, flt, 100); err != nil || n != 4 {
			t.Errorf("billing view for the billing agent: %d %v", n, err)
		}

		if err := f.Tickets.DeleteSavedView(ctx, f.Agent, mine.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.SavedView(ctx, f.Agent, mine.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted view still there: %v", err)
		}
	})
}

func TestSavedViewValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		bad := []struct {
			field string
			in    ticket.SavedViewInput
		}{
			{"name", ticket.SavedViewInput{Name: "   "}},
			{"status", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{Status: []string{"nope"}}}},
			{"priority", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{Priority: []string{"asap"}}}},
			{"channel", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{Channel: []string{"fax"}}}},
			{"assignee", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{Assignee: "someone"}}},
			{"assignee", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{Assignee: "999999"}}},
			{"team", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{Team: "999999"}}},
			{"tags", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{Tags: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}}}},
			{"requester", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{Requester: "not an address"}}},
			{"organization", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{Organization: "Nobody Inc"}}},
			{"created_from", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{CreatedFrom: "yesterday"}}},
			{"updated_to", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{UpdatedFrom: "2025-02-02", UpdatedTo: "2025-02-01"}}},
			{"sort", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{Sort: "subject"}}},
			{"dir", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{Dir: "up"}}},
			{"q", ticket.SavedViewInput{Name: "x", Filter: ticket.ViewFilter{Query: string(make([]byte, 501))}}},
		}
		for _, b := range bad {
			_, err := f.Tickets.CreateSavedView(ctx, f.Agent, b.in)
			ve, ok := validation.As(err)
			if !ok || !slices.ContainsFunc(ve.Fields, func(fe validation.FieldError) bool { return fe.Field == b.field }) {
				t.Errorf("%s: %v", b.field, err)
			}
		}
		name := "Acme"
		org, err := f.People.CreateOrganization(ctx, f.Admin, people.OrganizationInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.Tickets.CreateSavedView(ctx, f.Agent, ticket.SavedViewInput{Name: "Acme, March", Filter: ticket.ViewFilter{Organization: "acme",
			Requester: "Ana@Example.COM", CreatedFrom: "2025-03-01", CreatedTo: "2025-03-31", Tags: []string{"VIP", "billing"}, Channel: []string{"email"}}})
		if err != nil {
			t.Fatal(err)
		}
		if v.Filter.OrganizationID != org.ID || v.Filter.Requester != "ana@example.com" || !slices.Equal(v.Filter.Tags, []string{"billing", "vip"}) {
			t.Errorf("normalised filter = %+v", v.Filter)
		}
		got, err := f.Tickets.SavedView(ctx, f.Agent, v.ID)
		if err != nil || got.Filter.Organization != "Acme" {
			t.Errorf("organization name for the form: %+v %v", got.Filter, err)
		}
		// Days are the viewer's, the last one included.
		sp, _ := time.LoadLocation("America/Sao_Paulo")
		flt, _, err := f.Tickets.FilterOf(ctx, f.Agent, got.Filter, sp)
		if err != nil {
			t.Fatal(err)
		}
		if !flt.CreatedFrom.Equal(time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC)) || !flt.CreatedTo.Equal(time.Date(2025, 4, 1, 3, 0, 0, 0, time.UTC)) {
			t.Errorf("days = %v .. %v", flt.CreatedFrom, flt.CreatedTo)
		}
		if flt.RequesterID != -1 {
			t.Errorf("an unknown requester matches %d", flt.RequesterID)
		}
		if flt.Sort != "updated" || flt.Ascending {
			t.Errorf("a view of every status sorts by %s asc=%v", flt.Sort, flt.Ascending)
		}
	})
}

// A view's text query searches among the view's tickets only.
func TestSearchInFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		a := create(t, f, f.Agent, "Printer jammed on floor two", "p1@example.com", func(in *ticket.CreateInput) { in.Priority = "urgent" })
		b := create(t, f, f.Agent, "Printer out of toner", "p2@example.com", func(in *ticket.CreateInput) { in.Priority = "low" })
		create(t, f, f.Agent, "Scanner broken", "p3@example.com", func(in *ticket.CreateInput) { in.Priority = "urgent" })
		all, err := f.Tickets.Search(ctx, f.Agent, "printer", "", 20)
		if err != nil || len(all.Items) != 2 {
			t.Fatalf("search = %+v %v", all, err)
		}
		res, err := f.Tickets.SearchIn(ctx, f.Agent, "printer", &ticket.Filter{Priority: []string{"urgent"}}, "", 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != 1 || res.Items[0].Ticket.ID != a.ID {
			t.Errorf("urgent printers = %+v", res.Items)
		}
		n, err := f.Tickets.CountSearch(ctx, f.Agent, "printer", ticket.Filter{Priority: []string{"low"}}, 100)
		if err != nil || n != 1 {
			t.Errorf("count of low printers = %d %v", n, err)
		}
		n, err = f.Tickets.CountSearch(ctx, f.Agent, "print", ticket.Filter{}, 100)
		if err != nil || n != 2 {
			t.Errorf("count by prefix = %d %v", n, err)
		}
		// A number finds its ticket only in a plain search.
		num := fmt.Sprint(b.Number)
		if res, _ := f.Tickets.Search(ctx, f.Agent, num, "", 20); len(res.Items) == 0 || res.Items[0].Ticket.ID != b.ID {
			t.Errorf("search by number = %+v", res.Items)
		}
		if res, _ := f.Tickets.SearchIn(ctx, f.Agent, num, &ticket.Filter{Priority: []string{"urgent"}}, "", 20); len(res.Items) != 0 {
			t.Errorf("a view's search found a number outside the view: %+v", res.Items)
		}
		if _, err := f.Tickets.CountSearch(ctx, auth.Actor{Kind: auth.KindContact, ID: 1}, "printer", ticket.Filter{}, 10); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("a contact counted a search: %v", err)
		}
	})
}
