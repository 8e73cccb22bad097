package agent_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestAdminBadInput: a refused form comes back with 422, the wrong field
// named (in the summary and marked on its input) and what was typed kept.
func TestAdminBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		w := newAdminWorld(t, e)
		f := e.f
		cases := []struct {
			path  string
			form  url.Values
			field string // named in the summary
			input string // the input marked invalid (its name)
			kept  string // a typed value that must come back
		}{
			{"/admin/agents", url.Values{"name": {"Typed Name"}, "email": {"not-an-email"}, "role": {"agent"}, "language": {"en"}, "time_zone": {"UTC"}},
				"email", "email", "Typed Name"},
			{"/admin/agents", url.Values{"name": {"Kept"}, "email": {"k@example.com"}, "role": {"agent"}, "language": {"en"}, "time_zone": {"UTC"}, "capacity": {"many"}},
				"capacity", "capacity", "k@example.com"},
			{fmt.Sprintf("/admin/agents/%d", f.Agent2.ID), url.Values{"name": {"Bea Typed"}, "email": {"agent2@example.com"}, "role": {"agent"},
				"ticket_access": {"all"}, "language": {"en"}, "time_zone": {"Mars/Olympus"}}, "time_zone", "time_zone", "Mars/Olympus"},
			{fmt.Sprintf("/admin/agents/%d/password", f.Agent2.ID), url.Values{"password": {"short"}}, "password", "password", ""},
			{fmt.Sprintf("/admin/agents/%d/active", f.Admin.ID), url.Values{"active": {"0"}}, "active", "", ""},
			{"/admin/roles", url.Values{"agent_id": {fmt.Sprint(f.Admin.ID)}, "role": {"light"}}, "role", "role", ""},
			{"/admin/teams", url.Values{"name": {"billing"}, "tier": {"2"}, "description": {"Typed description"}}, "name", "name", "Typed description"},
			{"/admin/teams", url.Values{"name": {"Ok team"}, "tier": {"12"}}, "tier", "tier", "Ok team"},
			{fmt.Sprintf("/admin/teams/%d", f.Support.ID), url.Values{"name": {" "}, "tier": {"1"}, "description": {"Still here"}}, "name", "name", "Still here"},
			{"/admin/statuses", url.Values{"key": {"Bad Key"}, "name": {"Typed label"}, "category": {"open"}}, "key", "key", "Typed label"},
			{"/admin/statuses/" + w.status, url.Values{"name": {""}, "position": {"77"}}, "name", "name", "77"},
			{"/admin/fields", url.Values{"key": {"tier_level"}, "name": {"Tier level"}, "kind": {"dropdown"}}, "options", "options", "tier_level"},
			{fmt.Sprintf("/admin/fields/%d", w.field), url.Values{"name": {"Plan"}, "options": {"free\nfree"}}, "options", "options", "Plan"},
			{"/admin/tags/rename", url.Values{"from": {w.tagRename}, "to": {"a,b"}}, "to", "to", "a,b"},
			{"/admin/inboxes", url.Values{"name": {"Typed inbox"}, "kind": {"email"}, "address": {"nowhere"}, "default_language": {"en"}}, "address", "address", "Typed inbox"},
			{fmt.Sprintf("/admin/inboxes/%d", w.inbox), url.Values{"name": {""}, "kind": {"email"}, "address": {"kept@acme.test"}, "default_language": {"en"}}, "name", "name", "kept@acme.test"},
			{fmt.Sprintf("/admin/inboxes/%d", w.inbox), url.Values{"name": {"Mail"}, "kind": {"email"}, "address": {"kept@acme.test"}, "default_language": {"en"},
				"imap_host": {"imap.acme.test"}, "imap_username": {"typed-user"}, "imap_password": {"pw"}, "imap_security": {"tls"}, "imap_after": {"move"}},
				"imap_move_to", "imap_move_to", "typed-user"},
			{"/admin/sla/calendars", url.Values{"name": {"Typed cal"}, "time_zone": {"UTC"}, "hours.mon": {"9 to 5"}}, "hours.mon", "hours.mon", "9 to 5"},
			{"/admin/sla/calendars", url.Values{"name": {"Typed cal"}, "time_zone": {"UTC"}, "hours.mon": {"09:00-17:00"}, "holidays": {"2026-12-25 ok\nchristmas"}},
				"holidays", "holidays", "christmas"},
			{fmt.Sprintf("/admin/sla/calendars/%d", w.calendar), url.Values{"name": {"Office"}, "time_zone": {"Nowhere/City"}, "hours.mon": {"09:00-17:00"}}, "time_zone", "time_zone", "Nowhere/City"},
			{"/admin/sla/policies", url.Values{"name": {"Typed policy"}, "position": {"3"}, "targets.high.first_reply": {"soon"}}, "targets.high.first_reply", "targets.high.first_reply", "soon"},
			{"/admin/sla/policies", url.Values{"name": {"Biz"}, "business_hours": {"1"}, "targets.low.resolution": {"3d"}}, "calendar_id", "calendar_id", "3d"},
			{fmt.Sprintf("/admin/sla/policies/%d", w.policy), url.Values{"name": {"Standard"}, "warn_before": {"forever"}, "targets.normal.first_reply": {"4h"}}, "warn_before", "warn_before", "forever"},
			{"/admin/sla/rules", url.Values{"name": {""}, "priority": {"high"}, "keywords": {"typed keyword"}}, "name", "name", "typed keyword"},
			{fmt.Sprintf("/admin/sla/rules/%d", w.rule), url.Values{"name": {"Outage"}, "priority": {"asap"}, "keywords": {"fora do ar"}}, "priority", "priority", "fora do ar"},
		}
		for _, c := range cases {
			r := e.do("POST", c.path, asAdmin, c.form)
			name := fmt.Sprintf("POST %s %v", c.path, c.form)
			if r.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 422\n%s", name, r.Code, excerpt(r.Body))
				continue
			}
			body := html.UnescapeString(r.Body)
			if !strings.Contains(body, "<li>"+c.field+": ") {
				t.Errorf("%s: the summary does not name %s\n%s", name, c.field, excerpt(r.Body))
			}
			if c.input != "" && !invalidInput(r.Body, c.input) {
				t.Errorf("%s: input %s is not marked invalid\n%s", name, c.input, excerpt(r.Body))
			}
			if c.kept != "" && !strings.Contains(body, c.kept) {
				t.Errorf("%s: the typed %q is lost", name, c.kept)
			}
			if strings.Contains(r.Body, `type="password" name="password" value=`) {
				t.Errorf("%s: a password is echoed back", name)
			}
		}
		// Nothing of the refused forms was saved.
		var n int
		if err := f.DB.Read().QueryRow(context.Background(), `SELECT COUNT(*) FROM teams`).Scan(&n); err != nil || n != 2 {
			t.Errorf("teams = %d (%v)", n, err)
		}
	})
}

// invalidInput reports whether the input, select or textarea named name
// carries aria-invalid.
func invalidInput(body, name string) bool {
	for _, part := range strings.Split(body, "<")[1:] {
		tag, _, _ := strings.Cut(part, ">")
		if (strings.HasPrefix(tag, "input ") || strings.HasPrefix(tag, "select ") || strings.HasPrefix(tag, "textarea ")) &&
			strings.Contains(tag, `name="`+name+`"`) && strings.Contains(tag, `aria-invalid="true"`) {
			return true
		}
	}
	return false
}
