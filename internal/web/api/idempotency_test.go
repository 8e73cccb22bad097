package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

func TestIdempotencyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		body := map[string]any{"subject": "Retry me", "body": "Sent twice over a bad network.", "requester": map[string]any{"email": "retry@example.org"}}
		before := e.count("tickets")

		first := e.do("POST", "/api/v1/tickets", cAgent, body, "Idempotency-Key", "key-1")
		if first.Code != http.StatusCreated || first.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first: %s %v", first, first.Header)
		}
		second := e.do("POST", "/api/v1/tickets", cAgent, body, "Idempotency-Key", "key-1")
		if second.Code != http.StatusCreated || second.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %s %v", second, second.Header)
		}
		if !bytes.Equal(first.Body, second.Body) {
			t.Errorf("replayed body differs:\n%s\n%s", first.Body, second.Body)
		}
		for _, h := range []string{"Content-Type", "Location", "Cache-Control"} {
			if first.Header.Get(h) != second.Header.Get(h) {
				t.Errorf("replayed %s %q, first %q", h, second.Header.Get(h), first.Header.Get(h))
			}
		}
		if n := e.count("tickets"); n != before+1 {
			t.Errorf("%d tickets, want %d", n, before+1)
		}

		// The same key with another request is refused.
		other := map[string]any{"subject": "Another", "body": "Different body.", "requester": map[string]any{"email": "retry@example.org"}}
		p := checkField(t, e.do("POST", "/api/v1/tickets", cAgent, other, "Idempotency-Key", "key-1"), "Idempotency-Key")
		if p.Detail == "" {
			t.Error("no detail")
		}
		// ... also on another route.
		path := "/api/v1/tickets/" + fmt.Sprint(e.newTicket("Elsewhere", 0).ID) + "/messages"
		checkField(t, e.do("POST", path, cAgent, body, "Idempotency-Key", "key-1"), "Idempotency-Key")

		// Keys belong to one agent: another agent's same key is a new request.
		third := e.do("POST", "/api/v1/tickets", "agent2", body, "Idempotency-Key", "key-1")
		if third.Code != http.StatusCreated || third.Header.Get("Idempotent-Replayed") != "" || bytes.Equal(third.Body, first.Body) {
			t.Errorf("other agent: %s %v", third, third.Header)
		}
		if n := e.count("tickets"); n != before+3 { // + the "Elsewhere" ticket
			t.Errorf("%d tickets, want %d", n, before+3)
		}

		// A refused request does not use up its key: the corrected retry runs.
		bad := map[string]any{"subject": "Fixed later", "body": "b", "requester": map[string]any{"email": "retry@example.org"}, "priority": "asap"}
		checkField(t, e.do("POST", "/api/v1/tickets", cAgent, bad, "Idempotency-Key", "key-2"), "priority")
		bad["priority"] = "low"
		if r := e.do("POST", "/api/v1/tickets", cAgent, bad, "Idempotency-Key", "key-2"); r.Code != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("corrected retry: %s", r)
		}

		// Messages honour keys too.
		msg := map[string]any{"kind": "note", "body": "Only once"}
		m1 := e.do("POST", path, cAgent, msg, "Idempotency-Key", "note-1")
		m2 := e.do("POST", path, cAgent, msg, "Idempotency-Key", "note-1")
		if m1.Code != 201 || m2.Code != 201 || !bytes.Equal(m1.Body, m2.Body) || m2.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("message replay: %s / %s", m1, m2)
		}
		var n int
		_ = e.f.DB.Read().QueryRow(context.Background(), `SELECT COUNT(*) FROM messages WHERE body_text = 'Only once'`).Scan(&n)
		if n != 1 {
			t.Errorf("%d notes, want 1", n)
		}
	})
}

// TestIdempotencyConcurrent: simultaneous retries with one key create one
// ticket; the others are told to retry (409) or get the same answer.
func TestIdempotencyConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		srv := httptest.NewServer(e.h)
		defer srv.Close()
		body, _ := json.Marshal(map[string]any{"subject": "Concurrent", "body": "Many clicks.", "requester": map[string]any{"email": "click@example.org"}})
		before := e.count("tickets")
		const n = 12
		var wg sync.WaitGroup
		codes := make([]int, n)
		bodies := make([][]byte, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, _ := http.NewRequest("POST", srv.URL+"/api/v1/tickets", bytes.NewReader(body))
				r.Header.Set("Authorization", "Bearer "+e.tok[cAgent])
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Idempotency-Key", "same-key")
				<-start
				res, err := srv.Client().Do(r)
				if err != nil {
					t.Error(err)
					return
				}
				defer res.Body.Close()
				codes[i] = res.StatusCode
				bodies[i], _ = io.ReadAll(res.Body)
				if res.StatusCode == http.StatusConflict && res.Header.Get("Retry-After") == "" {
					t.Error("409 without Retry-After")
				}
			}()
		}
		close(start)
		wg.Wait()
		var created []byte
		for i, c := range codes {
			switch c {
			case http.StatusCreated:
				if created != nil && !bytes.Equal(created, bodies[i]) {
					t.Errorf("two different 201 answers:\n%s\n%s", created, bodies[i])
				}
				created = bodies[i]
			case http.StatusConflict:
			default:
				t.Errorf("request %d: %d %s", i, c, bodies[i])
			}
		}
		if got := e.count("tickets"); got != before+1 {
			t.Fatalf("%d tickets created by %d concurrent retries, want 1 (codes %v)", got-before, n, codes)
		}
		// Once the first has finished, a retry gets its answer.
		r := e.do("POST", "/api/v1/tickets", cAgent, body, "Idempotency-Key", "same-key")
		if r.Code != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "true" || (created != nil && !bytes.Equal(r.Body, created)) {
			t.Errorf("retry after the race: %s", r)
		}
	})
}

// cancelOnWrite cancels the request's context as soon as the response is
// written, as a client that hangs up right after the answer would.
type cancelOnWrite struct {
	*httptest.ResponseRecorder
	cancel context.CancelFunc
}

func (w cancelOnWrite) Write(b []byte) (int, error) {
	n, err := w.ResponseRecorder.Write(b)
	w.cancel()
	return n, err
}

// TestIdempotencyClientGone: a client that disconnects once its ticket is
// created must still find the answer under its key on retry, not a key
// stuck "in progress".
func TestIdempotencyClientGone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		body := map[string]any{"subject": "Hang up", "body": "Client goes away.", "requester": map[string]any{"email": "gone@example.org"}}
		ctx, cancel := context.WithCancel(context.Background())
		r := req("POST", "/api/v1/tickets", e.tok[cAgent], body, "Idempotency-Key", "gone-1").WithContext(ctx)
		w := cancelOnWrite{httptest.NewRecorder(), cancel}
		e.h.ServeHTTP(w, r)
		if w.Code != http.StatusCreated {
			t.Fatalf("first: %d %s", w.Code, w.Body)
		}
		retry := e.do("POST", "/api/v1/tickets", cAgent, body, "Idempotency-Key", "gone-1")
		if retry.Code != http.StatusCreated || retry.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(retry.Body, w.Body.Bytes()) {
			t.Errorf("retry: %s", retry)
		}
	})
}
