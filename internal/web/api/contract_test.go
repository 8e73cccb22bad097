package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/web/api"
)

func TestContractTicketFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		f := e.f

		// Create.
		var tk ticketJSON
		r := e.must(http.StatusCreated, "POST", "/api/v1/tickets", cAgent, map[string]any{
			"subject": "Printer on fire", "body": "The printer in room 4 is on fire. Please send help.",
			"requester": map[string]any{"email": "Carla@Example.org", "name": "Carla Cliente"},
			"priority":  "high", "tags": []string{"Hardware", "fire drill"},
		}, &tk)
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		if tk.ID <= 0 || tk.Number <= 0 || tk.Status != "new" || tk.Priority != "high" || tk.Subject != "Printer on fire" {
			t.Fatalf("created ticket: %s", r)
		}
		if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/tickets/%d", tk.ID) {
			t.Errorf("Location %q", loc)
		}
		if !slices.Equal(tk.Tags, []string{"fire_drill", "hardware"}) {
			t.Errorf("tags %v", tk.Tags)
		}
		if tk.Requester == nil || tk.Requester.Email != "carla@example.org" || tk.Requester.Name != "Carla Cliente" {
			t.Errorf("requester %+v", tk.Requester)
		}
		path := fmt.Sprintf("/api/v1/tickets/%d", tk.ID)

		// Get.
		var got ticketJSON
		e.must(http.StatusOK, "GET", path, cAgent, nil, &got)
		if got.ID != tk.ID || got.Number != tk.Number || got.Subject != tk.Subject || got.Priority != "high" {
			t.Errorf("get: %+v, want %+v", got, tk)
		}

		// Patch: status, then the assignee by email, by id, and cleared.
		e.must(http.StatusOK, "PATCH", path, cAgent, map[string]any{"status": "pending"}, &got)
		if got.Status != "pending" {
			t.Errorf("status %q after patch", got.Status)
		}
		e.must(http.StatusOK, "PATCH", path, cAgent, map[string]any{"assignee_email": "Agent2@example.com"}, &got)
		if got.AssigneeID == nil || *got.AssigneeID != f.Agent2.ID {
			t.Errorf("assignee %v after assignee_email, want %d", got.AssigneeID, f.Agent2.ID)
		}
		e.must(http.StatusOK, "PATCH", path, cAgent, map[string]any{"assignee_id": f.Agent.ID}, &got)
		if got.AssigneeID == nil || *got.AssigneeID != f.Agent.ID {
			t.Errorf("assignee %v after assignee_id, want %d", got.AssigneeID, f.Agent.ID)
		}
		e.must(http.StatusOK, "PATCH", path, cAgent, map[string]any{"assignee_id": nil}, &got)
		if got.AssigneeID != nil {
			t.Errorf("assignee %v after assignee_id null", *got.AssigneeID)
		}
		e.must(http.StatusOK, "PATCH", path, cAgent, map[string]any{"team_id": f.Support.ID, "add_tags": []string{"vip"}, "remove_tags": []string{"hardware"}}, &got)
		if got.TeamID == nil || *got.TeamID != f.Support.ID || !slices.Equal(got.Tags, []string{"fire_drill", "vip"}) {
			t.Errorf("team/tags after patch: %+v", got)
		}

		// Messages: a reply, a note, and a note with a file sent as a form.
		type msgResult struct {
			Message struct {
				ID            int64  `json:"id"`
				Kind          string `json:"kind"`
				BodyText      string `json:"body_text"`
				AuthorAgentID *int64 `json:"author_agent_id"`
				Attachments   []struct {
					ID       int64  `json:"id"`
					Filename string `json:"filename"`
					Size     int64  `json:"size"`
				} `json:"attachments"`
			} `json:"message"`
			TicketID int64 `json:"ticket_id"`
			FollowUp bool  `json:"follow_up"`
		}
		var mr msgResult
		e.must(http.StatusCreated, "POST", path+"/messages", cAgent, map[string]any{"kind": "reply", "body": "A technician is on the way."}, &mr)
		if mr.Message.Kind != "reply" || mr.TicketID != tk.ID || mr.FollowUp || mr.Message.AuthorAgentID == nil || *mr.Message.AuthorAgentID != f.Agent.ID {
			t.Errorf("reply: %+v", mr)
		}
		e.must(http.StatusCreated, "POST", path+"/messages", cLight, map[string]any{"kind": "note", "body": "Fire brigade called."}, &mr)
		if mr.Message.Kind != "note" || mr.Message.BodyText != "Fire brigade called." {
			t.Errorf("note: %+v", mr)
		}
		logData := []byte("12:00 smoke\n12:01 flames\n")
		body, ct := multipartBody([]string{"kind", "note", "body", "Log attached."}, formFile{"attachments", "printer.log", "text/plain", logData})
		r = e.do("POST", path+"/messages", cAgent, body, "Content-Type", ct)
		if r.Code != http.StatusCreated {
			t.Fatalf("multipart message: %s", r)
		}
		mr = msgResult{}
		_ = json.Unmarshal(r.Body, &mr)
		if mr.Message.Kind != "note" || len(mr.Message.Attachments) != 1 || mr.Message.Attachments[0].Filename != "printer.log" ||
			mr.Message.Attachments[0].Size != int64(len(logData)) {
			t.Fatalf("multipart message: %s", r)
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/attachments/%d", mr.Message.Attachments[0].ID), cAgent, nil)
		if r.Code != http.StatusOK || !bytes.Equal(r.Body, logData) || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") ||
			r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("attachment download: %s %v", r, r.Header)
		}

		var msgs struct {
			Items []struct {
				Kind     string `json:"kind"`
				BodyText string `json:"body_text"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		e.must(http.StatusOK, "GET", path+"/messages", cAgent, nil, &msgs)
		var kinds []string
		for _, m := range msgs.Items {
			kinds = append(kinds, m.Kind)
		}
		if !slices.Equal(kinds, []string{"reply", "reply", "note", "note"}) || msgs.NextCursor == nil || *msgs.NextCursor != "" {
			t.Errorf("thread kinds %v, next_cursor %v", kinds, msgs.NextCursor)
		}

		// Events: every change above is in the history.
		type eventJSON struct {
			ID       int64  `json:"id"`
			Type     string `json:"type"`
			Field    string `json:"field"`
			OldValue string `json:"old_value"`
			NewValue string `json:"new_value"`
		}
		var evs struct {
			Items      []eventJSON `json:"items"`
			NextCursor string      `json:"next_cursor"`
		}
		e.must(http.StatusOK, "GET", path+"/events", cAgent, nil, &evs)
		has := func(typ, field, old, new string) bool {
			return slices.ContainsFunc(evs.Items, func(ev eventJSON) bool {
				return ev.Type == typ && ev.Field == field && ev.OldValue == old && ev.NewValue == new
			})
		}
		a1, a2 := strconv.FormatInt(f.Agent.ID, 10), strconv.FormatInt(f.Agent2.ID, 10)
		for _, want := range [][4]string{
			{"created", "", "", "new"},
			{"field_changed", "status", "new", "pending"},
			{"field_changed", "assignee_id", "", a2},
			{"field_changed", "assignee_id", a2, a1},
			{"field_changed", "assignee_id", a1, ""},
			{"reply_added", "", "", ""},
			{"note_added", "", "", ""},
		} {
			if !has(want[0], want[1], want[2], want[3]) {
				t.Errorf("no event %v in %+v", want, evs.Items)
			}
		}
		// The events list pages too.
		var page1, page2 struct {
			Items      []eventJSON `json:"items"`
			NextCursor string      `json:"next_cursor"`
		}
		e.must(http.StatusOK, "GET", path+"/events?limit=2", cAgent, nil, &page1)
		if len(page1.Items) != 2 || page1.NextCursor == "" {
			t.Fatalf("events page 1: %+v", page1)
		}
		e.must(http.StatusOK, "GET", path+"/events?limit=500&cursor="+page1.NextCursor, cAgent, nil, &page2)
		if len(page2.Items) != len(evs.Items)-2 || page2.Items[0].ID != evs.Items[2].ID || page2.NextCursor != "" {
			t.Errorf("events page 2: %+v", page2)
		}

		// Merge another ticket into this one.
		var other ticketJSON
		e.must(http.StatusCreated, "POST", "/api/v1/tickets", cAgent, map[string]any{
			"subject": "Smoke in room 4", "body": "There is smoke coming out of the printer.", "requester": map[string]any{"email": "carla@example.org"},
		}, &other)
		var target ticketJSON
		e.must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/tickets/%d/merge", other.ID), cAgent, map[string]any{"into": tk.ID}, &target)
		if target.ID != tk.ID {
			t.Errorf("merge answered ticket %d, want the target %d", target.ID, tk.ID)
		}
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/tickets/%d", other.ID), cAgent, nil, &other)
		if other.Status != "closed" || other.MergedIntoID == nil || *other.MergedIntoID != tk.ID {
			t.Errorf("merged ticket: %+v", other)
		}
		evs.Items = nil // json reuses the elements of a slice it decodes into
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/tickets/%d/events", other.ID), cAgent, nil, &evs)
		if !has("merged_into", "merged_into_id", "", strconv.FormatInt(tk.ID, 10)) {
			t.Errorf("merged ticket events: %+v", evs.Items)
		}
		// Writing on the merged ticket is a conflict.
		checkProblem(t, e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/messages", other.ID), cAgent, map[string]any{"body": "hello"}), http.StatusConflict)

		// Link.
		third := e.newTicket("Toner order", 0)
		e.must(http.StatusOK, "POST", path+"/links", cAgent, map[string]any{"ticket_id": third.ID}, nil)
		var linked struct {
			Links []struct {
				TicketID int64  `json:"ticket_id"`
				Kind     string `json:"kind"`
			} `json:"links"`
		}
		e.must(http.StatusOK, "GET", path, cAgent, nil, &linked)
		if !slices.ContainsFunc(linked.Links, func(l struct {
			TicketID int64  `json:"ticket_id"`
			Kind     string `json:"kind"`
		}) bool {
			return l.TicketID == third.ID && l.Kind == "related"
		}) {
			t.Errorf("links: %+v", linked.Links)
		}

		// Search: by words (accents and case ignored) and by number.
		type searchJSON struct {
			Items []struct {
				Ticket ticketJSON `json:"ticket"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		for _, q := range []string{"printer", "PRINTER fire", fmt.Sprintf("#%d", tk.Number)} {
			var sr searchJSON
			e.must(http.StatusOK, "GET", "/api/v1/search?q="+url.QueryEscape(q), cAgent, nil, &sr)
			if !slices.ContainsFunc(sr.Items, func(h struct {
				Ticket ticketJSON `json:"ticket"`
			}) bool {
				return h.Ticket.ID == tk.ID
			}) || sr.NextCursor == nil {
				t.Errorf("search %q: %+v", q, sr)
			}
		}
		checkField(t, e.do("GET", "/api/v1/search?q=", cAgent, nil), "q")
	})
}

// TestListsEnvelope: every list answers {"items": [...], "next_cursor": "..."}.
func TestListsEnvelope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		e.newTicket("Envelope", 0)
		notList := map[string]bool{"/api/v1/openapi.json": true, "/api/v1/me": true, "/api/v1/settings/portal": true, "/api/v1/settings/routing": true,
			"/api/v1/reports/summary": true, "/api/v1/me/mail-preferences": true}
		n := 0
		for _, rt := range (&api.Server{}).Routes() {
			if rt.Method != "GET" || strings.Contains(rt.Path, "{") || notList[rt.Path] {
				continue
			}
			n++
			path := rt.Path
			if path == "/api/v1/search" {
				path += "?q=envelope"
			}
			caller := cAgent
			if rt.Access == api.Admin {
				caller = cAdmin // admins' lists (webhooks, mail templates, failed mail)
			}
			r := e.must(http.StatusOK, "GET", path, caller, nil, nil)
			var env map[string]json.RawMessage
			if err := json.Unmarshal(r.Body, &env); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			var items []json.RawMessage
			var next string
			if len(env) != 2 || json.Unmarshal(env["items"], &items) != nil || items == nil || json.Unmarshal(env["next_cursor"], &next) != nil {
				t.Errorf("%s: not a list envelope: %s", path, r)
			}
		}
		if n < 8 {
			t.Errorf("only %d list routes found", n)
		}
	})
}

// TestTicketPagination walks every keyset page of a view and finds each
// matching ticket exactly once, in order, for each sort and direction,
// with many tickets sharing one timestamp.
func TestTicketPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		ctx := context.Background()
		base := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
		want := map[int64]bool{}
		for i := range 23 {
			at := base.Add(time.Duration(i/3) * time.Minute) // three tickets per instant
			in := ticket.CreateInput{Subject: fmt.Sprintf("Page %d", i), Body: "body", Requester: &ticket.RequesterInput{Email: "pager@example.org"}}
			if i%4 == 0 {
				in.Status = "pending" // outside the view
			}
			if i%5 == 0 {
				id := e.f.Agent.ID
				in.AssigneeID = &id // open
			}
			tk, err := e.f.Tickets.Create(ticket.WithNow(ctx, at), auth.System, in)
			if err != nil {
				t.Fatal(err)
			}
			if in.Status == "" {
				want[tk.ID] = true
			}
		}
		for _, sort := range []string{"updated", "created", "priority", "sla"} {
			for _, order := range []string{"desc", "asc"} {
				seen := map[int64]bool{}
				var prev *ticketJSON
				cursor, pages := "", 0
				for {
					q := url.Values{"status": {"new,open"}, "limit": {"4"}, "sort": {sort}, "order": {order}}
					if cursor != "" {
						q.Set("cursor", cursor)
					}
					var page struct {
						Items      []ticketJSON `json:"items"`
						NextCursor string       `json:"next_cursor"`
					}
					e.must(http.StatusOK, "GET", "/api/v1/tickets?"+q.Encode(), cAgent, nil, &page)
					pages++
					if len(page.Items) > 4 || pages > 20 {
						t.Fatalf("%s %s: page %d has %d items", sort, order, pages, len(page.Items))
					}
					for i := range page.Items {
						it := page.Items[i]
						if seen[it.ID] {
							t.Errorf("%s %s: ticket %d twice", sort, order, it.ID)
						}
						if !want[it.ID] {
							t.Errorf("%s %s: ticket %d (%s) does not match the view", sort, order, it.ID, it.Status)
						}
						seen[it.ID] = true
						if prev != nil && (order == "asc") != (prev.ID < it.ID) {
							// Same instant in threes: ids follow the order.
							t.Errorf("%s %s: %d after %d", sort, order, it.ID, prev.ID)
						}
						prev = &it
					}
					if page.NextCursor == "" {
						break
					}
					cursor = page.NextCursor
				}
				if len(seen) != len(want) {
					t.Errorf("%s %s: saw %d tickets, want %d", sort, order, len(seen), len(want))
				}
			}
		}
	})
}

// TestPeoplePagination: contacts and organizations page by id, and the
// last page says so.
func TestPeoplePagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		for i := range 6 {
			e.must(http.StatusCreated, "POST", "/api/v1/contacts", cAgent, map[string]any{"name": fmt.Sprintf("Pat %d", i), "email": fmt.Sprintf("pat%d@example.org", i)}, nil)
			e.must(http.StatusCreated, "POST", "/api/v1/organizations", cAgent, map[string]any{"name": fmt.Sprintf("Org %d", i)}, nil)
		}
		for _, path := range []string{"/api/v1/contacts", "/api/v1/organizations"} {
			seen := map[int64]bool{}
			cursor, pages := "", 0
			for {
				var page struct {
					Items []struct {
						ID int64 `json:"id"`
					} `json:"items"`
					NextCursor string `json:"next_cursor"`
				}
				e.must(http.StatusOK, "GET", path+"?limit=3&cursor="+cursor, cAgent, nil, &page)
				pages++
				if len(page.Items) == 0 {
					t.Errorf("%s: page %d is empty: a cursor must not lead to an empty page", path, pages)
				}
				for _, it := range page.Items {
					if seen[it.ID] {
						t.Errorf("%s: %d twice", path, it.ID)
					}
					seen[it.ID] = true
				}
				if page.NextCursor == "" || pages > 10 {
					break
				}
				cursor = page.NextCursor
			}
			if len(seen) != 6 || pages != 2 {
				t.Errorf("%s: %d items in %d pages, want 6 in 2", path, len(seen), pages)
			}
		}
	})
}
