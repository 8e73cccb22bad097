package inbox

import (
	"testing"

	"tessera/internal/validation"
)

func TestParseSMTPSettings(t *testing.T) {
	for _, c := range []struct {
		name  string
		in    any
		want  SMTPSettings
		field string // the field refused, "" when accepted
	}{
		{"absent", nil, SMTPSettings{}, ""},
		{"starttls default", map[string]any{"host": "smtp.acme.test", "username": "u", "password": "p"},
			SMTPSettings{Host: "smtp.acme.test", Port: 587, Security: "starttls", Username: "u", Password: "p", Auth: "password"}, ""},
		{"tls default port", map[string]any{"host": "smtp.acme.test", "security": "tls"}, SMTPSettings{Host: "smtp.acme.test", Port: 465, Security: "tls", Auth: "password"}, ""},
		{"plain relay", map[string]any{"host": "127.0.0.1", "port": 2525, "security": "none"}, SMTPSettings{Host: "127.0.0.1", Port: 2525, Security: "none", Auth: "password"}, ""},
		{"xoauth2", map[string]any{"host": "smtp.gmail.test", "auth": "xoauth2", "username": "a@b.test", "password": "ya29.token"},
			SMTPSettings{Host: "smtp.gmail.test", Port: 587, Security: "starttls", Username: "a@b.test", Password: "ya29.token", Auth: "xoauth2"}, ""},
		{"xoauth2 without token", map[string]any{"host": "smtp.gmail.test", "auth": "xoauth2", "username": "a@b.test"}, SMTPSettings{}, "smtp.password"},
		{"bad security", map[string]any{"host": "h", "security": "ssl"}, SMTPSettings{}, "smtp.security"},
		{"bad port", map[string]any{"host": "h", "port": 70000}, SMTPSettings{}, "smtp.port"},
		{"bad auth", map[string]any{"host": "h", "auth": "cram"}, SMTPSettings{}, "smtp.auth"},
		{"host with port", map[string]any{"host": "h:25"}, SMTPSettings{}, "smtp.host"},
		{"password without host", map[string]any{"password": "p"}, SMTPSettings{}, "smtp.host"},
		{"port as text", map[string]any{"host": "h", "port": "25"}, SMTPSettings{}, "smtp"},
		{"not an object", "smtp.acme.test", SMTPSettings{}, "smtp"},
	} {
		got, err := ParseSMTPSettings(c.in)
		if c.field == "" {
			if err != nil || got != c.want {
				t.Errorf("%s: got %+v, %v; want %+v", c.name, got, err, c.want)
			}
			continue
		}
		ve, ok := validation.As(err)
		if !ok || ve.Fields[0].Field != c.field {
			t.Errorf("%s: error %v, want one on %s", c.name, err, c.field)
		}
	}
}
