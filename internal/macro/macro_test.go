package macro_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/macro"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

func fieldOf(err error) string {
	if ve, ok := validation.As(err); ok {
		return ve.Fields[0].Field
	}
	return ""
}

func newTicket(t *testing.T, f *apptest.Fixture, lang string) ticket.Ticket {
	t.Helper()
	email := "maria." + lang + "@example.com"
	c, err := f.People.CreateContact(ctx, auth.System, people.ContactInput{Name: ptr("Maria Souza"), Email: &email, Language: &lang})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := f.Tickets.Create(ctx, auth.System, ticket.CreateInput{Subject: "Cobrança em dobro", Body: "Fui cobrada duas vezes", Requester: &ticket.RequesterInput{ID: c.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestMacroLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		s := f.Macros
		// Only admins write shared macros.
		in := macro.MacroInput{Name: ptr("Refund processed"), Body: ptr("Hi {{requester.first_name}}, refund for #{{ticket.number}} done. — {{agent.first_name}}"),
			Translations: &map[string]string{"pt-BR": "Olá {{requester.first_name}}, reembolso do #{{ticket.number}} feito. — {{agent.first_name}}", "es": "Hola {{requester.first_name}}"},
			Shared:       ptr(true),
			Actions:      &[]macro.MacroAction{{Type: macro.SetStatus, Value: "pending"}, {Type: macro.AddTags, Value: []any{"Refund", "billing"}}, {Type: macro.AssignTeam, Value: float64(f.Billing.ID)}}}
		if _, err := s.Create(ctx, f.Agent, in); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("agent wrote a shared macro: %v", err)
		}
		shared, err := s.Create(ctx, f.Admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if !shared.Shared || shared.OwnerAgentID != nil || len(shared.Actions) != 3 || shared.Translations["pt-BR"] == "" {
			t.Fatalf("shared macro: %+v", shared)
		}
		if tags := shared.Actions[1].Value.([]string); strings.Join(tags, ",") != "billing,refund" {
			t.Fatalf("tags not normalised: %#v", shared.Actions[1].Value)
		}
		// Validation names the field.
		for _, bad := range []struct {
			in    macro.MacroInput
			field string
		}{
			{macro.MacroInput{Name: ptr("x"), Body: ptr("Hi {{requester.phone}}")}, "body"},
			{macro.MacroInput{Name: ptr("x"), Body: ptr("Hi"), Translations: &map[string]string{"pt-BR": "{{ticket.nmber}}"}}, "translations.pt-BR"},
			{macro.MacroInput{Name: ptr("x"), Body: ptr("Hi"), Translations: &map[string]string{"fr": "Salut"}}, "translations.fr"},
			{macro.MacroInput{Name: ptr(" "), Body: ptr("Hi")}, "name"},
			{macro.MacroInput{Name: ptr("x")}, "body"},
			{macro.MacroInput{Name: ptr("x"), Body: ptr("Hi"), Locale: ptr("fr")}, "locale"},
			{macro.MacroInput{Name: ptr("x"), Actions: &[]macro.MacroAction{{Type: "explode", Value: "x"}}}, "actions[0]"},
			{macro.MacroInput{Name: ptr("x"), Actions: &[]macro.MacroAction{{Type: macro.SetStatus, Value: "nonexistent"}}}, "actions[0].value"},
			{macro.MacroInput{Name: ptr("x"), Actions: &[]macro.MacroAction{{Type: macro.SetPriority, Value: "whenever"}}}, "actions[0].value"},
			{macro.MacroInput{Name: ptr("x"), Actions: &[]macro.MacroAction{{Type: macro.AssignTeam, Value: float64(99999)}}}, "actions[0].value"},
			{macro.MacroInput{Name: ptr("x"), Actions: &[]macro.MacroAction{{Type: macro.AssignAgent, Value: float64(f.Light.ID)}}}, "actions[0].value"},
			{macro.MacroInput{Name: ptr("x"), Actions: &[]macro.MacroAction{{Type: macro.AddTags, Value: float64(3)}}}, "actions[0]"},
		} {
			if _, err := s.Create(ctx, f.Agent, bad.in); fieldOf(err) != bad.field {
				t.Errorf("%+v: err %v, want a field error on %s", bad.in, err, bad.field)
			}
		}
		// Personal macros are their owner's alone.
		mine, err := s.Create(ctx, f.Agent, macro.MacroInput{Name: ptr("My sign-off"), Body: ptr("Cheers, {{agent.name}}")})
		if err != nil || mine.Shared || mine.OwnerAgentID == nil || *mine.OwnerAgentID != f.Agent.ID {
			t.Fatalf("personal macro: %+v %v", mine, err)
		}
		if _, err := s.Get(ctx, f.Agent2, mine.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another agent saw a personal macro: %v", err)
		}
		if _, err := s.Get(ctx, f.Admin, mine.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an admin saw a personal macro: %v", err)
		}
		if _, err := s.Update(ctx, f.Agent2, mine.ID, macro.MacroInput{Name: ptr("x")}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another agent changed a personal macro: %v", err)
		}
		if _, err := s.Update(ctx, f.Agent, shared.ID, macro.MacroInput{Name: ptr("x")}); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("agent changed a shared macro: %v", err)
		}
		if _, err := s.Update(ctx, f.Agent, mine.ID, macro.MacroInput{Shared: ptr(true)}); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("agent shared a macro: %v", err)
		}
		// Light agents write personal macros that only carry text.
		if _, err := s.Create(ctx, f.Light, macro.MacroInput{Name: ptr("x"), Actions: &[]macro.MacroAction{{Type: macro.SetPriority, Value: "high"}}}); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("light agent wrote a macro with actions: %v", err)
		}
		lightNote, err := s.Create(ctx, f.Light, macro.MacroInput{Name: ptr("Note for billing"), Body: ptr("Checked the invoice of {{requester.name}}")})
		if err != nil {
			t.Fatal(err)
		}
		// Lists: shared plus own; q folds accents and case, name matches
		// first.
		list, err := s.List(ctx, f.Agent, macro.ListOptions{})
		if err != nil || len(list) != 2 {
			t.Fatalf("agent's list: %+v %v", list, err)
		}
		if list, _ := s.List(ctx, f.Agent, macro.ListOptions{Query: "REEMBOLSÓ"}); len(list) != 1 || list[0].ID != shared.ID {
			t.Fatalf("search by translation: %+v", list)
		}
		if list, _ := s.List(ctx, f.Agent, macro.ListOptions{Query: "cheers"}); len(list) != 1 || list[0].ID != mine.ID {
			t.Fatalf("search by body: %+v", list)
		}
		if list, _ := s.List(ctx, f.Light, macro.ListOptions{TextOnly: true}); len(list) != 1 || list[0].ID != lightNote.ID {
			t.Fatalf("light agent's text-only list: %+v", list)
		}
		if _, err := s.List(ctx, auth.Actor{Kind: auth.KindContact, ID: 1}, macro.ListOptions{}); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("contact listed macros: %v", err)
		}
		// Update and delete.
		upd, err := s.Update(ctx, f.Admin, shared.ID, macro.MacroInput{Name: ptr("Refund done"), Active: ptr(false)})
		if err != nil || upd.Name != "Refund done" || upd.Active || len(upd.Actions) != 3 {
			t.Fatalf("update: %+v %v", upd, err)
		}
		if list, _ := s.List(ctx, f.Agent, macro.ListOptions{ActiveOnly: true}); len(list) != 1 {
			t.Fatalf("active list: %+v", list)
		}
		if err := s.Delete(ctx, f.Agent, shared.ID); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("agent deleted a shared macro: %v", err)
		}
		if err := s.Delete(ctx, f.Agent, mine.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, f.Agent, mine.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted macro: %v", err)
		}
	})
}

func TestApply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		s := f.Macros
		m, err := s.Create(ctx, f.Admin, macro.MacroInput{Name: ptr("Refund processed"), Shared: ptr(true),
			Body:         ptr("Hi {{requester.first_name}}, ticket #{{ticket.number}} is refunded. {{agent.name}}"),
			Translations: &map[string]string{"pt-BR": "Olá {{requester.first_name}}, o ticket #{{ticket.number}} foi reembolsado. {{agent.name}}"},
			Actions: &[]macro.MacroAction{{Type: macro.SetStatus, Value: "pending"}, {Type: macro.SetPriority, Value: "high"}, {Type: macro.AddTags, Value: []any{"refund"}},
				{Type: macro.AssignTeam, Value: float64(f.Support.ID)}, {Type: macro.AssignAgent, Value: float64(f.Agent.ID)}}})
		if err != nil {
			t.Fatal(err)
		}
		tk := newTicket(t, f, "pt-BR")
		// A preview renders in the requester's language and changes nothing.
		pre, err := s.Apply(ctx, f.Agent, tk.ID, m.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		want := "Olá Maria, o ticket #" + itoa(tk.Number) + " foi reembolsado. Aldo Agent"
		if pre.Body != want || pre.Locale != "pt-BR" || !pre.Preview || len(pre.Actions) != 5 {
			t.Fatalf("preview: %+v, want body %q", pre, want)
		}
		if got, _ := f.Tickets.Get(ctx, auth.System, tk.ID); got.Status == "pending" || got.Priority == "high" {
			t.Fatalf("preview changed the ticket: %+v", got)
		}
		if got, _ := s.Get(ctx, f.Admin, m.ID); got.UsageCount != 0 {
			t.Fatalf("preview counted: %d", got.UsageCount)
		}
		// Applying runs the actions through the ticket service and counts.
		res, err := s.Apply(ctx, f.Agent, tk.ID, m.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		got := res.Ticket
		if res.Body != want || got.Status != "pending" || got.Priority != "high" || !strings.Contains(strings.Join(got.Tags, ","), "refund") ||
			got.TeamID == nil || *got.TeamID != f.Support.ID || got.AssigneeID == nil || *got.AssigneeID != f.Agent.ID {
			t.Fatalf("applied: %+v", res)
		}
		if got, _ := s.Get(ctx, f.Admin, m.ID); got.UsageCount != 1 || got.LastUsedAt == nil {
			t.Fatalf("usage: %+v", got)
		}
		evs, err := f.Tickets.Events(ctx, auth.System, tk.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var changed []string
		for _, e := range evs {
			if e.ActorID != nil && *e.ActorID == f.Agent.ID {
				changed = append(changed, e.Field)
			}
		}
		if j := strings.Join(changed, ","); !strings.Contains(j, "status") || !strings.Contains(j, "priority") {
			t.Fatalf("events by the agent: %v", changed)
		}
		// The default language when the requester's has no translation.
		en := newTicket(t, f, "he")
		if res, err := s.Apply(ctx, f.Agent, en.ID, m.ID, true); err != nil || !strings.HasPrefix(res.Body, "Hi Maria, ticket #") || res.Locale != "en" {
			t.Fatalf("fallback: %+v %v", res, err)
		}
		// Light agents apply only macros that only carry text.
		if _, err := s.Apply(ctx, f.Light, tk.ID, m.ID, false); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("light agent applied actions: %v", err)
		}
		note, err := s.Create(ctx, f.Admin, macro.MacroInput{Name: ptr("Checked"), Body: ptr("Checked #{{ticket.number}}"), Shared: ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := s.Apply(ctx, f.Light, tk.ID, note.ID, false); err != nil || res.Body != "Checked #"+itoa(tk.Number) {
			t.Fatalf("light agent text macro: %+v %v", res, err)
		}
		// A ticket the agent may not see is not found.
		other, err := f.Tickets.Create(ctx, auth.System, ticket.CreateInput{Subject: "Support only", Body: "b", TeamID: &f.Support.ID, Requester: &ticket.RequesterInput{Email: "x@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Apply(ctx, f.TeamAgent, other.ID, note.ID, true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("team agent applied to another team's ticket: %v", err)
		}
		// A deactivated macro is refused.
		if _, err := s.Update(ctx, f.Admin, note.ID, macro.MacroInput{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Apply(ctx, f.Agent, tk.ID, note.ID, false); fieldOf(err) != "macro_id" {
			t.Fatalf("inactive macro applied: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestMacroFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		s := f.Macros
		shared, err := s.Create(ctx, f.Admin, macro.MacroInput{Name: ptr("Invoice copy"), Body: ptr("Here is the form."), Shared: ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		mine, err := s.Create(ctx, f.Agent, macro.MacroInput{Name: ptr("Mine"), Body: ptr("x")})
		if err != nil {
			t.Fatal(err)
		}
		pdf := ticket.AttachmentInput{Filename: "form.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 form")}
		if _, err := s.Attach(ctx, f.Agent, shared.ID, []ticket.AttachmentInput{pdf}); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("agent attached to a shared macro: %v", err)
		}
		got, err := s.Attach(ctx, f.Admin, shared.ID, []ticket.AttachmentInput{pdf})
		if err != nil || len(got) != 1 || got[0].Filename != "form.pdf" || got[0].Size != int64(len(pdf.Data)) {
			t.Fatalf("attached: %+v %v", got, err)
		}
		if _, err := s.Attach(ctx, f.Admin, shared.ID, []ticket.AttachmentInput{{Filename: "x.exe", Data: []byte("MZ")}}); fieldOf(err) == "" {
			t.Fatalf("program attached: %v", err)
		}
		if _, err := s.Attach(ctx, f.Agent2, mine.ID, []ticket.AttachmentInput{pdf}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another agent attached to a personal macro: %v", err)
		}
		// Applying offers the files; the composer sends them with the reply.
		tk := newTicket(t, f, "en")
		res, err := s.Apply(ctx, f.Agent, tk.ID, shared.ID, true)
		if err != nil || len(res.Files) != 1 {
			t.Fatalf("applied files: %+v %v", res.Files, err)
		}
		ups, err := s.Uploads(ctx, f.Light, shared.ID)
		if err != nil || len(ups) != 1 || string(ups[0].Data) != string(pdf.Data) {
			t.Fatalf("uploads: %+v %v", ups, err)
		}
		msg, err := f.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindReply, Body: res.Body, Attachments: ups})
		if err != nil || len(msg.Message.Attachments) != 1 {
			t.Fatalf("reply with the macro's file: %+v %v", msg, err)
		}
		if err := s.DeleteFile(ctx, f.Admin, shared.ID, got[0].ID); err != nil {
			t.Fatal(err)
		}
		if fs, _ := s.Files(ctx, f.Agent, shared.ID); len(fs) != 0 {
			t.Fatalf("after delete: %+v", fs)
		}
	})
}
