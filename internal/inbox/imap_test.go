package inbox

import (
	"testing"

	"tessera/internal/validation"
)

func TestParseIMAPSettings(t *testing.T) {
	old := map[string]any{"password": "stored"}
	tests := []struct {
		name  string
		in    map[string]any
		old   map[string]any
		field string // the refused field; "" when accepted
		check func(t *testing.T, s map[string]any)
	}{
		{name: "defaults", in: map[string]any{"host": "imap.example.com", "username": "u", "password": "p"}, check: func(t *testing.T, s map[string]any) {
			if s["port"] != float64(993) || s["security"] != "tls" || s["folder"] != "INBOX" || s["after"] != "seen" || s["auth"] != "password" {
				t.Errorf("defaults: %v", s)
			}
		}},
		{name: "starttls port", in: map[string]any{"host": "imap.example.com", "security": "starttls", "username": "u", "password": "p"}, check: func(t *testing.T, s map[string]any) {
			if s["port"] != float64(143) {
				t.Errorf("port: %v", s["port"])
			}
		}},
		{name: "password kept", in: map[string]any{"host": "imap.example.com", "username": "u"}, old: old, check: func(t *testing.T, s map[string]any) {
			if s["password"] != "stored" {
				t.Errorf("password: %v", s["password"])
			}
		}},
		{name: "seen clears move_to", in: map[string]any{"host": "h.example", "username": "u", "password": "p", "after": "seen", "move_to": "X"}, check: func(t *testing.T, s map[string]any) {
			if s["move_to"] != "" {
				t.Errorf("move_to: %v", s["move_to"])
			}
		}},
		{name: "xoauth2", in: map[string]any{"host": "imap.gmail.com", "username": "u@gmail.com", "password": "ya29.token", "auth": "xoauth2"}},
		{name: "no password", in: map[string]any{"host": "h.example", "username": "u"}, field: "imap.password"},
		{name: "bad host", in: map[string]any{"host": "imap://h", "username": "u", "password": "p"}, field: "imap.host"},
		{name: "bad port", in: map[string]any{"host": "h.example", "port": 0.5, "username": "u", "password": "p"}, field: "imap"},
		{name: "port range", in: map[string]any{"host": "h.example", "port": 70000, "username": "u", "password": "p"}, field: "imap.port"},
		{name: "security", in: map[string]any{"host": "h.example", "security": "ssl", "username": "u", "password": "p"}, field: "imap.security"},
		{name: "auth", in: map[string]any{"host": "h.example", "auth": "cram", "username": "u", "password": "p"}, field: "imap.auth"},
		{name: "after", in: map[string]any{"host": "h.example", "after": "archive", "username": "u", "password": "p"}, field: "imap.after"},
		{name: "move without folder", in: map[string]any{"host": "h.example", "after": "move", "username": "u", "password": "p"}, field: "imap.move_to"},
		{name: "move into itself", in: map[string]any{"host": "h.example", "after": "move", "move_to": "INBOX", "username": "u", "password": "p"}, field: "imap.move_to"},
		{name: "unknown key", in: map[string]any{"host": "h.example", "username": "u", "password": "p", "hostname": "x"}, field: "imap"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseIMAPSettings(tc.in, tc.old)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if tc.check != nil {
					tc.check(t, s)
				}
				return
			}
			ve, ok := validation.As(err)
			if !ok || ve.Fields[0].Field != tc.field {
				t.Errorf("err = %v, want a refusal of %s", err, tc.field)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	in := map[string]any{
		"imap":  map[string]any{"host": "h", "password": "secret"},
		"smtp":  map[string]any{"host": "s", "password": ""},
		"other": "value",
	}
	out := redact(in)
	imap := out["imap"].(map[string]any)
	smtp := out["smtp"].(map[string]any)
	if _, ok := imap["password"]; ok || imap["password_set"] != true || imap["host"] != "h" {
		t.Errorf("imap: %v", imap)
	}
	if smtp["password_set"] != false {
		t.Errorf("smtp: %v", smtp)
	}
	if out["other"] != "value" || in["imap"].(map[string]any)["password"] != "secret" {
		t.Errorf("redact changed its input or dropped a value: %v %v", out, in)
	}
}
