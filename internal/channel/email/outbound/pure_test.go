package outbound

import (
	"strings"
	"testing"
	"time"

	"tessera/internal/people"
)

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		base    time.Duration
		attempt int
		want    time.Duration
	}{
		{time.Minute, 1, time.Minute},
		{time.Minute, 2, 2 * time.Minute},
		{time.Minute, 5, 16 * time.Minute},
		{time.Minute, 12, MaxBackoff},
		{0, 1, time.Minute},
		{200 * time.Millisecond, 3, 800 * time.Millisecond},
	} {
		if got := backoff(c.base, c.attempt); got != c.want {
			t.Errorf("backoff(%v, %d) = %v, want %v", c.base, c.attempt, got, c.want)
		}
	}
}

func TestReplySubject(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int64
		want string
	}{
		{"Printer on fire", 7, "Re: Printer on fire [#7]"},
		{"Re: Printer on fire", 7, "Re: Printer on fire [#7]"},
		{"RE: re: AW: Drucker", 8, "Re: Drucker [#8]"},
		{"Res: Impressora [#9]", 9, "Re: Impressora [#9]"},
		{"  מדפסת  ", 10, "Re: מדפסת [#10]"},
	} {
		if got := ReplySubject(c.in, c.n); got != c.want {
			t.Errorf("ReplySubject(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPlusAddress(t *testing.T) {
	for in, want := range map[string]string{
		"support@acme.test":      "support+42@acme.test",
		"support+old@acme.test":  "support+42@acme.test",
		"not-an-address":         "not-an-address",
		"suporte@empresa.com.br": "suporte+42@empresa.com.br",
	} {
		if got := plusAddress(in, 42); got != want {
			t.Errorf("plusAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsRobot(t *testing.T) {
	for addr, want := range map[string]bool{
		"MAILER-DAEMON@mx.test": true, "no-reply@shop.test": true, "noreply+x@shop.test": true,
		"postmaster@x.test": true, "maria@cliente.test": false, "replies@x.test": false,
	} {
		if got := isRobot(addr); got != want {
			t.Errorf("isRobot(%q) = %t", addr, got)
		}
	}
}

// TestDefaultTemplates: every template exists in every language, uses only
// known placeholders, and renders the reference number.
func TestDefaultTemplates(t *testing.T) {
	v := Vars{"ticket.number": "1042", "ticket.subject": "S", "requester.name": "R", "requester.email": "r@x.test",
		"portal_url": "https://desk.test/help/requests/1042", "ticket_url": "https://desk.test/tickets/5", "agent.name": "A", "inbox.name": "I"}
	for _, lang := range people.Languages {
		for _, key := range TemplateKeys {
			d := defaults[lang][key]
			if d.Subject == "" || d.Body == "" {
				t.Fatalf("%s/%s: missing", lang, key)
			}
			subject, body := Fill(d.Subject, v), Fill(d.Body, v)
			if strings.Contains(subject+body, "{{") {
				t.Errorf("%s/%s: unfilled placeholder in %q / %q", lang, key, subject, body)
			}
			if !strings.Contains(subject, "1042") {
				t.Errorf("%s/%s: subject %q lacks the reference number", lang, key, subject)
			}
			if key == TemplateAutoAck && !strings.Contains(body, "https://desk.test/help/requests/1042") {
				t.Errorf("%s/%s: no portal link", lang, key)
			}
			if key != TemplateAutoAck && !strings.Contains(body, "https://desk.test/tickets/5") {
				t.Errorf("%s/%s: no ticket link", lang, key)
			}
			if lang != "en" && body == Fill(defaults["en"][key].Body, v) {
				t.Errorf("%s/%s: not translated", lang, key)
			}
		}
	}
}

func TestFill(t *testing.T) {
	got := Fill("#{{ticket.number}} {{ ticket.subject }} {{unknown}} {{", Vars{"ticket.number": "7", "ticket.subject": "x"})
	if got != "#7 x {{unknown}} {{" {
		t.Errorf("Fill = %q", got)
	}
}

// FuzzFill: any template text and values fill without panicking, and
// values go in literally, never read again as placeholders.
func FuzzFill(f *testing.F) {
	f.Add("Re: {{ticket.subject}} [#{{ticket.number}}]", "x")
	f.Add("{{{{}}}} {{ ticket.number }} {{", "{{ticket.number}}")
	f.Add("שלום {{requester.name}}", "עולם")
	f.Fuzz(func(t *testing.T, tmpl, val string) {
		v := Vars{}
		for _, p := range Placeholders {
			v[p] = val
		}
		_ = Fill(tmpl, v)
		known := ""
		for _, p := range Placeholders {
			known += "{{" + p + "}}"
		}
		if out, want := Fill(known, v), strings.Repeat(val, len(Placeholders)); out != want {
			t.Errorf("Fill(known) = %q, want %q", out, want)
		}
	})
}
