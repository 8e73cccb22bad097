package agent_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/portal"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

func (e *adminEnv) actor(who string) auth.Actor {
	switch who {
	case asAdmin:
		return e.f.Admin
	case asAgent:
		return e.f.Agent
	case asLight:
		return e.f.Light
	case asTeam:
		return e.f.TeamAgent
	}
	e.t.Fatalf("no actor %q", who)
	return auth.Actor{}
}

// TestProfile: every agent — admin, agent, light agent, team-limited —
// sees and saves their own profile; the saved language shows at once
// (even over one picked with the switcher), times follow the saved zone,
// and fields other than the profile's are ignored. Signed out, it is the
// sign-in page.
func TestProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		ctx := context.Background()
		for _, who := range []string{asAdmin, asAgent, asLight, asTeam} {
			me := e.actor(who)
			r := e.do("GET", "/profile", who, nil)
			if r.Code != http.StatusOK || !strings.Contains(r.Body, html.EscapeString(me.Name)) || !strings.Contains(r.Body, `href="/profile"`) {
				t.Fatalf("GET /profile as %s: %d\n%s", who, r.Code, excerpt(r.Body))
			}
			if m := untranslated.FindString(r.Body); m != "" {
				t.Errorf("GET /profile as %s: untranslated %q", who, m)
			}
			// The switcher's choice is kept in the session...
			if r := e.do("GET", "/profile?lang=es", who, nil); r.Code != http.StatusOK || !strings.Contains(r.Body, `lang="es"`) {
				t.Fatalf("switcher as %s: %d", who, r.Code)
			}
			form := url.Values{"name": {"Renamed " + who}, "language": {"he"}, "time_zone": {"Asia/Jerusalem"}, "availability": {"away"},
				// Not the profile's: ignored, never a way to promote oneself.
				"role": {"admin"}, "ticket_access": {"all"}, "active": {"0"}, "team_ids": {fmt.Sprint(e.f.Billing.ID)}, "email": {"x@evil.test"}}
			r = e.do("POST", "/profile", who, form)
			if r.Code != http.StatusSeeOther || r.Loc != "/profile" {
				t.Fatalf("POST /profile as %s: %d %q\n%s", who, r.Code, r.Loc, excerpt(r.Body))
			}
			a, err := e.f.People.GetAgent(ctx, me.ID)
			if err != nil {
				t.Fatal(err)
			}
			if a.Name != "Renamed "+who || a.Language != "he" || a.TimeZone != "Asia/Jerusalem" || a.Availability != "away" {
				t.Errorf("%s: profile not saved: %+v", who, a)
			}
			if a.Role != me.Role || a.TicketAccess != me.Access || !a.Active || a.Email != me.Email || fmt.Sprint(a.TeamIDs) != fmt.Sprint(me.TeamIDs) {
				t.Errorf("%s: the profile form changed more than the profile: %+v", who, a)
			}
			// ...and the language saved here replaces it.
			r = e.do("GET", "/profile", who, nil)
			if r.Code != http.StatusOK || !strings.Contains(r.Body, `lang="he" dir="rtl"`) {
				t.Errorf("%s: the saved language does not show: %s", who, excerpt(r.Body))
			}
			jer, _ := time.LoadLocation("Asia/Jerusalem")
			now := time.Now()
			if !strings.Contains(r.Body, now.In(jer).Format("2006-01-02 15:04")) && !strings.Contains(r.Body, now.Add(time.Minute).In(jer).Format("2006-01-02 15:04")) {
				t.Errorf("%s: times are not in the saved zone", who)
			}
		}
		for _, m := range []string{"GET", "POST"} {
			r := e.do(m, "/profile", asNone, url.Values{"name": {"Nobody"}})
			if r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Loc, "/login") {
				t.Errorf("%s /profile signed out: %d %q", m, r.Code, r.Loc)
			}
		}
		if r := e.do("POST", "/profile/password", asNone, url.Values{"password": {"x"}}); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Loc, "/login") {
			t.Errorf("POST /profile/password signed out: %d %q", r.Code, r.Loc)
		}
	})
}

// TestProfileBadInput: a refused profile comes back 422 with the field
// named and marked and what was typed kept, and nothing saved.
func TestProfileBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		ok := url.Values{"name": {"Typed Name"}, "language": {"pt-BR"}, "time_zone": {"America/Sao_Paulo"}, "availability": {"away"}}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for key, vals := range ok {
				f[key] = vals
			}
			f.Set(k, v)
			return f
		}
		cases := []struct {
			form         url.Values
			field, input string
			kept         string
		}{
			{with("name", " "), "name", "name", "America/Sao_Paulo"},
			{with("time_zone", "Mars/Olympus"), "time_zone", "time_zone", "Mars/Olympus"},
			{with("time_zone", "Local"), "time_zone", "time_zone", "Typed Name"},
			{with("language", "xx"), "language", "language", "Typed Name"},
			{with("availability", "busy"), "availability", "availability", "Typed Name"},
		}
		for _, who := range []string{asAgent, asLight} {
			for _, c := range cases {
				r := e.do("POST", "/profile", who, c.form)
				name := fmt.Sprintf("%s %v", who, c.form)
				if r.Code != http.StatusUnprocessableEntity {
					t.Errorf("%s: %d, want 422", name, r.Code)
					continue
				}
				body := html.UnescapeString(r.Body)
				if !strings.Contains(body, "<li>"+c.field+": ") || !invalidInput(r.Body, c.input) || !strings.Contains(body, c.kept) {
					t.Errorf("%s: field %s not named and marked, or %q lost\n%s", name, c.field, c.kept, excerpt(r.Body))
				}
			}
			a, err := e.f.People.GetAgent(context.Background(), e.actor(who).ID)
			if err != nil || a.Name == "Typed Name" || a.Availability == "away" {
				t.Errorf("%s: a refused form saved something: %+v %v", who, a, err)
			}
		}
	})
}

// TestProfilePassword: changing one's password needs the current one and
// the new one twice; it keeps this sign-in and ends the others. Refusals
// are 422 with the field named and no password sent back.
func TestProfilePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		ctx := context.Background()
		ss := &auth.Sessions{DB: e.f.DB}
		for _, who := range []string{asAdmin, asAgent, asLight, asTeam} {
			me := e.actor(who)
			old := "old password " + who
			if _, err := e.f.People.UpdateAgent(ctx, auth.System, me.ID, people.AgentInput{Password: &old}); err != nil {
				t.Fatal(err)
			}
			// The system's reset ended the sessions: sign in afresh, twice.
			for _, c := range []string{who, who + "-phone"} {
				tok, err := ss.Create(ctx, me.ID, 0, "", "test", "127.0.0.1")
				if err != nil {
					t.Fatal(err)
				}
				e.cookies[c] = tok
			}
			bad := []struct {
				form  url.Values
				field string
			}{
				{url.Values{"current_password": {"not it at all"}, "password": {"brand new secret"}, "password_confirm": {"brand new secret"}}, "current_password"},
				{url.Values{"password": {"brand new secret"}, "password_confirm": {"brand new secret"}}, "current_password"},
				{url.Values{"current_password": {old}, "password": {"brand new secret"}, "password_confirm": {"brand new secrex"}}, "password_confirm"},
				{url.Values{"current_password": {old}, "password": {"short"}, "password_confirm": {"short"}}, "password"},
			}
			for _, c := range bad {
				r := e.do("POST", "/profile/password", who, c.form)
				if r.Code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(r.Body), "<li>"+c.field+": ") || !invalidInput(r.Body, c.field) {
					t.Errorf("%s %v: %d, want 422 naming %s\n%s", who, c.form, r.Code, c.field, excerpt(r.Body))
				}
				for _, v := range []string{old, "brand new secre", "not it at all"} {
					if strings.Contains(r.Body, v) {
						t.Errorf("%s: a password is sent back", who)
					}
				}
			}
			r := e.do("POST", "/profile/password", who, url.Values{"current_password": {old}, "password": {"brand new secret"}, "password_confirm": {"brand new secret"}})
			if r.Code != http.StatusSeeOther || r.Loc != "/profile" {
				t.Fatalf("%s: change: %d %q\n%s", who, r.Code, r.Loc, excerpt(r.Body))
			}
			if r := e.do("GET", "/profile", who, nil); r.Code != http.StatusOK {
				t.Errorf("%s: the session that changed the password ended: %d", who, r.Code)
			}
			if r := e.do("GET", "/profile", who+"-phone", nil); r.Code != http.StatusSeeOther {
				t.Errorf("%s: another session survived the change: %d", who, r.Code)
			}
			if _, err := e.f.People.CheckPassword(ctx, me.Email, "brand new secret"); err != nil {
				t.Errorf("%s: new password: %v", who, err)
			}
		}
	})
}

// TestAdminPortalSettings: only admins see and change the portal's
// settings; each box is saved, an unticked one as off; a value no box
// sends is refused with 422, the setting named. The custom field form
// carries the portal flag.
func TestAdminPortalSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		ctx := context.Background()
		on := url.Values{"allow_priority": {"1"}, "allow_password": {"1"}}
		for _, who := range []string{asAgent, asLight, asTeam} {
			for _, m := range []string{"GET", "POST"} {
				if r := e.do(m, "/admin/portal", who, on); r.Code != http.StatusForbidden {
					t.Errorf("%s /admin/portal as %s: %d, want 403", m, who, r.Code)
				}
			}
		}
		for _, m := range []string{"GET", "POST"} {
			if r := e.do(m, "/admin/portal", asNone, on); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Loc, "/login") {
				t.Errorf("%s /admin/portal signed out: %d %q", m, r.Code, r.Loc)
			}
		}
		if st, err := e.f.Portal.Get(ctx); err != nil || st != (portal.Settings{}) {
			t.Fatalf("a refused caller changed the settings: %+v %v", st, err)
		}
		r := e.do("GET", "/admin/portal", asAdmin, nil)
		if r.Code != http.StatusOK || strings.Contains(r.Body, " checked") {
			t.Fatalf("GET /admin/portal: %d\n%s", r.Code, excerpt(r.Body))
		}
		if m := untranslated.FindString(r.Body); m != "" {
			t.Errorf("untranslated %q", m)
		}
		if home := e.do("GET", "/admin", asAdmin, nil); !strings.Contains(home.Body, `href="/admin/portal"`) {
			t.Error("the settings do not link the portal page")
		}
		r = e.do("POST", "/admin/portal", asAdmin, on)
		if r.Code != http.StatusSeeOther || r.Loc != "/admin/portal" {
			t.Fatalf("POST /admin/portal: %d %q", r.Code, r.Loc)
		}
		if st, _ := e.f.Portal.Get(ctx); st != (portal.Settings{AllowPriority: true, AllowPassword: true}) {
			t.Errorf("saved %+v", st)
		}
		if r := e.do("GET", "/admin/portal", asAdmin, nil); strings.Count(r.Body, " checked") != 2 {
			t.Errorf("the page does not show the saved settings")
		}
		r = e.do("POST", "/admin/portal", asAdmin, url.Values{"share_organization": {"1"}})
		if st, _ := e.f.Portal.Get(ctx); r.Code != http.StatusSeeOther || st != (portal.Settings{ShareOrganization: true}) {
			t.Errorf("unticked boxes: %d %+v", r.Code, st)
		}
		r = e.do("POST", "/admin/portal", asAdmin, url.Values{"allow_priority": {"1"}, "allow_password": {"perhaps"}})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "<li>allow_password: ") || !invalidInput(r.Body, "allow_password") ||
			!strings.Contains(r.Body, `name="allow_priority" value="1" aria-describedby="allow_priority-hint" checked`) {
			t.Errorf("bad value: %d\n%s", r.Code, excerpt(r.Body))
		}
		if st, _ := e.f.Portal.Get(ctx); st != (portal.Settings{ShareOrganization: true}) {
			t.Errorf("a refused form saved %+v", st)
		}

		// The custom field's portal flag, on creating and on editing.
		r = e.do("POST", "/admin/fields", asAdmin, url.Values{"key": {"order_no"}, "name": {"Order number"}, "kind": {"text"}, "portal": {"1"}})
		if r.Code != http.StatusSeeOther {
			t.Fatalf("create field: %d\n%s", r.Code, excerpt(r.Body))
		}
		var fd ticket.FieldDef
		defs, _ := e.f.Tickets.Fields(ctx)
		for _, d := range defs {
			if d.Key == "order_no" {
				fd = d
			}
		}
		if !fd.Portal {
			t.Fatalf("the portal flag was not saved: %+v", fd)
		}
		path := fmt.Sprintf("/admin/fields/%d", fd.ID)
		if r := e.do("GET", path, asAdmin, nil); !strings.Contains(r.Body, `name="portal" value="1" aria-describedby="portal-hint" checked`) {
			t.Errorf("the field form does not show the flag\n%s", excerpt(r.Body))
		}
		if m := untranslated.FindString(e.do("GET", "/admin/fields", asAdmin, nil).Body); m != "" {
			t.Errorf("fields list: untranslated %q", m)
		}
		r = e.do("POST", path, asAdmin, url.Values{"name": {"Order number"}, "position": {"0"}, "active": {"1"}})
		if got, _ := e.f.Tickets.GetField(ctx, fd.ID); r.Code != http.StatusSeeOther || got.Portal {
			t.Errorf("unticking the flag: %d %+v", r.Code, got)
		}
	})
}

// TestAdminOwnPasswordOnProfile: on their own agent page an admin is sent
// to the profile to change their password, which asks for the current one.
func TestAdminOwnPasswordOnProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		r := e.do("GET", fmt.Sprintf("/admin/agents/%d", e.f.Admin.ID), asAdmin, nil)
		if r.Code != http.StatusOK || strings.Contains(r.Body, "/password\"") || !strings.Contains(r.Body, `href="/profile"`) {
			t.Errorf("own agent page: %d\n%s", r.Code, excerpt(r.Body))
		}
		r = e.do("GET", fmt.Sprintf("/admin/agents/%d", e.f.Agent.ID), asAdmin, nil)
		if !strings.Contains(r.Body, fmt.Sprintf(`action="/admin/agents/%d/password"`, e.f.Agent.ID)) {
			t.Error("another agent's page lost the reset form")
		}
	})
}
