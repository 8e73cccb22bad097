package ticket_test

import (
	"errors"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// TestContactVisibility: a contact sees their own requests; with the
// organization shared (OrgID on the actor), their organization's too,
// in Get, List, Messages and attachments alike; never another's.
func TestContactVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		name := "Acme"
		org, err := f.People.CreateOrganization(ctx, f.Admin, people.OrganizationInput{Name: &name, Domains: &[]string{"acme.example"}})
		if err != nil {
			t.Fatal(err)
		}
		mine := create(t, f, f.Agent, "Mine", "ana@acme.example")
		colleague := create(t, f, f.Agent, "Colleague's", "bo@acme.example")
		stranger := create(t, f, f.Agent, "Stranger's", "zed@other.example")
		if mine.OrganizationID == nil || *mine.OrganizationID != org.ID || colleague.OrganizationID == nil {
			t.Fatalf("organization by domain: %+v %+v", mine.OrganizationID, colleague.OrganizationID)
		}
		alone := auth.Actor{Kind: auth.KindContact, ID: mine.RequesterID}
		shared := auth.Actor{Kind: auth.KindContact, ID: mine.RequesterID, OrgID: org.ID}
		list := func(a auth.Actor) map[int64]bool {
			p, err := f.Tickets.List(ctx, a, ticket.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]bool{}
			for _, tk := range p.Items {
				out[tk.ID] = true
			}
			return out
		}
		if got := list(alone); len(got) != 1 || !got[mine.ID] {
			t.Errorf("own list = %v", got)
		}
		if got := list(shared); len(got) != 2 || !got[mine.ID] || !got[colleague.ID] {
			t.Errorf("shared list = %v", got)
		}
		for _, c := range []struct {
			actor auth.Actor
			tk    ticket.Ticket
			see   bool
		}{{alone, mine, true}, {alone, colleague, false}, {alone, stranger, false}, {shared, colleague, true}, {shared, stranger, false}} {
			_, err := f.Tickets.Get(ctx, c.actor, c.tk.ID)
			_, err2 := f.Tickets.ByNumber(ctx, c.actor, c.tk.Number)
			_, err3 := f.Tickets.Messages(ctx, c.actor, c.tk.ID)
			for _, err := range []error{err, err2, err3} {
				if c.see && err != nil {
					t.Errorf("%d cannot see %q: %v", c.actor.OrgID, c.tk.Subject, err)
				}
				if !c.see && !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%d sees %q: %v", c.actor.OrgID, c.tk.Subject, err)
				}
			}
		}
		// A shared colleague may answer, but not mark another's request solved.
		if _, err := f.Tickets.AddMessage(ctx, shared, colleague.ID, ticket.MessageInput{Body: "Same here"}); err != nil {
			t.Errorf("colleague reply: %v", err)
		}
		solved := "solved"
		if _, err := f.Tickets.Update(ctx, shared, colleague.ID, ticket.UpdateInput{Status: &solved}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("solving a colleague's request: %v", err)
		}
	})
}

// TestContactNeverSeesNotes: notes and their attachments stay internal.
func TestContactNeverSeesNotes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		tk := create(t, f, f.Agent, "Printer", "p@x.example")
		if _, err := f.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindNote, Body: "Internal: customer is on the old plan",
			Attachments: []ticket.AttachmentInput{{Filename: "internal.txt", Data: []byte("secret")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Body: "Try turning it off and on"}); err != nil {
			t.Fatal(err)
		}
		all, _ := f.Tickets.Messages(ctx, auth.System, tk.ID)
		var noteAtt int64
		for _, m := range all {
			if m.Kind == ticket.KindNote {
				noteAtt = m.Attachments[0].ID
			}
		}
		customer := auth.Actor{Kind: auth.KindContact, ID: tk.RequesterID}
		msgs, err := f.Tickets.Messages(ctx, customer, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 2 {
			t.Errorf("customer sees %d messages, want 2", len(msgs))
		}
		for _, m := range msgs {
			if m.Kind == ticket.KindNote {
				t.Errorf("customer sees a note: %q", m.BodyText)
			}
		}
		if _, _, err := f.Tickets.AttachmentData(ctx, customer, noteAtt); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("note attachment as customer: %v", err)
		}
	})
}

// TestRequesterMarksSolved: the requester may mark their own request
// solved (even with required fields empty, which only the desk fills in),
// and change nothing else; a reply reopens it.
func TestRequesterMarksSolved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		if _, err := f.Tickets.CreateField(ctx, f.Admin, ticket.FieldDef{Key: "root_cause", Name: "Root cause", Kind: "text", Required: true}); err != nil {
			t.Fatal(err)
		}
		tk := create(t, f, f.Agent, "Login fails", "l@x.example")
		customer := auth.Actor{Kind: auth.KindContact, ID: tk.RequesterID}
		urgent, open, solved := "urgent", "open", "solved"
		if _, err := f.Tickets.Update(ctx, customer, tk.ID, ticket.UpdateInput{Priority: &urgent}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("customer changed priority: %v", err)
		}
		if _, err := f.Tickets.Update(ctx, customer, tk.ID, ticket.UpdateInput{Status: &open}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("customer set open: %v", err)
		}
		if _, err := f.Tickets.Update(ctx, customer, tk.ID, ticket.UpdateInput{Status: &solved, Priority: &urgent}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("customer solved and changed priority: %v", err)
		}
		got, err := f.Tickets.Update(ctx, customer, tk.ID, ticket.UpdateInput{Status: &solved})
		if err != nil {
			t.Fatal(err)
		}
		if got.StatusCategory != ticket.StatusSolved || got.SolvedAt == nil {
			t.Errorf("after solve: %+v", got)
		}
		if !hasEvent(events(t, f, tk.ID), ticket.EventField, "status", "solved") {
			t.Error("no status event")
		}
		// An agent is still held to the required field.
		other := create(t, f, f.Agent, "Other", "l@x.example")
		if _, err := f.Tickets.Update(ctx, f.Agent, other.ID, ticket.UpdateInput{Status: &solved}); err == nil {
			t.Error("agent solved without the required field")
		}
		if _, err := f.Tickets.AddMessage(ctx, customer, tk.ID, ticket.MessageInput{Body: "Broken again"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.Tickets.Get(ctx, customer, tk.ID); got.StatusCategory != ticket.StatusOpen {
			t.Errorf("reply did not reopen: %s", got.Status)
		}
	})
}

// TestCustomerFields: a customer fills in only the fields shown on the
// portal, and must fill the required ones; tags and routing are ignored.
func TestCustomerFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		for _, d := range []ticket.FieldDef{
			{Key: "order", Name: "Order number", Kind: "text", Portal: true, Required: true},
			{Key: "product", Name: "Product", Kind: "dropdown", Options: []string{"Pro", "Lite"}, Portal: true},
			{Key: "internal_score", Name: "Score", Kind: "number"},
		} {
			if _, err := f.Tickets.CreateField(ctx, f.Admin, d); err != nil {
				t.Fatal(err)
			}
		}
		defs, _ := f.Tickets.Fields(ctx)
		if len(defs) != 3 || !defs[0].Portal || defs[2].Portal {
			t.Fatalf("portal flag not stored: %+v", defs)
		}
		c, err := f.People.EnsureContact(ctx, "c@x.example", "Cris", "es")
		if err != nil {
			t.Fatal(err)
		}
		if c.Language != "es" || c.Name != "Cris" {
			t.Errorf("new contact = %+v", c)
		}
		again, _ := f.People.EnsureContact(ctx, "C@X.example", "Other name", "he")
		if again.ID != c.ID || again.Language != "es" {
			t.Errorf("existing contact changed: %+v", again)
		}
		customer := auth.Actor{Kind: auth.KindContact, ID: c.ID}
		in := func(cf map[string]any) ticket.CreateInput {
			return ticket.CreateInput{Subject: "S", Body: "B", Channel: "web", CustomFields: cf, Tags: []string{"vip"}, TeamID: &f.Billing.ID}
		}
		_, err = f.Tickets.Create(ctx, customer, in(map[string]any{"product": "Pro"}))
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "custom_fields.order" {
			t.Errorf("missing required portal field: %v", err)
		}
		_, err = f.Tickets.Create(ctx, customer, in(map[string]any{"order": "A-1", "internal_score": 5.0}))
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "custom_fields.internal_score" {
			t.Errorf("agent-only field: %v", err)
		}
		tk, err := f.Tickets.Create(ctx, customer, in(map[string]any{"order": "A-1", "product": "Lite"}))
		if err != nil {
			t.Fatal(err)
		}
		if tk.CustomFields["order"] != "A-1" || tk.CustomFields["product"] != "Lite" || len(tk.Tags) != 0 || tk.TeamID != nil || tk.Channel != "web" || tk.RequesterID != c.ID {
			t.Errorf("created = %+v", tk)
		}
	})
}
