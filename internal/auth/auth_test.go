package auth

import (
	"strings"
	"testing"
)

func TestPasswords(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash format %q", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if got := CheckPassword(h, pw); got != want {
			t.Errorf("CheckPassword(%q) = %v", pw, got)
		}
	}
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$v=1$x$y$z", "$argon2id$v=19$m=x$salt$key"} {
		if CheckPassword(bad, "x") {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("short password accepted")
	}
}

func TestTokens(t *testing.T) {
	a, ha, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := NewToken()
	if a == b || !strings.HasPrefix(a, TokenPrefix) || len(a) < 40 {
		t.Errorf("tokens %q %q", a, b)
	}
	if HashToken(a) != ha || len(ha) != 64 {
		t.Errorf("hash %q", ha)
	}
}

func TestRoles(t *testing.T) {
	cases := []struct {
		a                           Actor
		admin, edit, notes, seesAll bool
	}{
		{System, true, true, true, true},
		{Actor{Kind: KindAgent, Role: RoleAdmin, Access: AccessTeams}, true, true, true, true},
		{Actor{Kind: KindAgent, Role: RoleAgent, Access: AccessAll}, false, true, true, true},
		{Actor{Kind: KindAgent, Role: RoleAgent, Access: AccessTeams}, false, true, true, false},
		{Actor{Kind: KindAgent, Role: RoleLight, Access: AccessAll}, false, false, true, true},
		{Actor{Kind: KindContact, ID: 3}, false, false, false, false},
	}
	for i, c := range cases {
		if c.a.IsAdmin() != c.admin || c.a.CanEditTickets() != c.edit || c.a.CanAddNotes() != c.notes || c.a.SeesAllTickets() != c.seesAll {
			t.Errorf("case %d (%+v): admin %v edit %v notes %v all %v", i, c.a, c.a.IsAdmin(), c.a.CanEditTickets(), c.a.CanAddNotes(), c.a.SeesAllTickets())
		}
	}
}
