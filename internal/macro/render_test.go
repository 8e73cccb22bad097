package macro

import (
	"slices"
	"testing"

	"tessera/internal/people"
	"tessera/internal/ticket"
)

func TestRender(t *testing.T) {
	subj := Subject{
		Ticket: ticket.Ticket{Number: 1042, Subject: "Pagamento recusado", Status: "pending", Priority: "high",
			CustomFields: map[string]any{"order_id": "A-77", "seats": float64(12), "plans": []any{"pro", "team"}, "weight": 1.5}},
		Requester:    &people.Contact{Name: "Maria da Silva", Email: "maria@example.com"},
		Organization: &people.Organization{Name: "Acme Ltda"},
		AgentName:    "Aldo Agent",
	}
	values := Values(subj)
	for _, tc := range []struct {
		name, in, want string
	}{
		{"every fixed placeholder", "{{ticket.number}} {{ticket.subject}} {{ticket.status}} {{ticket.priority}}", "1042 Pagamento recusado pending high"},
		{"people", "Olá {{requester.first_name}} ({{requester.name}}, {{requester.email}}) de {{organization.name}} — {{agent.first_name}} / {{agent.name}}",
			"Olá Maria (Maria da Silva, maria@example.com) de Acme Ltda — Aldo / Aldo Agent"},
		{"spaces inside braces", "#{{  ticket.number }}", "#1042"},
		{"custom field text", "Order {{ticket.custom_fields.order_id}}", "Order A-77"},
		{"custom field whole number", "{{ticket.custom_fields.seats}} seats", "12 seats"},
		{"custom field decimal", "{{ticket.custom_fields.weight}} kg", "1.5 kg"},
		{"custom field list", "{{ticket.custom_fields.plans}}", "pro, team"},
		{"missing custom field renders empty", "[{{ticket.custom_fields.absent}}]", "[]"},
		{"unknown placeholder stays", "{{ticket.secret}}", "{{ticket.secret}}"},
		{"template syntax is text", "{{.Ticket}} {{printf \"%d\" 1}} {{ticket.number}}", "{{.Ticket}} {{printf \"%d\" 1}} 1042"},
		{"no placeholders", "Thanks!", "Thanks!"},
		{"single braces", "{ticket.number}", "{ticket.number}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Render(tc.in, values); got != tc.want {
				t.Errorf("Render(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRenderMissingPeople(t *testing.T) {
	got := Render("Hi {{requester.first_name}} of {{organization.name}}, {{ticket.number}}", Values(Subject{}))
	if want := "Hi  of , "; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// The ticket's own requester reference fills in when the contact was
	// not loaded.
	got = Render("{{requester.first_name}}", Values(Subject{Ticket: ticket.Ticket{Requester: &ticket.Person{Name: "Cleo Customer"}}}))
	if got != "Cleo" {
		t.Errorf("requester from ticket: %q", got)
	}
}

func TestUnknown(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"{{ticket.number}} {{agent.name}}", nil},
		{"{{ticket.numbr}} and {{ requester.phone }} and {{ticket.numbr}}", []string{"ticket.numbr", "requester.phone"}},
		{"{{ticket.custom_fields.order_id}}", nil},
		{"{{ticket.custom_fields.Bad-Key}}", []string{"ticket.custom_fields.Bad-Key"}},
		{"{{ticket.custom_fields.}}", []string{"ticket.custom_fields."}},
		{"{{.}}", []string{"."}},
		{"{{}}", []string{""}},
	} {
		if got := Unknown(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Unknown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPick(t *testing.T) {
	m := Macro{Body: "Hello", Locale: "en", Translations: map[string]string{"pt-BR": "Olá", "es": "Hola", "he": ""}}
	for _, tc := range []struct{ lang, text, locale string }{
		{"pt-BR", "Olá", "pt-BR"},
		{"pt-br", "Olá", "pt-BR"},
		{"pt", "Olá", "pt-BR"},
		{"es-MX", "Hola", "es"},
		{"en-GB", "Hello", "en"},
		{"he", "Hello", "en"}, // an empty translation is none
		{"fr", "Hello", "en"},
		{"", "Hello", "en"},
	} {
		text, locale := Pick(m, tc.lang)
		if text != tc.text || locale != tc.locale {
			t.Errorf("Pick(%q) = %q %q, want %q %q", tc.lang, text, locale, tc.text, tc.locale)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"{{ticket.number}}", "{{ {{x}} }}", "{{", "}}{{agent.name", "{{ticket.custom_fields.a}}"} {
		f.Add(s)
	}
	values := Values(Subject{Ticket: ticket.Ticket{Number: 7}, AgentName: "A"})
	f.Fuzz(func(t *testing.T, s string) {
		out := Render(s, values)
		// Text without any known placeholder comes back unchanged.
		if len(Unknown(s)) == len(placeholder.FindAllString(s, -1)) && out != s {
			t.Fatalf("Render changed text without known placeholders: %q → %q", s, out)
		}
	})
}
