// Package demo loads the demo data set: three teams, eight agents, forty
// organizations with three hundred contacts, and two thousand tickets over
// the last ninety days, with threads in English, Portuguese (Brazil),
// Spanish and Hebrew.
//
// Everything is written through the people and ticket services, so the
// events, the search index and the ticket numbers are the real ones. Each
// ticket operation is replayed at its historical time (ticket.WithNow), in
// chronological order across all tickets (see runner.replay), so ticket
// numbers, event and message ids follow time as they would have.
//
// The data is a function of the seed (math/rand/v2, PCG) and of one
// reference time: the start of the current day in UTC. The ninety-day
// window ends there, so a load on any hour of the same day with the same
// seed gives the same tickets, statuses and texts; only the wall-clock
// stamps the people service puts on agents and contacts differ.
package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/inbox"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/ticket"
)

// Options configure the demo loader.
type Options struct {
	// Seed picks the data set; 0 means 1. The same seed gives the same data.
	Seed int64
}

// Login is a demo agent's sign-in.
type Login struct {
	Email, Password, Role string
}

// Result summarises what was loaded.
type Result struct {
	Tickets, Contacts, Organizations, Teams int
	// Articles is the number of help centre articles written.
	Articles int
	// Macros is the number of shared macros (feature kbmacros).
	Macros int
	Logins []Login
	Token  string
}

// Empty reports whether the database has no tickets.
func Empty(ctx context.Context, a *app.App) (bool, error) {
	var n int
	err := a.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM tickets LIMIT 1) x`).Scan(&n)
	return n == 0, err
}

// stateKey records in settings whether the demo finished loading, so an
// interrupted load is recognised instead of passing for the demo.
const stateKey = "demo_state"

func setState(ctx context.Context, a *app.App, state string) error {
	_, err := a.DB.Write().Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, stateKey, state)
	if err != nil {
		return fmt.Errorf("demo state: %w", err)
	}
	return nil
}

// Interrupted reports whether a demo load began and did not finish.
func Interrupted(ctx context.Context, a *app.App) (bool, error) {
	var state string
	err := a.DB.Read().QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, stateKey).Scan(&state)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("demo state: %w", err)
	}
	return state == "loading", nil
}

// Load loads the demo data into an empty database (see Empty). It takes
// some seconds: about ten thousand service calls, each its own
// transaction. If it is interrupted before the first ticket, loading again
// reuses the teams, agents, organizations and contacts already written.
func Load(ctx context.Context, a *app.App, o Options) (*Result, error) {
	return load(ctx, a, o, time.Now())
}

// notifyWindow: changes this close to the reference time go through the
// ticket service as they are, follow-up jobs included, so agents find a
// few fresh notifications. Older history is replayed without the
// follow-up hook: nobody should be notified today about a reply from
// two months ago (and it saves thousands of queued jobs).
const notifyWindow = 48 * time.Hour

// replayWorkers is how many operations run at once. PostgreSQL spends
// most of each call waiting on round trips and commits, so overlapping
// four halves the load (about 29 s down to 13 s here); SQLite has a
// single writer and gains little, so it replays one at a time and its
// event and message ids follow time exactly.
var replayWorkers = func(e store.Engine) int {
	if e == store.Postgres {
		return 4
	}
	return 1
}

func load(ctx context.Context, a *app.App, o Options, now time.Time) (*Result, error) {
	started := time.Now()
	seed := o.Seed
	if seed == 0 {
		seed = 1
	}
	pl := makePlan(seed, now.UTC().Truncate(24*time.Hour))
	if err := setState(ctx, a, "loading"); err != nil {
		return nil, err
	}
	r, res, err := setup(ctx, a, pl)
	if err != nil {
		return nil, err
	}
	if err := r.replay(ctx, pl.Ops, replayWorkers(a.DB.Engine)); err != nil {
		return nil, err
	}
	// Rules (issue 6) act on the tickets that come after the history.
	if err := createRules(ctx, a, r.teams); err != nil {
		return nil, err
	}
	// Most of the history was replayed without the follow-up hooks (no
	// mail for last month's tickets), so the reports' summary is filed
	// once for all of it.
	if err := a.Reports.Rebuild(ctx, false, nil); err != nil {
		return nil, fmt.Errorf("demo: reports summary: %w", err)
	}
	if err := setState(ctx, a, "loaded"); err != nil {
		return nil, err
	}
	if err := a.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&res.Tickets); err != nil {
		return nil, fmt.Errorf("demo: count tickets: %w", err)
	}
	a.Log.Info("demo loaded", "tickets", res.Tickets, "operations", len(pl.Ops), "seed", seed, "took", time.Since(started).Round(time.Millisecond))
	return res, nil
}

// setup finds or creates the cast, the custom statuses and fields, and an
// API token for the admin, and returns the runner for the tickets.
func setup(ctx context.Context, a *app.App, pl *plan) (*runner, *Result, error) {
	r := &runner{live: a.Tickets, liveFrom: pl.Ref.Add(-notifyWindow), ids: make([]int64, pl.Slots)}
	quiet := *a.Tickets
	quiet.FollowUp = nil
	r.quiet = &quiet
	res := &Result{}
	var err error
	if r.teams, err = createTeams(ctx, a); err != nil {
		return nil, nil, err
	}
	res.Teams = len(r.teams)
	if r.agents, err = createAgents(ctx, a, r.teams); err != nil {
		return nil, nil, err
	}
	for i, s := range agentSpecs {
		res.Logins = append(res.Logins, Login{Email: s.Email, Password: DemoPassword, Role: r.agents[i].Role})
	}
	if res.Token, err = a.People.CreateToken(ctx, auth.System, r.agents[adminAgent].ID, "demo"); err != nil {
		return nil, nil, fmt.Errorf("demo token: %w", err)
	}
	if err := createStatusesAndFields(ctx, a); err != nil {
		return nil, nil, err
	}
	if r.inboxes, err = createInboxes(ctx, a); err != nil {
		return nil, nil, err
	}
	if err := createSLA(ctx, a); err != nil {
		return nil, nil, err
	}
	if res.Articles, err = createHelpCentre(ctx, a, r.agents[adminAgent]); err != nil {
		return nil, nil, err
	}
	if res.Macros, err = createMacros(ctx, a, r.teams); err != nil { // feature kbmacros
		return nil, nil, err
	}
	orgIDs, err := createOrganizations(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	res.Organizations = len(orgIDs)
	if r.contacts, err = createContacts(ctx, a, pl.Contacts, orgIDs); err != nil {
		return nil, nil, err
	}
	res.Contacts = len(r.contacts)
	return r, res, nil
}

// Logins returns the demo agents' sign-ins if the demo data is loaded: the
// agents with the demo addresses whose password is still the demo one
// (checked a few at a time: each check is a memory-hard hash).
func Logins(ctx context.Context, a *app.App) (*Result, error) {
	found := make([]*Login, len(agentSpecs))
	errs := make([]error, len(agentSpecs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, s := range agentSpecs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			act, err := a.People.CheckPassword(ctx, s.Email, DemoPassword)
			switch {
			case errors.Is(err, people.ErrUnauthenticated):
				// absent, deactivated, or its password changed since
			case err != nil:
				errs[i] = err
			default:
				found[i] = &Login{Email: act.Email, Password: DemoPassword, Role: act.Role}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("demo logins: %w", err)
	}
	res := &Result{}
	for _, l := range found {
		if l != nil {
			res.Logins = append(res.Logins, *l)
		}
	}
	return res, nil
}

// The cast is found or created: a load interrupted before its first
// ticket leaves the database "empty" (Empty looks at tickets), and the next
// start must be able to load again over what was already written.

// inboxSpecs are the demo's inboxes, by the channel whose tickets they
// receive. The mailbox has no IMAP account: the demo reaches no mail server.
var inboxSpecs = []struct{ Channel, Name, Kind, Address string }{
	{"email", "Support mailbox", "email", "support@tessera.example"},
	{"web", "Help centre form", "web", ""},
	{"api", "Partner API", "api", ""},
}

func createInboxes(ctx context.Context, a *app.App) (map[string]int64, error) {
	existing, err := a.Inboxes.List(ctx, auth.System)
	if err != nil {
		return nil, fmt.Errorf("demo inboxes: %w", err)
	}
	out := map[string]int64{}
	for _, s := range inboxSpecs {
		if j := slices.IndexFunc(existing, func(b inbox.Inbox) bool { return strings.EqualFold(b.Name, s.Name) }); j >= 0 {
			out[s.Channel] = existing[j].ID
			continue
		}
		b, err := a.Inboxes.Create(ctx, auth.System, inbox.Input{Name: &s.Name, Kind: &s.Kind, Address: &s.Address})
		if err != nil {
			return nil, fmt.Errorf("demo inbox %s: %w", s.Name, err)
		}
		out[s.Channel] = b.ID
	}
	return out, nil
}

func createTeams(ctx context.Context, a *app.App) ([]int64, error) {
	existing, err := a.People.ListTeams(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo teams: %w", err)
	}
	ids := make([]int64, len(teamSpecs))
	for i, s := range teamSpecs {
		if j := slices.IndexFunc(existing, func(t people.Team) bool { return strings.EqualFold(t.Name, s.Name) }); j >= 0 {
			ids[i] = existing[j].ID
			continue
		}
		t, err := a.People.CreateTeam(ctx, auth.System, people.TeamInput{Name: &s.Name, Description: &s.Description, Tier: &s.Tier})
		if err != nil {
			return nil, fmt.Errorf("demo team %s: %w", s.Name, err)
		}
		ids[i] = t.ID
	}
	return ids, nil
}

func createAgents(ctx context.Context, a *app.App, teams []int64) ([]auth.Actor, error) {
	out := make([]auth.Actor, len(agentSpecs))
	pw := DemoPassword
	for i, s := range agentSpecs {
		ag, err := a.People.AgentByEmail(ctx, s.Email)
		if errors.Is(err, store.ErrNotFound) {
			tids := make([]int64, len(s.Teams))
			for j, t := range s.Teams {
				tids[j] = teams[t]
			}
			ag, err = a.People.CreateAgent(ctx, auth.System, people.AgentInput{Email: &s.Email, Name: &s.Name, Role: &s.Role,
				Password: &pw, Language: &s.Lang, TimeZone: &s.TZ, TeamIDs: &tids})
		}
		if err != nil {
			return nil, fmt.Errorf("demo agent %s: %w", s.Email, err)
		}
		if ag.Role != s.Role || !ag.Active {
			return nil, fmt.Errorf("demo agent %s exists as an inactive or %s agent", s.Email, ag.Role)
		}
		out[i] = people.ActorOf(ag)
	}
	return out, nil
}

func createStatusesAndFields(ctx context.Context, a *app.App) error {
	sts, err := a.Tickets.Statuses(ctx)
	if err != nil {
		return fmt.Errorf("demo statuses: %w", err)
	}
	for _, st := range demoStatuses {
		if slices.ContainsFunc(sts, func(x ticket.Status) bool { return x.Key == st.Key }) {
			continue
		}
		if _, err := a.Tickets.CreateStatus(ctx, auth.System, st); err != nil {
			return fmt.Errorf("demo status %s: %w", st.Key, err)
		}
	}
	defs, err := a.Tickets.Fields(ctx)
	if err != nil {
		return fmt.Errorf("demo fields: %w", err)
	}
	for _, f := range demoFields {
		if slices.ContainsFunc(defs, func(x ticket.FieldDef) bool { return x.Key == f.Key }) {
			continue
		}
		if _, err := a.Tickets.CreateField(ctx, auth.System, f); err != nil {
			return fmt.Errorf("demo field %s: %w", f.Key, err)
		}
	}
	return nil
}

func createOrganizations(ctx context.Context, a *app.App) ([]int64, error) {
	byName := map[string]int64{}
	for after := int64(0); ; {
		page, err := a.People.ListOrganizations(ctx, after, 100)
		if err != nil {
			return nil, fmt.Errorf("demo organizations: %w", err)
		}
		for _, o := range page {
			byName[strings.ToLower(o.Name)] = o.ID
			after = o.ID
		}
		if len(page) < 100 {
			break
		}
	}
	ids := make([]int64, len(orgSpecs))
	for i, s := range orgSpecs {
		if id, ok := byName[strings.ToLower(s.Name)]; ok {
			ids[i] = id
			continue
		}
		domains := []string{s.Domain()}
		o, err := a.People.CreateOrganization(ctx, auth.System, people.OrganizationInput{Name: &s.Name, Domains: &domains})
		if err != nil {
			return nil, fmt.Errorf("demo organization %s: %w", s.Name, err)
		}
		ids[i] = o.ID
	}
	return ids, nil
}

func createContacts(ctx context.Context, a *app.App, cs []contactSpec, orgIDs []int64) ([]auth.Actor, error) {
	existing := map[string]int64{}
	rows, err := a.DB.Read().Query(ctx, `SELECT value, contact_id FROM contact_identities WHERE kind = 'email' AND value LIKE '%.example'`)
	if err != nil {
		return nil, fmt.Errorf("demo contacts: %w", err)
	}
	for rows.Next() {
		var email string
		var id int64
		if err := rows.Scan(&email, &id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("demo contacts: %w", err)
		}
		existing[email] = id
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("demo contacts: %w", err)
	}
	out := make([]auth.Actor, len(cs))
	for i, c := range cs {
		id, ok := existing[c.Email]
		if !ok {
			in := people.ContactInput{Name: &c.Full, Email: &c.Email, OrganizationID: &orgIDs[c.Org], Language: &c.Lang, TimeZone: &c.TZ}
			if c.Phone != "" {
				in.Phones = &[]string{c.Phone}
			}
			if c.Tier != "" {
				in.Tier = &c.Tier
			}
			ct, err := a.People.CreateContact(ctx, auth.System, in)
			if err != nil {
				return nil, fmt.Errorf("demo contact %s: %w", c.Email, err)
			}
			id = ct.ID
		}
		out[i] = auth.Actor{Kind: auth.KindContact, ID: id, Name: c.Full, Email: c.Email}
	}
	return out, nil
}

// runner performs the planned operations through the ticket service.
type runner struct {
	live, quiet *ticket.Service
	liveFrom    time.Time
	agents      []auth.Actor
	teams       []int64
	contacts    []auth.Actor
	ids         []int64          // ticket id of each slot, once created
	inboxes     map[string]int64 // inbox of each channel that has one
}

// replay performs the operations in order. With more than one worker,
// operations of different tickets overlap, but never in a way that could
// change the result: a ticket's operations stay in order, a merge or link
// waits for both tickets, and tickets are created one after the other in
// plan order, so their numbers are the same as in a sequential replay.
func (r *runner) replay(ctx context.Context, ops []op, workers int) error {
	if workers <= 1 {
		for _, o := range ops {
			if err := r.do(ctx, o); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	close(done)
	last := make([]chan struct{}, len(r.ids)) // per slot, its latest operation
	for i := range last {
		last[i] = done
	}
	lastCreate := done
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for _, o := range ops {
		deps := []chan struct{}{last[o.Slot]}
		creates := o.Kind == opCreate || o.Kind == opCustomer && o.Other >= 0
		if creates {
			deps = append(deps, lastCreate)
		}
		if o.Other >= 0 {
			deps = append(deps, last[o.Other])
		}
		me := make(chan struct{})
		last[o.Slot] = me
		if o.Other >= 0 {
			last[o.Other] = me
		}
		if creates {
			lastCreate = me
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			close(me)
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			defer close(me)
			for _, d := range deps {
				select {
				case <-d:
				case <-ctx.Done():
					return
				}
			}
			if ctx.Err() == nil {
				if err := r.do(ctx, o); err != nil {
					cancel(err)
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

func (r *runner) do(ctx context.Context, o op) error {
	ctx = ticket.WithNow(ctx, o.At)
	svc := r.quiet
	if !o.At.Before(r.liveFrom) {
		svc = r.live
	}
	actor := auth.System
	if o.Agent >= 0 {
		actor = r.agents[o.Agent]
	}
	var err error
	switch o.Kind {
	case opCreate:
		in := ticket.CreateInput{Subject: o.Subject, Body: o.Body, Requester: &ticket.RequesterInput{ID: r.contacts[o.Contact].ID},
			Priority: o.Priority, Type: o.Type, Channel: o.Channel, Tags: o.Tags, CustomFields: o.Fields}
		if o.Team >= 0 {
			in.TeamID = &r.teams[o.Team]
		}
		if id, ok := r.inboxes[o.Channel]; ok {
			in.InboxID = &id
		}
		if o.Assignee >= 0 {
			in.AssigneeID = &r.agents[o.Assignee].ID
		}
		var t ticket.Ticket
		if t, err = svc.Create(ctx, actor, in); err == nil {
			r.ids[o.Slot] = t.ID
		}
	case opReply, opNote:
		kind := ticket.KindReply
		if o.Kind == opNote {
			kind = ticket.KindNote
		}
		_, err = svc.AddMessage(ctx, actor, r.ids[o.Slot], ticket.MessageInput{Kind: kind, Body: o.Body, Status: o.Status, Channel: o.Channel})
	case opCustomer:
		var res ticket.MessageResult
		res, err = svc.AddMessage(ctx, r.contacts[o.Contact], r.ids[o.Slot], ticket.MessageInput{Kind: ticket.KindReply, Body: o.Body, Channel: o.Channel})
		if err == nil && o.Other >= 0 {
			if !res.FollowUp {
				err = errors.New("the reply opened no follow-up ticket")
			}
			r.ids[o.Other] = res.TicketID
		}
	case opUpdate:
		in := ticket.UpdateInput{AddTags: o.Tags, CustomFields: o.Fields}
		if o.Team >= 0 {
			in.TeamID = ticket.Optional[int64]{Set: true, Value: &r.teams[o.Team]}
		}
		if o.Assignee >= 0 {
			in.AssigneeID = ticket.Optional[int64]{Set: true, Value: &r.agents[o.Assignee].ID}
		}
		if o.Priority != "" {
			in.Priority = &o.Priority
		}
		_, err = svc.Update(ctx, actor, r.ids[o.Slot], in)
	case opClose:
		closed := ticket.StatusClosed
		_, err = svc.Update(ctx, auth.System, r.ids[o.Slot], ticket.UpdateInput{Status: &closed})
	case opMerge:
		_, err = svc.Merge(ctx, actor, r.ids[o.Slot], r.ids[o.Other])
	case opLink:
		_, err = svc.Link(ctx, actor, r.ids[o.Slot], r.ids[o.Other])
	}
	if err != nil {
		return fmt.Errorf("demo: %s of ticket %d (slot %d) at %s: %w", o.Kind, r.ids[o.Slot], o.Slot, o.At.Format(time.RFC3339), err)
	}
	return nil
}
