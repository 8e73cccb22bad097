package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"tessera/internal/app"
	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/validation"
	"tessera/internal/webhook"
)

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

// receiver is an httptest server that records what it is sent and answers
// with the next of its statuses (200 once they run out).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []received
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Header.Clone(), b})
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"ok":"maybe"}`))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) all() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

const secret = "s3cret-s3cret-s3cret"

func setup(t *testing.T, e store.Engine, url string, events ...string) (*apptest.Fixture, webhook.Webhook) {
	t.Helper()
	f := apptest.New(t, e)
	// Loopback receivers need the admin's permission.
	if _, err := f.Webhooks.Create(ctx, f.Admin, webhook.WebhookInput{URL: &url, Secret: ptr(secret), Events: &events}); err == nil {
		t.Fatal("a loopback URL was accepted without the admin setting")
	}
	if err := f.Webhooks.SetAllowPrivate(ctx, f.Admin, true); err != nil {
		t.Fatal(err)
	}
	h, err := f.Webhooks.Create(ctx, f.Admin, webhook.WebhookInput{URL: &url, Secret: ptr(secret), Events: &events})
	if err != nil {
		t.Fatal(err)
	}
	return f, h
}

// pending returns the ids of the deliveries waiting, oldest first.
func pending(t *testing.T, f *apptest.Fixture) []int64 {
	t.Helper()
	rows, err := f.DB.Read().Query(ctx, `SELECT id FROM webhook_deliveries WHERE status = 'pending' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func work(f *apptest.Fixture, id int64, attempt, max int) error {
	w := &webhook.Worker{S: f.Webhooks}
	return w.Work(ctx, &river.Job[webhook.DeliverArgs]{JobRow: &rivertype.JobRow{Attempt: attempt, MaxAttempts: max}, Args: webhook.DeliverArgs{DeliveryID: id}})
}

func TestDeliverySignedWithPayload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		r := newReceiver(t)
		f, h := setup(t, e, r.URL, webhook.TicketCreated, webhook.MessageCreated, webhook.NoteCreated, webhook.TicketAssigned, webhook.TicketSolved)
		tk, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "Pagamento recusado", Body: "O cartão foi recusado", Requester: &ticket.RequesterInput{Email: "c@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindNote, Body: "Check the gateway"}); err != nil {
			t.Fatal(err)
		}
		// Not subscribed: a priority change (ticket.updated).
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{Priority: ptr("high")}); err != nil {
			t.Fatal(err)
		}
		ids := pending(t, f)
		if len(ids) != 2 {
			t.Fatalf("%d deliveries, want 2 (created, note)", len(ids))
		}
		for _, id := range ids {
			if err := work(f, id, 1, 10); err != nil {
				t.Fatal(err)
			}
		}
		got := r.all()
		if len(got) != 2 {
			t.Fatalf("received %d", len(got))
		}
		for i, g := range got {
			if !webhook.Verify(secret, g.header.Get(webhook.HeaderSignature), g.header.Get(webhook.HeaderTimestamp), g.body, time.Now(), 5*time.Minute) {
				t.Errorf("delivery %d: signature does not verify", i)
			}
			if webhook.Verify("another-secret-xxxxx", g.header.Get(webhook.HeaderSignature), g.header.Get(webhook.HeaderTimestamp), g.body, time.Now(), 5*time.Minute) {
				t.Errorf("delivery %d verifies with a wrong secret", i)
			}
			if g.header.Get(webhook.HeaderDelivery) == "" || g.header.Get("Content-Type") != "application/json" {
				t.Errorf("headers %v", g.header)
			}
		}
		var p struct {
			ID      string         `json:"id"`
			Event   string         `json:"event"`
			Ticket  ticket.Ticket  `json:"ticket"`
			Message ticket.Message `json:"message"`
			Changes []ticket.Event `json:"changes"`
		}
		if err := json.Unmarshal(got[0].body, &p); err != nil {
			t.Fatal(err)
		}
		if p.Event != webhook.TicketCreated || p.Ticket.ID != tk.ID || p.Ticket.Subject != "Pagamento recusado" || p.Message.BodyText != "O cartão foi recusado" ||
			len(p.Changes) == 0 || p.Changes[0].Type != ticket.EventCreated || p.ID != got[0].header.Get(webhook.HeaderDelivery) {
			t.Errorf("created payload %s", got[0].body)
		}
		if err := json.Unmarshal(got[1].body, &p); err != nil {
			t.Fatal(err)
		}
		if p.Event != webhook.NoteCreated || p.Message.Kind != ticket.KindNote || p.Message.BodyText != "Check the gateway" || p.Ticket.Priority != "normal" && p.Ticket.Priority != "high" {
			t.Errorf("note payload %s", got[1].body)
		}
		// Assigning and solving: one delivery each.
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true, Value: &f.Agent2.ID}, Status: ptr("solved")}); err != nil {
			t.Fatal(err)
		}
		var events []string
		rows, _ := f.DB.Read().Query(ctx, `SELECT event FROM webhook_deliveries WHERE status = 'pending' ORDER BY event`)
		for rows.Next() {
			var ev string
			_ = rows.Scan(&ev)
			events = append(events, ev)
		}
		rows.Close()
		if !slices.Equal(events, []string{webhook.TicketAssigned, webhook.TicketSolved}) {
			t.Errorf("pending after assign+solve: %v", events)
		}
		// The log has each attempt.
		ds, err := f.Webhooks.Deliveries(ctx, f.Admin, h.ID, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 4 || ds[3].Status != "succeeded" || len(ds[3].Log) != 1 || ds[3].Log[0].StatusCode != 200 || ds[3].Log[0].Response != `{"ok":"maybe"}` {
			t.Errorf("deliveries %+v", ds)
		}
	})
}

func TestRetryAfterServerError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		r := newReceiver(t, http.StatusInternalServerError)
		f, h := setup(t, e, r.URL, webhook.TicketCreated)
		worker, err := app.New(ctx, f.DB, app.Options{Work: true, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		worker.Webhooks.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
		f.Tickets.FollowUp = worker.Tickets.FollowUp
		done, cancelSub := worker.Queue.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
		defer cancelSub()
		if err := worker.Queue.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_ = worker.Queue.Stop(sctx)
		}()
		if _, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "Retry", Body: "b", Requester: &ticket.RequesterInput{Email: "c@example.org"}}); err != nil {
			t.Fatal(err)
		}
		timeout := time.After(45 * time.Second)
		failed := 0
	wait:
		for {
			select {
			case ev := <-done:
				if ev.Job.Kind != "webhook_deliver" {
					continue
				}
				if ev.Kind == river.EventKindJobCompleted {
					break wait
				}
				failed++
				if failed > 1 {
					t.Fatalf("delivery failed twice: %+v", ev.Job.Errors)
				}
			case <-timeout:
				t.Fatal("the delivery was not retried to success")
			}
		}
		got := r.all()
		if len(got) != 2 || got[0].header.Get(webhook.HeaderDelivery) != got[1].header.Get(webhook.HeaderDelivery) || string(got[0].body) != string(got[1].body) {
			t.Fatalf("received %d, want the same delivery twice", len(got))
		}
		ds, _ := f.Webhooks.Deliveries(ctx, f.Admin, h.ID, 0, 10)
		if len(ds) != 1 || ds[0].Status != "succeeded" || len(ds[0].Log) != 2 || ds[0].Log[0].StatusCode != 500 || ds[0].Log[0].Error != "HTTP 500" || ds[0].Log[1].StatusCode != 200 {
			t.Errorf("log %+v", ds)
		}
		if hook, _ := f.Webhooks.Get(ctx, f.Admin, h.ID); hook.ConsecutiveFailures != 0 || !hook.Active {
			t.Errorf("webhook after recovery %+v", hook)
		}
	})
}

func TestDisabledAfterRepeatedFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		r := newReceiver(t, 500, 502, 503, 500, 500)
		f, h := setup(t, e, r.URL, webhook.TicketCreated)
		f.Webhooks.DisableAfter = 3
		var tickets []int64
		for range 4 {
			tk, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "Down", Body: "b", Requester: &ticket.RequesterInput{Email: "c@example.org"}})
			if err != nil {
				t.Fatal(err)
			}
			tickets = append(tickets, tk.ID)
		}
		ids := pending(t, f)
		if len(ids) != 4 {
			t.Fatalf("%d deliveries", len(ids))
		}
		// A test delivery that fails does not count.
		if _, err := f.Webhooks.SendTest(ctx, f.Admin, h.ID); err != nil {
			t.Fatal(err)
		}
		test := pending(t, f)[4]
		if err := work(f, test, 1, 10); err == nil {
			t.Fatal("a 500 counted as success")
		}
		// Each delivery is tried once and fails; the third in a row disables.
		for i, id := range ids[:3] {
			err := work(f, id, 1, 1)
			var cancel *river.JobCancelError
			if i < 2 && (err == nil || errors.As(err, &cancel)) {
				t.Errorf("delivery %d: %v, want a retryable error", i, err)
			}
			if i == 2 && !errors.As(err, &cancel) {
				t.Errorf("the disabling delivery: %v, want the job cancelled", err)
			}
		}
		hook, _ := f.Webhooks.Get(ctx, f.Admin, h.ID)
		if hook.Active || hook.DisabledReason == "" || hook.ConsecutiveFailures != 3 {
			t.Fatalf("webhook %+v", hook)
		}
		// The admin is told, about the ticket whose delivery failed last.
		var kind string
		var about int64
		if err := f.DB.Read().QueryRow(ctx, `SELECT kind, ticket_id FROM notifications WHERE agent_id = $1`, f.Admin.ID).Scan(&kind, &about); err != nil || kind != "webhook_disabled" || about != tickets[2] {
			t.Errorf("admin notification %q about %d: %v", kind, about, err)
		}
		var others int
		_ = f.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE agent_id <> $1`, f.Admin.ID).Scan(&others)
		if others != 0 {
			t.Errorf("%d notifications to non-admins", others)
		}
		// The queued fourth delivery is cancelled, not sent; new changes
		// enqueue nothing.
		before := len(r.all())
		err := work(f, ids[3], 1, 10)
		var cancel *river.JobCancelError
		if !errors.As(err, &cancel) || len(r.all()) != before {
			t.Errorf("delivery to a disabled webhook: %v", err)
		}
		if _, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "More", Body: "b", Requester: &ticket.RequesterInput{Email: "c@example.org"}}); err != nil {
			t.Fatal(err)
		}
		if n := len(pending(t, f)); n != 1 { // the test delivery, cancelled when next tried
			t.Errorf("%d deliveries pending for a disabled webhook", n-1)
		}
		// Re-enabling starts afresh.
		hook, err = f.Webhooks.Update(ctx, f.Admin, h.ID, webhook.WebhookInput{Active: ptr(true)})
		if err != nil || !hook.Active || hook.DisabledReason != "" || hook.ConsecutiveFailures != 0 {
			t.Errorf("re-enabled %+v %v", hook, err)
		}
	})
}

func TestEnqueueIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		r := newReceiver(t)
		f, h := setup(t, e, r.URL, webhook.TicketSolved)
		tk, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "Rule", Body: "b", Requester: &ticket.RequesterInput{Email: "c@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		err = f.DB.InTx(ctx, func(tx *store.Tx) error { return f.Webhooks.EnqueueIn(ctx, tx, h.ID, webhook.TriggerFired, tk.ID) })
		if err != nil {
			t.Fatal(err)
		}
		err = f.DB.InTx(ctx, func(tx *store.Tx) error { return f.Webhooks.EnqueueIn(ctx, tx, h.ID, "ticket.exploded", tk.ID) })
		if _, ok := validation.As(err); !ok {
			t.Errorf("unknown event: %v", err)
		}
		ids := pending(t, f)
		if len(ids) != 1 {
			t.Fatalf("%d deliveries", len(ids))
		}
		if err := work(f, ids[0], 1, 10); err != nil {
			t.Fatal(err)
		}
		var p webhook.Payload
		if err := json.Unmarshal(r.all()[0].body, &p); err != nil || p.Event != webhook.TriggerFired || p.Ticket == nil || p.Ticket.ID != tk.ID {
			t.Errorf("payload %s: %v", r.all()[0].body, err)
		}
	})
}

func TestAdminOnlyAndSecretWriteOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		url := "https://hooks.example.com/tessera"
		events := []string{webhook.TicketCreated}
		for _, a := range []auth.Actor{f.Agent, f.Light, f.TeamAgent} {
			if _, err := f.Webhooks.Create(ctx, a, webhook.WebhookInput{URL: &url, Events: &events}); !errors.Is(err, auth.ErrForbidden) {
				t.Errorf("%s created a webhook: %v", a.Email, err)
			}
			if _, err := f.Webhooks.List(ctx, a); !errors.Is(err, auth.ErrForbidden) {
				t.Errorf("%s listed webhooks: %v", a.Email, err)
			}
		}
		h, err := f.Webhooks.Create(ctx, f.Admin, webhook.WebhookInput{URL: &url, Events: &events})
		if err != nil || len(h.Secret) < 32 {
			t.Fatalf("generated secret %q: %v", h.Secret, err)
		}
		got, _ := f.Webhooks.Get(ctx, f.Admin, h.ID)
		if got.Secret != "" {
			t.Error("the secret was returned after creation")
		}
		bad := []struct {
			in    webhook.WebhookInput
			field string
		}{
			{webhook.WebhookInput{URL: ptr("ftp://x.example.com/"), Events: &events}, "url"},
			{webhook.WebhookInput{URL: ptr("http://169.254.169.254/latest/meta-data"), Events: &events}, "url"},
			{webhook.WebhookInput{URL: ptr("http://user:pw@example.com/"), Events: &events}, "url"},
			{webhook.WebhookInput{URL: &url, Events: &[]string{"ticket.exploded"}}, "events"},
			{webhook.WebhookInput{URL: &url, Events: &[]string{}}, "events"},
			{webhook.WebhookInput{URL: &url, Events: &events, Secret: ptr("short")}, "secret"},
		}
		for _, b := range bad {
			_, err := f.Webhooks.Create(ctx, f.Admin, b.in)
			if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != b.field {
				t.Errorf("%+v: %v, want a %s error", b.in, err, b.field)
			}
		}
		// Metadata addresses stay refused with private ones allowed.
		if err := f.Webhooks.SetAllowPrivate(ctx, f.Admin, true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Webhooks.Create(ctx, f.Admin, webhook.WebhookInput{URL: ptr("http://169.254.169.254/"), Events: &events}); err == nil {
			t.Error("a link-local URL was accepted")
		}
		if err := f.Webhooks.Delete(ctx, f.Admin, h.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Webhooks.Get(ctx, f.Admin, h.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted webhook: %v", err)
		}
	})
}

func TestPurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		r := newReceiver(t)
		f, _ := setup(t, e, r.URL, webhook.TicketCreated)
		for range 2 {
			if _, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "Old", Body: "b", Requester: &ticket.RequesterInput{Email: "c@example.org"}}); err != nil {
				t.Fatal(err)
			}
		}
		ids := pending(t, f)
		if err := work(f, ids[0], 1, 10); err != nil {
			t.Fatal(err)
		}
		// Both are old; only the finished one goes.
		if _, err := f.DB.Write().Exec(ctx, `UPDATE webhook_deliveries SET created_at = $1`, time.Now().Add(-webhook.Retention-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := (&webhook.PurgeWorker{DB: f.DB}).Work(ctx, &river.Job[webhook.PurgeArgs]{}); err != nil {
			t.Fatal(err)
		}
		var left, attempts int
		_ = f.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM webhook_deliveries`).Scan(&left)
		_ = f.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM webhook_attempts`).Scan(&attempts)
		if left != 1 || attempts != 0 || pending(t, f)[0] != ids[1] {
			t.Errorf("left %d deliveries, %d attempts", left, attempts)
		}
	})
}
