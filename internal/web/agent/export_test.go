package agent_test

import (
	"encoding/csv"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

var exportLink = regexp.MustCompile(`href="(/export/views/[^"]+)" download`)

// TestExportCSV: every list page links its CSV (same filter and order),
// and each role's CSV holds exactly the tickets the role sees in the list.
func TestExportCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		e.ticket("Support printer jam", team(e.f.Support.ID))
		e.ticket("Billing printer invoice", team(e.f.Billing.ID))
		e.ticket("-1 formula", nil)
		old := ticket.ExportPage
		ticket.ExportPage = 2 // the export crosses pages
		defer func() { ticket.ExportPage = old }()
		sv, err := e.f.Tickets.CreateSavedView(ctx, e.f.Admin, ticket.SavedViewInput{Name: "Unsolved", Shared: true, Filter: ticket.ViewFilter{Status: ticket.Unsolved}})
		if err != nil {
			t.Fatal(err)
		}
		for _, rl := range e.roles() {
			for _, list := range []string{"/views/unassigned?sort=created&dir=asc", savedURLOf(sv.ID) + "?sort=created&dir=asc"} {
				page := e.do(rl.actor, "GET", list, nil)
				if page.code != http.StatusOK {
					t.Fatalf("%s %s: %d", rl.name, list, page.code)
				}
				m := exportLink.FindStringSubmatch(page.body)
				if m == nil {
					t.Fatalf("%s %s: no export link", rl.name, list)
				}
				href := strings.ReplaceAll(m[1], "&amp;", "&")
				if !strings.Contains(href, "sort=created") || !strings.Contains(href, "dir=asc") {
					t.Errorf("%s: the export link %s loses the order", rl.name, href)
				}
				res := e.do(rl.actor, "GET", href, nil)
				if res.code != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
					t.Fatalf("%s %s: %d %s", rl.name, href, res.code, res.body)
				}
				rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range rows[1:] {
					got = append(got, r[1])
				}
				var want []string
				for _, s := range []string{"Support printer jam", "Billing printer invoice", "'-1 formula"} {
					if strings.Contains(page.body, strings.TrimPrefix(s, "'")) {
						want = append(want, s)
					}
				}
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("%s %s: csv %q, list %q", rl.name, href, got, want)
				}
			}
		}
		if res := e.do(nil, "GET", "/export/views/unassigned", nil); res.code != http.StatusSeeOther {
			t.Errorf("signed out export: %d", res.code)
		}
		if res := e.do(&e.f.Agent, "GET", "/export/views/nope", nil); res.code != http.StatusNotFound {
			t.Errorf("unknown view export: %d", res.code)
		}
		if res := e.do(&e.f.Agent, "GET", "/export/views/unassigned?sort=nope", nil); res.code != http.StatusUnprocessableEntity && res.code != http.StatusBadRequest {
			t.Errorf("bad sort export: %d %s", res.code, res.body)
		}
	})
}

func savedURLOf(id int64) string { return "/views/saved/" + strconv.FormatInt(id, 10) }
