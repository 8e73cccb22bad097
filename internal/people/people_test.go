package people_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

func TestContactsAndOrganizations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		org, err := f.People.CreateOrganization(ctx, f.Agent, people.OrganizationInput{Name: ptr("Acme Ltda"), Domains: &[]string{"Acme.com.br", "acme.io"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.People.CreateOrganization(ctx, f.Agent, people.OrganizationInput{Name: ptr("ACME LTDA")}); err == nil {
			t.Error("organization names must be unique regardless of case")
		}
		if _, err := f.People.CreateOrganization(ctx, f.Light, people.OrganizationInput{Name: ptr("X")}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("light agent created an organization: %v", err)
		}
		c, err := f.People.CreateContact(ctx, f.Agent, people.ContactInput{Name: ptr("João Silva"), Email: ptr("Joao@ACME.com.br"),
			Emails: &[]string{"joao.silva@gmail.com"}, Phones: &[]string{"+55 (11) 91234-5678"}, Language: ptr("pt-BR")})
		if err != nil {
			t.Fatal(err)
		}
		if c.OrganizationID == nil || *c.OrganizationID != org.ID {
			t.Errorf("organization not matched by domain: %+v", c)
		}
		if c.Email != "joao@acme.com.br" || len(c.Identities) != 3 || c.Identities[2].Value != "+5511912345678" {
			t.Errorf("identities = %+v", c.Identities)
		}
		// Mail from any identity lands on the same contact.
		tk, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "Oi", Body: "b", Requester: &ticket.RequesterInput{Email: "JOAO.SILVA@gmail.com"}})
		if err != nil || tk.RequesterID != c.ID || tk.OrganizationID == nil || *tk.OrganizationID != org.ID {
			t.Errorf("ticket from second identity: %+v %v", tk, err)
		}
		_, err = f.People.CreateContact(ctx, f.Agent, people.ContactInput{Email: ptr("joao.silva@gmail.com")})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "email" {
			t.Errorf("duplicate identity: %v", err)
		}
		for _, bad := range []people.ContactInput{{}, {Email: ptr("not-an-email")}, {Phones: &[]string{"call me"}}, {Email: ptr("a@b.co"), Language: ptr("fr")}} {
			if _, err := f.People.CreateContact(ctx, f.Agent, bad); err == nil {
				t.Errorf("accepted %+v", bad)
			}
		}
		list, err := f.People.ListContacts(ctx, "joão", 0, 0, 10)
		if err != nil || len(list) != 1 {
			t.Errorf("search by name: %d %v", len(list), err)
		}
		list, _ = f.People.ListContacts(ctx, "joao.si", 0, 0, 10)
		if len(list) != 1 {
			t.Errorf("search by identity prefix: %d", len(list))
		}
		up, err := f.People.UpdateContact(ctx, f.Agent, c.ID, people.ContactInput{Tier: ptr("vip"), OrganizationID: ptr(int64(0))})
		if err != nil || up.Tier != "vip" || up.OrganizationID != nil {
			t.Errorf("update: %+v %v", up, err)
		}
	})
}

// TestConcurrentRequesterCreation: tickets from one new address created at
// once make one contact, not several.
func TestConcurrentRequesterCreation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		var wg sync.WaitGroup
		ids := make([]int64, 8)
		errs := make([]error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tk, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: fmt.Sprint("s", i), Body: "b", Requester: &ticket.RequesterInput{Email: "same@new.test"}})
				ids[i], errs[i] = tk.RequesterID, err
			}()
		}
		wg.Wait()
		for i := range 8 {
			if errs[i] != nil {
				t.Fatalf("create %d: %v", i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Errorf("requesters %v: one address made several contacts", ids)
				break
			}
		}
		var n int
		if err := f.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM contacts").Scan(&n); err != nil || n != 1 {
			t.Errorf("contacts = %d (%v)", n, err)
		}
	})
}

func TestAgentsAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		if _, err := f.People.CreateAgent(ctx, f.Agent, people.AgentInput{Email: ptr("x@y.test"), Name: ptr("X"), Role: ptr("agent")}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent created an agent: %v", err)
		}
		_, err := f.People.CreateAgent(ctx, f.Admin, people.AgentInput{Email: ptr("AGENT@example.com"), Name: ptr("Dup"), Role: ptr("agent")})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "email" {
			t.Errorf("duplicate email: %v", err)
		}
		// Agents may change their own profile but not their role.
		if _, err := f.People.UpdateAgent(ctx, auth.System, f.Agent.ID, people.AgentInput{Password: ptr("the old password")}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.People.UpdateAgent(ctx, f.Agent, f.Agent.ID, people.AgentInput{Availability: ptr("away"), Password: ptr("a new long password"), CurrentPassword: ptr("the old password")}); err != nil {
			t.Errorf("own profile: %v", err)
		}
		if _, err := f.People.UpdateAgent(ctx, f.Agent, f.Agent.ID, people.AgentInput{Role: ptr("admin")}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent promoted themself: %v", err)
		}
		if _, err := f.People.CheckPassword(ctx, "agent@example.com", "a new long password"); err != nil {
			t.Errorf("password check: %v", err)
		}
		if _, err := f.People.CheckPassword(ctx, "agent@example.com", "wrong password"); !errors.Is(err, people.ErrUnauthenticated) {
			t.Errorf("wrong password: %v", err)
		}
		tok, err := f.People.CreateToken(ctx, f.Admin, f.Light.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		a, err := f.People.Authenticate(ctx, tok)
		if err != nil || a.ID != f.Light.ID || a.Role != auth.RoleLight || len(a.TeamIDs) != 1 {
			t.Errorf("authenticate: %+v %v", a, err)
		}
		if _, err := f.People.Authenticate(ctx, tok+"x"); !errors.Is(err, people.ErrUnauthenticated) {
			t.Errorf("wrong token: %v", err)
		}
		if _, err := f.People.UpdateAgent(ctx, f.Admin, f.Light.ID, people.AgentInput{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.People.Authenticate(ctx, tok); !errors.Is(err, people.ErrUnauthenticated) {
			t.Errorf("deactivated agent's token still works: %v", err)
		}
		// The system's setting of the first password, the token, the deactivation.
		var n int
		if err := f.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action IN ('agent.update', 'token.create')").Scan(&n); err != nil || n != 3 {
			t.Errorf("audit rows = %d (%v)", n, err)
		}
	})
}

func TestContactSearchEscapesWildcards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		for _, em := range []string{"john_doe@x.test", "johnxdoe@x.test", "50%off@x.test"} {
			if _, err := f.People.CreateContact(ctx, f.Agent, people.ContactInput{Email: ptr(em)}); err != nil {
				t.Fatal(err)
			}
		}
		for q, want := range map[string]int{"john_": 1, "john": 2, "50%": 1, "%": 0} {
			list, err := f.People.ListContacts(ctx, q, 0, 0, 10)
			if err != nil || len(list) != want {
				t.Errorf("q %q: %d contacts (%v), want %d", q, len(list), err, want)
			}
		}
		_, err := f.People.CreateContact(ctx, f.Agent, people.ContactInput{Email: ptr("ok@x.test"), Emails: &[]string{"bad"}})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "emails[0]" {
			t.Errorf("bad second address: %v", err)
		}
	})
}
