package ticket_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/inbox"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

var ctx = context.Background()

func create(t *testing.T, f *apptest.Fixture, actor auth.Actor, subject, email string, mod ...func(*ticket.CreateInput)) ticket.Ticket {
	t.Helper()
	in := ticket.CreateInput{Subject: subject, Body: "Body of " + subject, Requester: &ticket.RequesterInput{Email: email, Name: "Cliente " + email}}
	for _, m := range mod {
		m(&in)
	}
	tk, err := f.Tickets.Create(ctx, actor, in)
	if err != nil {
		t.Fatalf("create %q: %v", subject, err)
	}
	return tk
}

func events(t *testing.T, f *apptest.Fixture, id int64) []ticket.Event {
	t.Helper()
	ev, err := f.Tickets.Events(ctx, auth.System, id, 0, 1000)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	return ev
}

func hasEvent(ev []ticket.Event, typ, field, newValue string) bool {
	return slices.ContainsFunc(ev, func(e ticket.Event) bool {
		return e.Type == typ && e.Field == field && (newValue == "*" || e.NewValue == newValue)
	})
}

func countRows(t *testing.T, f *apptest.Fixture, table string) int {
	t.Helper()
	var n int
	if err := f.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestCreateAndThread(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		a := create(t, f, f.Agent, "Não consigo pagar a fatura", "maria@cliente.com.br", func(in *ticket.CreateInput) {
			in.Priority = "high"
			in.Tags = []string{"Billing", "billing", "VIP customer"}
		})
		if a.Number < 1001 || a.Status != "new" || a.Priority != "high" || a.Channel != "api" {
			t.Fatalf("created ticket = %+v", a)
		}
		if !slices.Equal(a.Tags, []string{"billing", "vip_customer"}) {
			t.Errorf("tags = %v", a.Tags)
		}
		if a.Requester == nil || a.Requester.Email != "maria@cliente.com.br" {
			t.Errorf("requester = %+v", a.Requester)
		}
		b := create(t, f, f.Agent, "Second", "MARIA@cliente.com.br")
		if b.RequesterID != a.RequesterID {
			t.Errorf("same address made two contacts: %d and %d", a.RequesterID, b.RequesterID)
		}
		if b.Number != a.Number+1 {
			t.Errorf("numbers %d then %d", a.Number, b.Number)
		}

		// The first agent reply stamps first reply and opens the ticket.
		r, err := f.Tickets.AddMessage(ctx, f.Agent, a.ID, ticket.MessageInput{Kind: "reply", Body: "Olá Maria, **já** verificamos."})
		if err != nil {
			t.Fatalf("reply: %v", err)
		}
		if r.Message.Kind != "reply" || r.Message.AuthorName != "Aldo Agent" || r.Message.BodyHTML == "" {
			t.Errorf("reply = %+v", r.Message)
		}
		got, _ := f.Tickets.Get(ctx, f.Agent, a.ID)
		if got.FirstReplyAt == nil || got.Status != "open" || got.MessageCount != 2 {
			t.Fatalf("after reply: %+v", got)
		}
		first := *got.FirstReplyAt
		time.Sleep(2 * time.Millisecond)
		if _, err := f.Tickets.AddMessage(ctx, f.Agent2, a.ID, ticket.MessageInput{Kind: "reply", Body: "again", Status: "pending"}); err != nil {
			t.Fatal(err)
		}
		got, _ = f.Tickets.Get(ctx, f.Agent, a.ID)
		if !got.FirstReplyAt.Equal(first) || got.Status != "pending" {
			t.Errorf("second reply changed first reply or missed status: %+v", got)
		}
		msgs, err := f.Tickets.Messages(ctx, f.Agent, a.ID)
		if err != nil || len(msgs) != 3 {
			t.Fatalf("messages = %d, %v", len(msgs), err)
		}
		ev := events(t, f, a.ID)
		for _, want := range [][3]string{{"created", "", "new"}, {"reply_added", "", ""}, {"field_changed", "status", "open"}, {"field_changed", "first_reply_at", "*"}, {"field_changed", "status", "pending"}} {
			if !hasEvent(ev, want[0], want[1], want[2]) {
				t.Errorf("missing event %v in %+v", want, ev)
			}
		}
	})
}

func TestValidationWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		before := countRows(t, f, "contacts")
		_, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "x", Body: "y", Priority: "critical",
			Requester: &ticket.RequesterInput{Email: "new@person.com"}})
		ve, ok := validation.As(err)
		if !ok || ve.Fields[0].Field != "priority" {
			t.Fatalf("err = %v, want a priority field error", err)
		}
		// A failure inside the transaction (unknown custom field) rolls back
		// the contact created a moment before.
		_, err = f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "x", Body: "y",
			Requester: &ticket.RequesterInput{Email: "new@person.com"}, CustomFields: map[string]any{"nope": 1}})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "custom_fields.nope" {
			t.Fatalf("err = %v, want custom_fields.nope", err)
		}
		if n := countRows(t, f, "contacts"); n != before {
			t.Errorf("contacts %d -> %d: a failed create left a contact", before, n)
		}
		if n := countRows(t, f, "tickets"); n != 0 {
			t.Errorf("tickets = %d", n)
		}
	})
}

func TestRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		tk := create(t, f, f.Agent, "Printer on fire", "ops@acme.test")
		if _, err := f.Tickets.AddMessage(ctx, f.Light, tk.ID, ticket.MessageInput{Kind: "reply", Body: "hi"}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("light agent reply: %v, want forbidden", err)
		}
		if _, err := f.Tickets.AddMessage(ctx, f.Light, tk.ID, ticket.MessageInput{Kind: "note", Body: "internal"}); err != nil {
			t.Errorf("light agent note: %v", err)
		}
		prio := "low"
		if _, err := f.Tickets.Update(ctx, f.Light, tk.ID, ticket.UpdateInput{Priority: &prio}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("light agent update: %v, want forbidden", err)
		}
		if _, err := f.Tickets.Create(ctx, f.Light, ticket.CreateInput{Subject: "s", Body: "b", Requester: &ticket.RequesterInput{Email: "a@b.co"}}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("light agent create: %v, want forbidden", err)
		}
		// The billing agent sees only Billing's tickets and their own.
		if _, err := f.Tickets.Get(ctx, f.TeamAgent, tk.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("team-restricted agent saw another team's ticket: %v", err)
		}
		billing := create(t, f, f.Agent, "Refund", "cfo@acme.test", func(in *ticket.CreateInput) { in.TeamID = &f.Billing.ID })
		page, err := f.Tickets.List(ctx, f.TeamAgent, ticket.Filter{})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != billing.ID {
			t.Errorf("team-restricted list = %+v, %v", page.Items, err)
		}
		// A contact sees their own tickets, without internal notes.
		customer := auth.Actor{Kind: auth.KindContact, ID: tk.RequesterID}
		msgs, err := f.Tickets.Messages(ctx, customer, tk.ID)
		if err != nil || len(msgs) != 1 {
			t.Errorf("customer sees %d messages (%v), want 1 without the note", len(msgs), err)
		}
		if _, err := f.Tickets.Get(ctx, customer, billing.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("customer saw someone else's ticket: %v", err)
		}
		if _, err := f.Tickets.AddMessage(ctx, customer, tk.ID, ticket.MessageInput{Kind: "note", Body: "x"}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("customer note: %v", err)
		}
	})
}

func TestReopenAndFollowUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		tk := create(t, f, f.Agent, "Login fails", "ana@example.org", func(in *ticket.CreateInput) { in.Tags = []string{"login"} })
		customer := auth.Actor{Kind: auth.KindContact, ID: tk.RequesterID}
		solved := "solved"
		if _, err := f.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Body: "Fixed.", Status: solved}); err != nil {
			t.Fatal(err)
		}
		got, _ := f.Tickets.Get(ctx, f.Agent, tk.ID)
		if got.Status != "solved" || got.SolvedAt == nil {
			t.Fatalf("not solved: %+v", got)
		}
		if _, err := f.Tickets.AddMessage(ctx, customer, tk.ID, ticket.MessageInput{Body: "Still broken"}); err != nil {
			t.Fatal(err)
		}
		got, _ = f.Tickets.Get(ctx, f.Agent, tk.ID)
		if got.Status != "open" || got.SolvedAt != nil {
			t.Errorf("customer reply did not reopen: %+v", got)
		}
		if !hasEvent(events(t, f, tk.ID), "reopened", "", "open") {
			t.Error("no reopened event")
		}
		closed := "closed"
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{Status: &closed}); err == nil {
			t.Error("closed an open ticket directly")
		}
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.Update(ctx, auth.System, tk.ID, ticket.UpdateInput{Status: &closed}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Body: "late"}); !errors.Is(err, ticket.ErrClosed) {
			t.Errorf("agent reply on closed: %v", err)
		}
		res, err := f.Tickets.AddMessage(ctx, customer, tk.ID, ticket.MessageInput{Body: "It broke again"})
		if err != nil {
			t.Fatal(err)
		}
		if !res.FollowUp || res.TicketID == tk.ID {
			t.Fatalf("reply to closed ticket: %+v", res)
		}
		fu, _ := f.Tickets.Get(ctx, f.Agent, res.TicketID)
		if fu.Subject != "Re: Login fails" || !slices.Contains(fu.Tags, "login") || fu.RequesterID != tk.RequesterID {
			t.Errorf("follow-up = %+v", fu)
		}
		if len(fu.Links) != 1 || fu.Links[0].TicketID != tk.ID || fu.Links[0].Kind != "follow_up_of" {
			t.Errorf("follow-up links = %+v", fu.Links)
		}
	})
}

func TestUpdateAssignAndTags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		tk := create(t, f, f.Agent, "VPN", "it@corp.test", func(in *ticket.CreateInput) { in.Tags = []string{"vpn", "network"} })
		got, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{
			AssigneeID: ticket.Optional[int64]{Set: true, Value: &f.Agent2.ID},
			TeamID:     ticket.Optional[int64]{Set: true, Value: &f.Support.ID},
			AddTags:    []string{"urgent_fix"}, RemoveTags: []string{"network"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.AssigneeID == nil || *got.AssigneeID != f.Agent2.ID || got.Status != "open" || !slices.Equal(got.Tags, []string{"urgent_fix", "vpn"}) {
			t.Fatalf("after update: %+v", got)
		}
		ev := events(t, f, tk.ID)
		for _, want := range [][3]string{{"field_changed", "assignee_id", fmt.Sprint(f.Agent2.ID)}, {"field_changed", "team_id", fmt.Sprint(f.Support.ID)},
			{"field_changed", "status", "open"}, {"field_changed", "tags", "urgent_fix"}, {"field_changed", "tags", ""}} {
			if !hasEvent(ev, want[0], want[1], want[2]) {
				t.Errorf("missing event %v", want)
			}
		}
		// The assignment enqueued a notification job in the same transaction.
		if n := countRows(t, f, "river_job"); n != 1 {
			t.Errorf("river_job rows = %d, want 1", n)
		}
		// Unassign; assigning a light agent is refused and changes nothing.
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true}}); err != nil {
			t.Fatal(err)
		}
		_, err = f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true, Value: &f.Light.ID}})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "assignee_id" {
			t.Errorf("assign light agent: %v", err)
		}
		got, _ = f.Tickets.Get(ctx, f.Agent, tk.ID)
		if got.AssigneeID != nil {
			t.Errorf("assignee = %v", *got.AssigneeID)
		}
		if n := countRows(t, f, "river_job"); n != 1 {
			t.Errorf("a failed update enqueued a job: river_job rows = %d", n)
		}
	})
}

func TestMergeAndLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		a := create(t, f, f.Agent, "Cannot log in", "x@y.test")
		b := create(t, f, f.Agent, "Login broken again", "z@y.test")
		got, err := f.Tickets.Merge(ctx, f.Agent, b.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != a.ID || got.MessageCount != 2 {
			t.Errorf("target after merge: %+v", got)
		}
		src, _ := f.Tickets.Get(ctx, f.Agent, b.ID)
		if src.Status != "closed" || src.MergedIntoID == nil || *src.MergedIntoID != a.ID {
			t.Errorf("source after merge: %+v", src)
		}
		msgs, _ := f.Tickets.Messages(ctx, f.Agent, b.ID)
		if len(msgs) != 2 || msgs[1].Kind != "system" {
			t.Errorf("source thread = %+v", msgs)
		}
		// The source requester keeps it in their history.
		page, _ := f.Tickets.List(ctx, f.Agent, ticket.Filter{RequesterID: b.RequesterID})
		if len(page.Items) != 1 || page.Items[0].ID != b.ID {
			t.Errorf("requester history = %+v", page.Items)
		}
		if !hasEvent(events(t, f, b.ID), "merged_into", "merged_into_id", fmt.Sprint(a.ID)) || !hasEvent(events(t, f, a.ID), "merged_from", "", fmt.Sprint(b.ID)) {
			t.Error("merge events missing")
		}
		if _, err := f.Tickets.Merge(ctx, f.Agent, b.ID, a.ID); !errors.Is(err, ticket.ErrMerged) {
			t.Errorf("merge twice: %v", err)
		}
		if _, err := f.Tickets.Merge(ctx, f.Agent, a.ID, a.ID); err == nil {
			t.Error("merged into itself")
		}
		c := create(t, f, f.Agent, "Related", "q@y.test")
		l, err := f.Tickets.Link(ctx, f.Agent, a.ID, c.ID)
		if err != nil || !slices.ContainsFunc(l.Links, func(x ticket.Link) bool { return x.TicketID == c.ID && x.Kind == "related" }) {
			t.Errorf("link: %+v, %v", l.Links, err)
		}
	})
}

func TestListKeysetPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		var want []int64
		for i := range 23 {
			// Several tickets share a timestamp: the id breaks ties.
			c := ticket.WithNow(ctx, base.Add(time.Duration(i/3)*time.Minute))
			team := &f.Support.ID
			if i%4 == 0 {
				team = &f.Billing.ID
			}
			tk, err := f.Tickets.Create(c, f.Agent, ticket.CreateInput{Subject: fmt.Sprint("t", i), Body: "b", TeamID: team,
				Requester: &ticket.RequesterInput{Email: fmt.Sprintf("c%d@x.test", i%5)}})
			if err != nil {
				t.Fatal(err)
			}
			if i%4 != 0 {
				want = append(want, tk.ID)
			}
		}
		slices.Reverse(want)
		var got []int64
		cursor := ""
		for pages := 0; ; pages++ {
			p, err := f.Tickets.List(ctx, f.Agent, ticket.Filter{Status: []string{"new"}, TeamID: &f.Support.ID, Limit: 4, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range p.Items {
				got = append(got, tk.ID)
			}
			if p.NextCursor == "" {
				break
			}
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			cursor = p.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged ids = %v, want %v", got, want)
		}
		if _, err := f.Tickets.List(ctx, f.Agent, ticket.Filter{Cursor: "garbage!"}); err == nil {
			t.Error("bad cursor accepted")
		}
		_, err := f.Tickets.List(ctx, f.Agent, ticket.Filter{Status: []string{"open", "on-hold"}})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "status" {
			t.Errorf("unknown status filter: %v", err)
		}
	})
}

func TestSearchAccentInsensitive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		pt := create(t, f, f.Agent, "Não consigo emitir a nota fiscal", "joao@empresa.com.br")
		es := create(t, f, f.Agent, "El pago no se procesó", "lucia@empresa.es")
		he := create(t, f, f.Agent, "בעיה בחשבונית", "dana@example.co.il")
		create(t, f, f.Agent, "Unrelated printer question", "bob@example.com")
		if _, err := f.Tickets.AddMessage(ctx, f.Agent, es.ID, ticket.MessageInput{Kind: "note", Body: "Revisar el reembolso del cliente"}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			q    string
			want int64
		}{
			{"nao consigo", pt.ID},
			{"NÃO emitir", pt.ID},
			{"procesó", es.ID},
			{"proceso pago", es.ID},
			{"reembolso", es.ID},
			{"reemb", es.ID},
			{"חשבונית", he.ID},
			{fmt.Sprint("#", pt.Number), pt.ID},
		}
		for _, c := range cases {
			res, err := f.Tickets.Search(ctx, f.Agent, c.q, "", 10)
			if err != nil {
				t.Fatalf("search %q: %v", c.q, err)
			}
			if len(res.Items) == 0 || res.Items[0].Ticket.ID != c.want {
				t.Errorf("search %q: first hit %+v, want ticket %d", c.q, res.Items, c.want)
			}
		}
		res, _ := f.Tickets.Search(ctx, f.Agent, "nao consigo", "", 10)
		if len(res.Items) != 1 || res.Items[0].Subject != "<mark>Não</mark> <mark>consigo</mark> emitir a nota fiscal" {
			t.Errorf("highlight = %+v", res.Items)
		}
		res, _ = f.Tickets.Search(ctx, f.TeamAgent, "nao consigo", "", 10)
		if len(res.Items) != 0 {
			t.Errorf("restricted agent found %d tickets outside their teams", len(res.Items))
		}
	})
}

func TestCustomFieldsAndStatuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		if _, err := f.Tickets.CreateField(ctx, f.Agent, ticket.FieldDef{Key: "plan", Name: "Plan", Kind: "dropdown", Options: []string{"free", "pro"}}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent defined a field: %v", err)
		}
		for _, d := range []ticket.FieldDef{
			{Key: "plan", Name: "Plan", Kind: "dropdown", Options: []string{"free", "pro"}, Required: true},
			{Key: "seats", Name: "Seats", Kind: "number"},
			{Key: "renewal", Name: "Renewal", Kind: "date"},
			{Key: "churn_risk", Name: "Churn risk", Kind: "checkbox"},
		} {
			if _, err := f.Tickets.CreateField(ctx, f.Admin, d); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.Tickets.CreateStatus(ctx, f.Admin, ticket.Status{Key: "in_progress", Name: "In progress", Category: "open"}); err != nil {
			t.Fatal(err)
		}
		tk := create(t, f, f.Agent, "Upgrade", "u@x.test", func(in *ticket.CreateInput) {
			in.CustomFields = map[string]any{"seats": 12.0, "renewal": "2027-01-31"}
		})
		bad := []map[string]any{{"plan": "enterprise"}, {"seats": "many"}, {"renewal": "31/01/2027"}, {"churn_risk": "yes"}}
		for _, cf := range bad {
			if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{CustomFields: cf}); err == nil {
				t.Errorf("accepted %v", cf)
			}
		}
		st := "in_progress"
		got, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{Status: &st, CustomFields: map[string]any{"churn_risk": true, "seats": nil}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != "in_progress" || got.StatusCategory != "open" || got.CustomFields["churn_risk"] != true {
			t.Errorf("after update: %+v", got)
		}
		if _, ok := got.CustomFields["seats"]; ok {
			t.Error("null did not remove seats")
		}
		p, _ := f.Tickets.List(ctx, f.Agent, ticket.Filter{Status: []string{"open"}})
		if len(p.Items) != 1 {
			t.Errorf("category filter found %d", len(p.Items))
		}
		solved := "solved"
		_, err = f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{Status: &solved})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "custom_fields.plan" {
			t.Errorf("solve without required field: %v", err)
		}
	})
}

func TestAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
		tk := create(t, f, f.Agent, "Screenshot", "s@x.test", func(in *ticket.CreateInput) {
			in.Attachments = []ticket.AttachmentInput{{Filename: "../../shot.png", Data: png}}
		})
		if _, err := f.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Kind: "note", Body: "same file",
			Attachments: []ticket.AttachmentInput{{Filename: "copy.png", ContentType: "image/png", Data: png}}}); err != nil {
			t.Fatal(err)
		}
		msgs, _ := f.Tickets.Messages(ctx, f.Agent, tk.ID)
		a := msgs[0].Attachments
		if len(a) != 1 || a[0].Filename != "shot.png" || a[0].ContentType != "image/png" || a[0].Size != int64(len(png)) {
			t.Fatalf("attachments = %+v", a)
		}
		if n := countRows(t, f, "blobs"); n != 1 {
			t.Errorf("blobs = %d, want 1 (content-addressed)", n)
		}
		_, data, err := f.Tickets.AttachmentData(ctx, f.Agent, a[0].ID)
		if err != nil || string(data) != string(png) {
			t.Errorf("read back: %v", err)
		}
		customer := auth.Actor{Kind: auth.KindContact, ID: tk.RequesterID}
		if _, _, err := f.Tickets.AttachmentData(ctx, customer, msgs[1].Attachments[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("customer read a note's attachment: %v", err)
		}
		_, err = f.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Body: "x", Attachments: []ticket.AttachmentInput{{Filename: "setup.exe", Data: []byte("MZ")}}})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "attachments[0].filename" {
			t.Errorf("exe accepted: %v", err)
		}
	})
}

func TestTeamRestrictedAgentCreatesInTheirTeam(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		tk := create(t, f, f.TeamAgent, "Invoice copy", "cfo@acme.test")
		if tk.TeamID == nil || *tk.TeamID != f.Billing.ID {
			t.Errorf("team = %v, want Billing", tk.TeamID)
		}
		if _, err := f.Tickets.Get(ctx, f.TeamAgent, tk.ID); err != nil {
			t.Errorf("creator cannot see their ticket: %v", err)
		}
		_, err := f.Tickets.Create(ctx, f.TeamAgent, ticket.CreateInput{Subject: "x", Body: "y", TeamID: &f.Support.ID, Requester: &ticket.RequesterInput{Email: "a@b.co"}})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "team_id" {
			t.Errorf("create for another team: %v", err)
		}
		// Merging into a ticket one may not see is a wrong "into", in
		// either id order.
		hidden := create(t, f, f.Agent, "Hidden", "h@x.test", func(in *ticket.CreateInput) { in.TeamID = &f.Support.ID })
		mine := create(t, f, f.TeamAgent, "Mine", "m@x.test")
		for _, pair := range [][2]int64{{mine.ID, hidden.ID}, {tk.ID, hidden.ID}} {
			_, err := f.Tickets.Merge(ctx, f.TeamAgent, pair[0], pair[1])
			if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "into" {
				t.Errorf("merge %v into a hidden ticket: %v", pair, err)
			}
		}
	})
}

func TestTextLimitsAndExecutables(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		long := strings.Repeat("é", 250) // 500 bytes, 250 characters: allowed
		tk, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: long, Body: "b",
			Requester: &ticket.RequesterInput{Email: "u@x.test", Name: "a" + strings.Repeat("é", 300)}})
		if err != nil {
			t.Fatalf("250-character subject: %v", err)
		}
		got, _ := f.People.GetContact(ctx, tk.RequesterID)
		if !utf8.ValidString(got.Name) || utf8.RuneCountInString(got.Name) != 200 {
			t.Errorf("requester name cut to %d characters, valid %v", utf8.RuneCountInString(got.Name), utf8.ValidString(got.Name))
		}
		for field, in := range map[string]ticket.CreateInput{
			"subject": {Subject: long + "é", Body: "b"},
			"body":    {Subject: "s", Body: "a\x00b"},
		} {
			in.Requester = &ticket.RequesterInput{Email: "v@x.test"}
			_, err := f.Tickets.Create(ctx, f.Agent, in)
			if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != field {
				t.Errorf("%s: %v", field, err)
			}
		}
		pe := make([]byte, 0x80)
		copy(pe, "MZ")
		binary.LittleEndian.PutUint32(pe[0x3c:], 0x40)
		copy(pe[0x40:], "PE\x00\x00")
		for _, a := range []ticket.AttachmentInput{{Filename: "setup.bin", Data: pe}, {Filename: "tool", ContentType: "application/octet-stream", Data: append([]byte("\x7fELF"), pe...)}} {
			_, err := f.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Kind: "note", Body: "x", Attachments: []ticket.AttachmentInput{a}})
			if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "attachments[0].data" {
				t.Errorf("%s accepted: %v", a.Filename, err)
			}
		}
		if _, err := f.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Kind: "note", Body: "x",
			Attachments: []ticket.AttachmentInput{{Filename: "notes.txt", Data: []byte("MZ is a postcode prefix in this story")}}}); err != nil {
			t.Errorf("a text file starting with MZ was refused: %v", err)
		}
	})
}

func TestInboxOfTicket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		str := func(s string) *string { return &s }
		mailbox, err := f.Inboxes.Create(ctx, f.Admin, inbox.Input{Name: str("Suporte"), Kind: str("email"), Address: str("suporte@example.com"), DefaultPriority: str("high")})
		if err != nil {
			t.Fatal(err)
		}
		form, err := f.Inboxes.Create(ctx, f.Admin, inbox.Input{Name: str("Web form"), Kind: str("web"), DefaultTeamID: &f.Billing.ID})
		if err != nil {
			t.Fatal(err)
		}
		a := create(t, f, f.Agent, "By mail", "ana@example.com", func(in *ticket.CreateInput) { in.InboxID = &mailbox.ID })
		if a.InboxID == nil || *a.InboxID != mailbox.ID {
			t.Fatalf("inbox_id = %v, want %d", a.InboxID, mailbox.ID)
		}
		if a.Priority != "high" {
			t.Errorf("priority = %s, want the inbox's default high", a.Priority)
		}
		create(t, f, f.Agent, "No inbox", "ana@example.com")
		page, err := f.Tickets.List(ctx, f.Agent, ticket.Filter{InboxIDs: []int64{mailbox.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 || page.Items[0].ID != a.ID {
			t.Errorf("inbox filter listed %d tickets, want only #%d", len(page.Items), a.Number)
		}

		missing := int64(9999)
		_, err = f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "x", Body: "y", Requester: &ticket.RequesterInput{Email: "b@example.com"}, InboxID: &missing})
		var ve *validation.Error
		if !errors.As(err, &ve) || ve.Fields[0].Field != "inbox_id" {
			t.Errorf("unknown inbox: err = %v, want a validation error on inbox_id", err)
		}

		// A customer files through the web form, never through a mailbox.
		c := create(t, f, f.Agent, "seed", "carla@example.com")
		customer := auth.Actor{Kind: auth.KindContact, ID: c.RequesterID}
		if _, err := f.Tickets.Create(ctx, customer, ticket.CreateInput{Subject: "x", Body: "y", InboxID: &mailbox.ID}); !errors.As(err, &ve) {
			t.Errorf("customer through a mailbox: err = %v, want a validation error", err)
		}
		w, err := f.Tickets.Create(ctx, customer, ticket.CreateInput{Subject: "Pelo formulário", Body: "y", InboxID: &form.ID})
		if err != nil {
			t.Fatal(err)
		}
		if w.InboxID == nil || *w.InboxID != form.ID {
			t.Errorf("web form ticket inbox_id = %v, want %d", w.InboxID, form.ID)
		}
		if w.TeamID == nil || *w.TeamID != f.Billing.ID {
			t.Errorf("web form ticket team = %v, want the inbox's default team %d", w.TeamID, f.Billing.ID)
		}
	})
}

func TestFollowers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		tk := create(t, f, f.Agent, "Fatura duplicada", "ana@example.com")
		colleague := create(t, f, f.Agent, "other", "bruno@example.com").RequesterID
		got, err := f.Tickets.AddFollowers(ctx, f.Agent, tk.ID, []int64{colleague, tk.RequesterID, colleague})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != colleague || got[0].Email != "bruno@example.com" {
			t.Fatalf("followers = %+v, want only bruno (the requester and repeats skipped)", got)
		}
		if !hasEvent(events(t, f, tk.ID), ticket.EventFollower, "followers", fmt.Sprint(colleague)) {
			t.Error("adding a follower recorded no event")
		}
		if _, err := f.Tickets.AddFollowers(ctx, f.Light, tk.ID, []int64{colleague}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("light agent: err = %v, want forbidden", err)
		}
		var ve *validation.Error
		if _, err := f.Tickets.AddFollowers(ctx, f.Agent, tk.ID, []int64{424242}); !errors.As(err, &ve) {
			t.Errorf("unknown contact: err = %v, want a validation error", err)
		}
		if err := f.Tickets.RemoveFollower(ctx, f.Agent, tk.ID, colleague); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.Tickets.Followers(ctx, f.Agent, tk.ID); len(got) != 0 {
			t.Errorf("after removal followers = %+v", got)
		}
		if err := f.Tickets.RemoveFollower(ctx, f.Agent, tk.ID, colleague); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("removing twice: err = %v, want not found", err)
		}
	})
}
