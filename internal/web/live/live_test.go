package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/notify"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/web/live"
)

type fixture struct {
	*apptest.Fixture
	hub              *notify.Hub
	srv              *httptest.Server
	support, billing ticket.Ticket
	actors           map[string]auth.Actor
}

// setup runs a hub and serves the handlers; the test picks the signed-in
// actor per request with the X-Actor header, standing in for sessions.
func setup(t *testing.T, e store.Engine, configure func(*http.Server)) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{Fixture: apptest.New(t, e)}
	mk := func(team int64) ticket.Ticket {
		tk, err := f.Tickets.Create(ctx, f.Admin, ticket.CreateInput{Subject: "Printer", Body: "It is on fire", Requester: &ticket.RequesterInput{Email: "r@x.test"}, TeamID: &team})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	f.support, f.billing = mk(f.Support.ID), mk(f.Billing.ID)
	f.actors = map[string]auth.Actor{
		"agent": f.Agent, "agent2": f.Agent2, "team": f.TeamAgent,
		"contact": {Kind: auth.KindContact, ID: f.support.RequesterID},
	}

	f.hub = &notify.Hub{DB: f.DB, Interval: 20 * time.Millisecond, Log: slog.New(slog.DiscardHandler)}
	hctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.hub.Run(hctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-f.hub.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("hub not ready")
	}

	h := &live.Handler{Hub: f.hub, Log: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /events", h.Events)
	mux.HandleFunc("POST /tickets/{id}/presence", h.Presence)
	withActor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, ok := f.actors[r.Header.Get("X-Actor")]; ok {
			r = r.WithContext(auth.WithActor(r.Context(), a))
		}
		mux.ServeHTTP(w, r)
	})
	f.srv = httptest.NewUnstartedServer(withActor)
	if configure != nil {
		configure(f.srv.Config)
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

type event struct {
	name string
	data string
}

// stream opens /events as actor and returns its events as they come.
func (f *fixture) stream(t *testing.T, actor, query string) <-chan event {
	t.Helper()
	req, err := http.NewRequest("GET", f.srv.URL+"/events"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Actor", actor)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	// Registered after the server's Close, so it runs first: Close waits
	// for open requests.
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /events%s as %s: %s", query, actor, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("content type %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("cache control %q", cc)
	}
	ch := make(chan event, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					ch <- ev
				}
				ev = event{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			case strings.HasPrefix(line, "retry: "):
				ch <- event{name: "retry", data: strings.TrimPrefix(line, "retry: ")}
			}
		}
	}()
	return ch
}

func next(t *testing.T, ch <-chan event, name string) event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("stream closed while waiting for %s", name)
			}
			if ev.name == name {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s event within 10s", name)
		}
	}
}

type ticketData struct {
	TicketID  int64  `json:"ticket_id"`
	Type      string `json:"type"`
	ActorKind string `json:"actor_kind"`
	ActorID   int64  `json:"actor_id"`
}

type presenceData struct {
	TicketID int64 `json:"ticket_id"`
	Viewers  []struct {
		AgentID int64  `json:"agent_id"`
		Name    string `json:"name"`
		Typing  bool   `json:"typing"`
	} `json:"viewers"`
}

func decode[T any](t *testing.T, ev event) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(ev.data), &v); err != nil {
		t.Fatalf("%s event data %q: %v", ev.name, ev.data, err)
	}
	return v
}

func (f *fixture) post(t *testing.T, actor, path string, form url.Values) int {
	t.Helper()
	req, err := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Actor", actor)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func presencePath(id int64) string { return "/tickets/" + itoa(id) + "/presence" }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestStreamTicketAndPresence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		f := setup(t, e, nil)
		ch := f.stream(t, "agent", "?ticket="+itoa(f.support.ID))
		if ev := next(t, ch, "retry"); ev.data != "3000" {
			t.Errorf("retry %q", ev.data)
		}
		p := decode[presenceData](t, next(t, ch, "presence"))
		if p.TicketID != f.support.ID || len(p.Viewers) != 0 {
			t.Errorf("initial presence = %+v, want nobody on ticket %d", p, f.support.ID)
		}

		if code := f.post(t, "agent2", presencePath(f.support.ID), url.Values{"client_id": {"tab_1-a"}, "typing": {"1"}}); code != http.StatusNoContent {
			t.Fatalf("heartbeat: %d", code)
		}
		p = decode[presenceData](t, next(t, ch, "presence"))
		if len(p.Viewers) != 1 || p.Viewers[0].AgentID != f.Agent2.ID || p.Viewers[0].Name != "Bea Agent" || !p.Viewers[0].Typing {
			t.Errorf("presence after heartbeat = %+v", p)
		}
		if code := f.post(t, "agent2", presencePath(f.support.ID), url.Values{"client_id": {"tab_1-a"}, "leave": {"1"}}); code != http.StatusNoContent {
			t.Fatalf("leave: %d", code)
		}
		if p = decode[presenceData](t, next(t, ch, "presence")); len(p.Viewers) != 0 {
			t.Errorf("presence after leaving = %+v", p)
		}

		prio := "high"
		if _, err := f.Tickets.Update(ctx, f.Agent2, f.support.ID, ticket.UpdateInput{Priority: &prio}); err != nil {
			t.Fatal(err)
		}
		got := decode[ticketData](t, next(t, ch, "ticket"))
		want := ticketData{TicketID: f.support.ID, Type: ticket.EventField, ActorKind: auth.KindAgent, ActorID: f.Agent2.ID}
		if got != want {
			t.Errorf("ticket event = %+v, want %+v", got, want)
		}
	})
}

// TestStreamHidesOtherTeams: an agent limited to the Billing team hears of
// Billing's tickets, and of a ticket that leaves Billing, but not of
// Support's.
func TestStreamHidesOtherTeams(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		f := setup(t, e, nil)
		ch := f.stream(t, "team", "")
		next(t, ch, "retry")

		prio := "urgent"
		for _, id := range []int64{f.support.ID, f.billing.ID} {
			if _, err := f.Tickets.Update(ctx, f.Admin, id, ticket.UpdateInput{Priority: &prio}); err != nil {
				t.Fatal(err)
			}
		}
		// The Support change came first; the Billing one must be the first
		// this agent hears of.
		if got := decode[ticketData](t, next(t, ch, "ticket")); got.TicketID != f.billing.ID {
			t.Fatalf("team agent got an event of ticket %d, want only %d", got.TicketID, f.billing.ID)
		}

		support := f.Support.ID
		if _, err := f.Tickets.Update(ctx, f.Admin, f.billing.ID, ticket.UpdateInput{TeamID: ticket.Optional[int64]{Set: true, Value: &support}}); err != nil {
			t.Fatal(err)
		}
		if got := decode[ticketData](t, next(t, ch, "ticket")); got.TicketID != f.billing.ID {
			t.Fatalf("got %+v, want the ticket that left Billing", got)
		}
	})
}

func TestPresenceInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := setup(t, e, nil)
		path := presencePath(f.support.ID)
		for _, c := range []struct {
			name string
			path string
			form url.Values
			want int
		}{
			{"no client id", path, url.Values{}, 400},
			{"client id with a space", path, url.Values{"client_id": {"tab 1"}}, 400},
			{"client id with markup", path, url.Values{"client_id": {"<b>"}}, 400},
			{"client id too long", path, url.Values{"client_id": {strings.Repeat("a", 65)}}, 400},
			{"typing not a flag", path, url.Values{"client_id": {"t"}, "typing": {"yes"}}, 400},
			{"leave not a flag", path, url.Values{"client_id": {"t"}, "leave": {"true"}}, 400},
			{"ticket id not a number", "/tickets/abc/presence", url.Values{"client_id": {"t"}}, 400},
			{"ticket that does not exist", "/tickets/999999/presence", url.Values{"client_id": {"t"}}, 404},
			{"longest client id", path, url.Values{"client_id": {strings.Repeat("a", 64)}, "typing": {"0"}}, 204},
		} {
			if got := f.post(t, "agent", c.path, c.form); got != c.want {
				t.Errorf("%s: %d, want %d", c.name, got, c.want)
			}
		}
	})
}

func TestNonAgentsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := setup(t, e, nil)
		for _, actor := range []string{"contact", "nobody"} {
			req, _ := http.NewRequest("GET", f.srv.URL+"/events", nil)
			req.Header.Set("X-Actor", actor)
			resp, err := f.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("events as %s: %d, want 403", actor, resp.StatusCode)
			}
			if code := f.post(t, actor, presencePath(f.support.ID), url.Values{"client_id": {"t"}}); code != http.StatusForbidden {
				t.Errorf("presence as %s: %d, want 403", actor, code)
			}
		}
	})
}

// TestStreamOutlivesServerTimeouts: the server's read and write timeouts
// are meant for ordinary requests and must not cut an event stream.
func TestStreamOutlivesServerTimeouts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := setup(t, e, func(s *http.Server) {
			s.ReadTimeout, s.WriteTimeout = 200*time.Millisecond, 200*time.Millisecond
		})
		ch := f.stream(t, "agent", "")
		next(t, ch, "retry")
		time.Sleep(600 * time.Millisecond) // past both timeouts
		prio := "low"
		if _, err := f.Tickets.Update(context.Background(), f.Agent, f.support.ID, ticket.UpdateInput{Priority: &prio}); err != nil {
			t.Fatal(err)
		}
		next(t, ch, "ticket")
	})
}
