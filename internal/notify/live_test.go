package notify

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// The hub sits below the ticket service (jobs imports notify), so these
// tests write the few rows they need directly.
type liveFixture struct {
	team, agent, agent2, ticket, other int64
}

func seedLive(t *testing.T, db *store.DB) liveFixture {
	t.Helper()
	ctx := context.Background()
	now := store.Now()
	var f liveFixture
	one := func(dst *int64, q string, args ...any) {
		t.Helper()
		if err := db.Write().QueryRow(ctx, q, args...).Scan(dst); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	one(&f.team, `INSERT INTO teams (name, created_at) VALUES ('Support', $1) RETURNING id`, now)
	one(&f.agent, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('a@example.com', 'Aldo', 'agent', $1, $1) RETURNING id`, now)
	one(&f.agent2, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('b@example.com', 'Bea', 'agent', $1, $1) RETURNING id`, now)
	var contact int64
	one(&contact, `INSERT INTO contacts (name, created_at, updated_at) VALUES ('Carla', $1, $1) RETURNING id`, now)
	ticket := `INSERT INTO tickets (number, subject, status, status_category, priority, channel, requester_id, team_id, assignee_id, created_at, updated_at)
		VALUES ($1, 'Printer on fire', 'open', 'open', 'normal', 'email', $2, $3, $4, $5, $5) RETURNING id`
	one(&f.ticket, ticket, 1001, contact, f.team, f.agent, now)
	one(&f.other, ticket, 1002, contact, nil, nil, now)
	return f
}

func addEvents(t *testing.T, db *store.DB, ticketID int64, types ...string) {
	t.Helper()
	q := `INSERT INTO ticket_events (ticket_id, type, actor_kind, actor_id, field, old_value, new_value, created_at) VALUES `
	var args []any
	for i, typ := range types {
		if i > 0 {
			q += ", "
		}
		n := len(args)
		q += fmt.Sprintf("($%d, $%d, 'agent', 7, $%d, $%d, '', $%d)", n+1, n+2, n+3, n+4, n+5)
		field, old := "", ""
		if typ == "field_changed" {
			field, old = "team_id", "42"
		}
		args = append(args, ticketID, typ, field, old, store.Now())
	}
	if _, err := db.Write().Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("insert events: %v", err)
	}
}

// startHub runs a hub until the test ends and waits until it has its
// starting position.
func startHub(t *testing.T, db *store.DB, log *slog.Logger) *Hub {
	t.Helper()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Hub{DB: db, Interval: 20 * time.Millisecond, Log: log}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	select {
	case <-h.Ready():
	case err := <-done:
		t.Fatalf("hub ended before it was ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("hub not ready")
	}
	return h
}

// next waits for the first signal that match accepts, skipping others.
func next(t *testing.T, ch <-chan Signal, what string, match func(Signal) bool) Signal {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case s, ok := <-ch:
			if !ok {
				t.Fatalf("waiting for %s: channel closed", what)
			}
			if match(s) {
				return s
			}
		case <-timeout:
			t.Fatalf("no %s within 10s", what)
		}
	}
}

func isKind(kind string, ticketID int64) func(Signal) bool {
	return func(s Signal) bool { return s.Kind == kind && s.TicketID == ticketID }
}

func TestHubTicketEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		f := seedLive(t, db)
		addEvents(t, db, f.other, "created") // history: not replayed
		h := startHub(t, db, nil)
		ch, unsubscribe := h.Subscribe()
		defer unsubscribe()

		addEvents(t, db, f.ticket, "note_added", "field_changed", "reply_added")
		s := next(t, ch, "ticket signal", func(s Signal) bool { return s.Kind == KindTicket })
		if s.TicketID != f.ticket {
			t.Fatalf("first ticket signal is for ticket %d, want %d (history replayed?)", s.TicketID, f.ticket)
		}
		if s.EventType != "reply_added" || s.ActorKind != "agent" || s.ActorID != 7 {
			t.Errorf("signal = %+v, want the latest event reply_added by agent 7", s)
		}
		if s.TeamID == nil || *s.TeamID != f.team || s.AssigneeID == nil || *s.AssigneeID != f.agent {
			t.Errorf("team/assignee = %v/%v, want %d/%d", s.TeamID, s.AssigneeID, f.team, f.agent)
		}
		if s.FormerTeamID == nil || *s.FormerTeamID != 42 {
			t.Errorf("former team = %v, want 42", s.FormerTeamID)
		}
		if s.At.IsZero() || s.Seq == 0 {
			t.Errorf("signal without time or sequence: %+v", s)
		}

		// The three events were one insert: one signal. The next one must
		// be the next change, not a leftover of the first.
		addEvents(t, db, f.other, "priority_set_by_rule")
		s2 := next(t, ch, "second ticket signal", func(s Signal) bool { return s.Kind == KindTicket })
		if s2.TicketID != f.other || s2.EventType != "priority_set_by_rule" || s2.TeamID != nil || s2.Seq <= s.Seq {
			t.Errorf("second signal = %+v, want ticket %d priority_set_by_rule, no team, later seq", s2, f.other)
		}
	})
}

// TestHubTwoServers runs two hubs on one database, as two tessera serve
// instances would: presence written through one reaches the other.
func TestHubTwoServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		url := storetest.URL(t, e)
		var dbs [2]*store.DB
		for i := range dbs {
			db, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			dbs[i] = db
		}
		if err := dbs[0].Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		f := seedLive(t, dbs[0])
		hubs := [2]*Hub{startHub(t, dbs[0], nil), startHub(t, dbs[1], nil)}
		ch0, unsub0 := hubs[0].Subscribe()
		defer unsub0()
		ch1, unsub1 := hubs[1].Subscribe()
		defer unsub1()

		if err := hubs[1].Heartbeat(ctx, f.ticket, f.agent, "tab-1", false); err != nil {
			t.Fatal(err)
		}
		s := next(t, ch0, "presence on server 0", isKind(KindPresence, f.ticket))
		if s.AgentID != f.agent || s.TeamID == nil || *s.TeamID != f.team {
			t.Errorf("presence signal = %+v", s)
		}
		if err := hubs[0].Heartbeat(ctx, f.other, f.agent2, "tab-2", true); err != nil {
			t.Fatal(err)
		}
		s = next(t, ch1, "presence on server 1", isKind(KindPresence, f.other))
		if s.AgentID != f.agent2 {
			t.Errorf("presence signal = %+v", s)
		}

		// A ticket change written by either server reaches both.
		addEvents(t, dbs[1], f.ticket, "note_added")
		next(t, ch0, "ticket signal on server 0", isKind(KindTicket, f.ticket))
		next(t, ch1, "ticket signal on server 1", isKind(KindTicket, f.ticket))
	})
}

func TestHubSlowSubscriber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		h := startHub(t, db, nil)
		slow, unsubSlow := h.Subscribe()
		defer unsubSlow()

		// More than the buffer holds, handed to the fan-out directly: the
		// database has no part in how a slow reader is treated.
		const n = subscriberBuffer + 50
		sigs := make([]Signal, n)
		for i := range sigs {
			sigs[i] = Signal{Kind: KindTicket, TicketID: int64(i + 1)}
		}
		sent := make(chan struct{})
		go func() {
			h.send(sigs)
			close(sent)
		}()
		select {
		case <-sent:
		case <-time.After(10 * time.Second):
			t.Fatal("send blocked on a slow subscriber")
		}

		for i := range subscriberBuffer {
			s := <-slow
			if s.Kind != KindTicket || s.TicketID != int64(i+1) {
				t.Fatalf("slow subscriber's signal %d = %+v", i, s)
			}
		}
		// Room again: the polling loop hands over the resync without any
		// new signal to carry it.
		s := next(t, slow, "resync", func(Signal) bool { return true })
		if s.Kind != KindResync {
			t.Fatalf("after the buffer the slow subscriber got %+v, want a resync", s)
		}
		h.send([]Signal{{Kind: KindTicket, TicketID: 999}})
		s = next(t, slow, "signal after resync", func(Signal) bool { return true })
		if s.Kind != KindTicket || s.TicketID != 999 {
			t.Fatalf("after the resync got %+v", s)
		}
	})
}

func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRow(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestViewersAndTyping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, e)
		f := seedLive(t, db)
		h := &Hub{DB: db}

		beat := func(agent int64, client string, typing bool) {
			t.Helper()
			if err := h.Heartbeat(ctx, f.ticket, agent, client, typing); err != nil {
				t.Fatal(err)
			}
		}
		viewers := func() []Viewer {
			t.Helper()
			vs, err := h.Viewers(ctx, f.ticket)
			if err != nil {
				t.Fatal(err)
			}
			return vs
		}

		beat(f.agent, "a1", false)
		beat(f.agent, "a2", true)
		beat(f.agent2, "b1", false)
		if n := countRows(t, db, "live_signals"); n != 3 {
			t.Errorf("%d signals for three new tabs, want 3", n)
		}
		vs := viewers()
		want := []Viewer{{f.agent, "Aldo", true}, {f.agent2, "Bea", false}}
		if len(vs) != 2 || vs[0] != want[0] || vs[1] != want[1] {
			t.Fatalf("viewers = %+v, want %+v", vs, want)
		}

		// A heartbeat that changes nothing is not announced.
		beat(f.agent, "a1", false)
		beat(f.agent2, "b1", false)
		if n := countRows(t, db, "live_signals"); n != 3 {
			t.Errorf("%d signals after unchanged heartbeats, want 3", n)
		}
		beat(f.agent2, "b1", true)
		beat(f.agent, "a2", false)
		if n := countRows(t, db, "live_signals"); n != 5 {
			t.Errorf("%d signals after two typing changes, want 5", n)
		}
		if vs := viewers(); !vs[1].Typing || vs[0].Typing {
			t.Errorf("viewers after typing changes = %+v", vs)
		}

		// A tab gone quiet for longer than ViewerTimeout no longer counts,
		// and its next heartbeat announces it again.
		old := store.Now().Add(-ViewerTimeout - time.Second)
		if _, err := db.Write().Exec(ctx, `UPDATE presence SET seen_at = $1 WHERE agent_id = $2`, old, f.agent2); err != nil {
			t.Fatal(err)
		}
		if vs := viewers(); len(vs) != 1 || vs[0].AgentID != f.agent {
			t.Errorf("viewers with a stale tab = %+v", vs)
		}
		beat(f.agent2, "b1", true)
		if n := countRows(t, db, "live_signals"); n != 6 {
			t.Errorf("%d signals after a stale tab came back, want 6", n)
		}

		if err := h.Leave(ctx, f.ticket, f.agent, "a1"); err != nil {
			t.Fatal(err)
		}
		if err := h.Leave(ctx, f.ticket, f.agent, "a2"); err != nil {
			t.Fatal(err)
		}
		if err := h.Leave(ctx, f.ticket, f.agent, "never-there"); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, db, "live_signals"); n != 8 {
			t.Errorf("%d signals after two leaves, want 8", n)
		}
		if vs := viewers(); len(vs) != 1 || vs[0] != (Viewer{f.agent2, "Bea", true}) {
			t.Errorf("viewers after leaving = %+v", vs)
		}

		if err := h.Heartbeat(ctx, 999999, f.agent, "x", false); err == nil {
			t.Error("heartbeat on a missing ticket succeeded")
		}
	})
}

func TestPurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, e)
		f := seedLive(t, db)
		now := store.Now()
		presence := func(ticket, agent int64, client string, seen time.Time) {
			t.Helper()
			if _, err := db.Write().Exec(ctx, `INSERT INTO presence (ticket_id, agent_id, client_id, typing, seen_at) VALUES ($1, $2, $3, $4, $5)`,
				ticket, agent, client, false, seen); err != nil {
				t.Fatal(err)
			}
		}
		presence(f.ticket, f.agent, "went-stale", now.Add(-50*time.Second))
		presence(f.ticket, f.agent2, "fresh", now.Add(-10*time.Second))
		presence(f.other, f.agent, "long-gone", now.Add(-3*time.Minute))
		for _, age := range []time.Duration{11 * time.Minute, time.Minute} {
			if err := insertSignal(ctx, db.Write(), f.ticket, f.agent, KindPresence, now.Add(-age)); err != nil {
				t.Fatal(err)
			}
		}

		// Without Run, the test owns the hub's purge state.
		h := &Hub{DB: db}
		h.init()
		h.lastPurge = now.Add(-time.Minute)
		ch, unsubscribe := h.Subscribe()
		defer unsubscribe()
		if err := h.purge(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case s := <-ch:
			if s.Kind != KindPresence || s.TicketID != f.ticket || s.AgentID != f.agent {
				t.Errorf("stale signal = %+v, want presence of ticket %d", s, f.ticket)
			}
		default:
			t.Fatal("no signal for the viewer that went stale")
		}
		select {
		case s := <-ch:
			t.Errorf("unexpected second signal %+v (the long-gone tab was announced by an earlier purge)", s)
		default:
		}
		if n := countRows(t, db, "presence"); n != 2 {
			t.Errorf("%d presence rows after purge, want 2", n)
		}
		if n := countRows(t, db, "live_signals"); n != 1 {
			t.Errorf("%d live signals after purge, want 1", n)
		}

		// Announced once: the next purge is quiet.
		if err := h.purge(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case s := <-ch:
			t.Errorf("stale viewer announced twice: %+v", s)
		default:
		}
	})
}

// TestStaleViewerWhileRunning checks that the running hub's periodic purge
// announces a viewer that goes stale.
func TestStaleViewerWhileRunning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, e)
		f := seedLive(t, db)
		h := &Hub{DB: db, Interval: 20 * time.Millisecond, Log: slog.New(slog.DiscardHandler), purgeEvery: 20 * time.Millisecond}
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- h.Run(rctx) }()
		defer func() { cancel(); <-done }()
		<-h.Ready()
		ch, unsubscribe := h.Subscribe()
		defer unsubscribe()

		// Goes stale a moment from now.
		seen := store.Now().Add(-ViewerTimeout + 100*time.Millisecond)
		if _, err := db.Write().Exec(ctx, `INSERT INTO presence (ticket_id, agent_id, client_id, typing, seen_at) VALUES ($1, $2, 'tab', $3, $4)`,
			f.ticket, f.agent, false, seen); err != nil {
			t.Fatal(err)
		}
		next(t, ch, "stale viewer signal", isKind(KindPresence, f.ticket))
	})
}

// recordHandler keeps the messages of the records logged.
type recordHandler struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (r *recordHandler) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recordHandler) WithGroup(string) slog.Handler            { return r }
func (r *recordHandler) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}

func (r *recordHandler) has(msg string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.msgs {
		if m == msg {
			return true
		}
	}
	return false
}

// TestHubSurvivesDatabaseErrors takes a table away under the running hub
// and gives it back: the hub logs, waits, and carries on.
func TestHubSurvivesDatabaseErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, e)
		f := seedLive(t, db)
		rec := &recordHandler{}
		h := startHub(t, db, slog.New(rec))
		ch, unsubscribe := h.Subscribe()
		defer unsubscribe()

		if _, err := db.Write().Exec(ctx, `ALTER TABLE live_signals RENAME TO live_signals_away`); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !rec.has("live hub: poll") {
			if time.Now().After(deadline) {
				t.Fatal("no poll error logged while the table was away")
			}
			time.Sleep(10 * time.Millisecond)
		}
		if _, err := db.Write().Exec(ctx, `ALTER TABLE live_signals_away RENAME TO live_signals`); err != nil {
			t.Fatal(err)
		}
		if err := h.Heartbeat(ctx, f.ticket, f.agent, "tab", false); err != nil {
			t.Fatal(err)
		}
		next(t, ch, "presence after recovery", isKind(KindPresence, f.ticket))
	})
}

// TestHubLateCommit: on PostgreSQL a transaction can take an event id, and
// commit after a later id was read; the hub must still deliver it.
func TestHubLateCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		if e != store.Postgres {
			t.Skip("SQLite's single writer commits ids in order")
		}
		ctx := context.Background()
		db := storetest.Open(t, e)
		f := seedLive(t, db)
		h := startHub(t, db, nil)
		ch, unsubscribe := h.Subscribe()
		defer unsubscribe()

		inserted, commit, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO ticket_events (ticket_id, type, actor_kind, created_at) VALUES ($1, 'slow_change', 'system', $2)`, f.ticket, store.Now())
				close(inserted)
				<-commit
				return err
			})
		}()
		<-inserted
		addEvents(t, db, f.other, "quick_change")
		next(t, ch, "the later id", isKind(KindTicket, f.other))
		close(commit)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		s := next(t, ch, "the earlier id committed late", isKind(KindTicket, f.ticket))
		if s.EventType != "slow_change" {
			t.Errorf("late signal = %+v", s)
		}
	})
}
