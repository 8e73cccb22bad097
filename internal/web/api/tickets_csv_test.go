package api_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

// TestTicketListCSV: ?format=csv or Accept: text/csv gives the same
// tickets as the JSON list, for every role, the whole list at once.
func TestTicketListCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		e.newTicket("Support one", e.f.Support.ID)
		e.newTicket("Billing one", e.f.Billing.ID)
		e.newTicket("=HYPERLINK(\"http://evil\")", 0)
		old := ticket.ExportPage
		ticket.ExportPage = 2 // the export crosses pages
		defer func() { ticket.ExportPage = old }()
		for _, c := range callers {
			var list struct {
				Items []ticket.Ticket `json:"items"`
			}
			jr := e.do("GET", "/api/v1/tickets?sort=created&order=asc&limit=100", c, nil)
			cr := e.do("GET", "/api/v1/tickets?sort=created&order=asc&format=csv", c, nil)
			ar := e.do("GET", "/api/v1/tickets?sort=created&order=asc", c, nil, "Accept", "text/csv")
			if jr.Code != http.StatusOK {
				if cr.Code != jr.Code || ar.Code != jr.Code {
					t.Errorf("%s: list %d, csv %d and %d", c, jr.Code, cr.Code, ar.Code)
				}
				continue
			}
			if err := json.Unmarshal(jr.Body, &list); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, tk := range list.Items {
				want = append(want, tk.Subject)
			}
			for _, r := range []resp{cr, ar} {
				if r.Code != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), "tickets.csv") {
					t.Fatalf("%s csv: %s %v", c, r, r.Header)
				}
				rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
				if err != nil || len(rows) == 0 || rows[0][0] != "number" {
					t.Fatalf("%s csv: %v %s", c, err, r)
				}
				var got []string
				for _, row := range rows[1:] {
					got = append(got, strings.TrimPrefix(row[1], "'"))
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: csv subjects %q, list %q", c, got, want)
				}
			}
		}
		r := e.do("GET", "/api/v1/tickets?format=csv&team_id="+strconv.FormatInt(e.f.Billing.ID, 10), cAdmin, nil)
		if n := strings.Count(string(r.Body), "\n"); n != 2 || !strings.Contains(string(r.Body), ",Billing one,") || !strings.Contains(string(r.Body), ",Billing,") {
			t.Errorf("filtered csv:\n%s", r.Body)
		}
		r = e.do("GET", "/api/v1/tickets?format=csv&sort=created", cAdmin, nil)
		if !strings.Contains(string(r.Body), `"'=HYPERLINK(""http://evil"")"`) {
			t.Errorf("a formula subject is not defused:\n%s", r.Body)
		}
		if p := checkProblem(t, e.do("GET", "/api/v1/tickets?format=csv&sort=nope", cAdmin, nil), 422); p.Field != "sort" {
			t.Errorf("field %q, want sort", p.Field)
		}
	})
}
