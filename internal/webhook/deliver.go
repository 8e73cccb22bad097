package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/ticket"
)

// Headers of a delivery.
const (
	HeaderSignature = "X-Tessera-Signature"
	HeaderTimestamp = "X-Tessera-Timestamp"
	HeaderDelivery  = "X-Tessera-Delivery"
	HeaderEvent     = "X-Tessera-Event"
)

// Sign returns the hex HMAC-SHA256 of timestamp + "." + body with the
// secret: what X-Tessera-Signature carries. Receivers compute the same and
// compare in constant time, and refuse old timestamps (replays).
func Sign(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a delivery's signature and that its timestamp is within
// tolerance of now.
func Verify(secret, signature, timestamp string, body []byte, now time.Time, tolerance time.Duration) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return false
	}
	want := Sign(secret, ts, body)
	return hmac.Equal([]byte(want), []byte(signature))
}

// Payload is the JSON document a delivery POSTs.
type Payload struct {
	// ID identifies the delivery: the same on every retry, so receivers
	// can drop duplicates (it is also in X-Tessera-Delivery).
	ID      string          `json:"id"`
	Event   string          `json:"event"`
	Ticket  *ticket.Ticket  `json:"ticket,omitempty"`
	Message *ticket.Message `json:"message,omitempty"`
	// Changes are the events of the change that caused the delivery.
	Changes     []ticket.Event `json:"changes"`
	DeliveredAt time.Time      `json:"delivered_at"`
}

// DeliverArgs is the job of one delivery.
type DeliverArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "webhook_deliver" }

// Worker sends deliveries.
type Worker struct {
	river.WorkerDefaults[DeliverArgs]
	S *Service
}

// AddWorkers registers the delivery worker.
func (s *Service) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &Worker{S: s})
	river.AddWorker(w, &PurgeWorker{DB: s.DB})
}

// NextRetry is the webhook's own backoff, not River's default.
func (w *Worker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return time.Now().Add(w.S.backoff(job.Attempt))
}

// Timeout leaves room for the request's own timeout and the bookkeeping.
func (w *Worker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return w.S.timeout() + 20*time.Second
}

type delivery struct {
	id, webhookID       int64
	event, status, body string
	ticketID, messageID *int64
	changes             string
	attempts            int
	url, secret         string
	active              bool
}

// Work sends one attempt of a delivery and records it.
func (w *Worker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	s := w.S
	var d delivery
	err := s.DB.Read().QueryRow(ctx, `SELECT d.id, d.webhook_id, d.event, d.status, d.body, d.ticket_id, d.message_id, d.changes, d.attempts, h.url, h.secret, h.active
		FROM webhook_deliveries d JOIN webhooks h ON h.id = d.webhook_id WHERE d.id = $1`, job.Args.DeliveryID).
		Scan(&d.id, &d.webhookID, &d.event, &d.status, &d.body, &d.ticketID, &d.messageID, &d.changes, &d.attempts, &d.url, &d.secret, &d.active)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("delivery %d: the webhook was deleted", job.Args.DeliveryID))
	}
	if err != nil {
		return fmt.Errorf("delivery %d: %w", job.Args.DeliveryID, err)
	}
	if d.status != "pending" {
		return nil
	}
	if !d.active {
		if err := s.finish(ctx, d.id, "cancelled"); err != nil {
			return err
		}
		return river.JobCancel(fmt.Errorf("delivery %d: webhook %d is disabled", d.id, d.webhookID))
	}
	if d.body == "" {
		if d.body, err = s.build(ctx, d); err != nil {
			return err
		}
	}
	allow, err := s.AllowsPrivate(ctx)
	if err != nil {
		return err
	}
	a := s.post(ctx, d, allow)
	disabled, err := s.record(ctx, d, a, job.Attempt >= job.MaxAttempts)
	if err != nil {
		return err
	}
	switch {
	case a.ok():
		return nil
	case disabled:
		return river.JobCancel(fmt.Errorf("delivery %d: webhook %d disabled after repeated failure", d.id, d.webhookID))
	case errors.Is(a.err, ErrForbiddenAddress):
		// Retrying cannot make the address acceptable.
		if err := s.finish(ctx, d.id, "failed"); err != nil {
			return err
		}
		return river.JobCancel(a.err)
	}
	return fmt.Errorf("delivery %d attempt %d: %s", d.id, job.Attempt, a.describe())
}

// build fixes the delivery's document at its first attempt: the ticket as
// the API shows it then, the message the event is about, and the change.
func (s *Service) build(ctx context.Context, d delivery) (string, error) {
	p := Payload{ID: strconv.FormatInt(d.id, 10), Event: d.event, DeliveredAt: store.Now()}
	if err := json.Unmarshal([]byte(d.changes), &p.Changes); err != nil {
		return "", fmt.Errorf("delivery %d changes: %w", d.id, err)
	}
	if d.ticketID != nil {
		t, err := s.Tickets.Get(ctx, auth.System, *d.ticketID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", fmt.Errorf("delivery %d: %w", d.id, err)
		}
		if err == nil {
			p.Ticket = &t
		}
		if d.messageID != nil {
			msgs, err := s.Tickets.Messages(ctx, auth.System, *d.ticketID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return "", fmt.Errorf("delivery %d: %w", d.id, err)
			}
			for i := range msgs {
				if msgs[i].ID == *d.messageID {
					p.Message = &msgs[i]
				}
			}
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("delivery %d: %w", d.id, err)
	}
	if _, err := s.DB.Write().Exec(ctx, `UPDATE webhook_deliveries SET body = $2 WHERE id = $1 AND body = ''`, d.id, string(b)); err != nil {
		return "", fmt.Errorf("delivery %d: %w", d.id, err)
	}
	return string(b), nil
}

type attempt struct {
	status   int
	duration time.Duration
	response string
	err      error
}

func (a attempt) ok() bool { return a.err == nil && a.status >= 200 && a.status < 300 }

func (a attempt) describe() string {
	if a.err != nil {
		return a.err.Error()
	}
	return fmt.Sprintf("HTTP %d", a.status)
}

// post sends the signed document once. Redirects are not followed: a
// 3xx is a failure (and cannot lead the request somewhere forbidden).
func (s *Service) post(ctx context.Context, d delivery, allowPrivate bool) attempt {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: control(allowPrivate)}
	client := &http.Client{
		Timeout:       s.timeout(),
		Transport:     &http.Transport{DialContext: dialer.DialContext, Proxy: nil, TLSHandshakeTimeout: 5 * time.Second, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	body := []byte(d.body)
	ts := time.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return attempt{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tessera-Webhooks/1")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(d.secret, ts, body))
	req.Header.Set(HeaderDelivery, strconv.FormatInt(d.id, 10))
	req.Header.Set("Idempotency-Key", "tessera-delivery-"+strconv.FormatInt(d.id, 10))
	req.Header.Set(HeaderEvent, d.event)
	start := time.Now()
	resp, err := client.Do(req)
	a := attempt{duration: time.Since(start)}
	if err != nil {
		a.err = err
		return a
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64*1024))
	a.status, a.response = resp.StatusCode, validText(snippet)
	a.duration = time.Since(start)
	return a
}

func validText(b []byte) string {
	for !utf8.Valid(b) && len(b) > 0 {
		b = b[:len(b)-1]
	}
	return string(b)
}

// record logs an attempt, moves the delivery on and keeps the webhook's
// failure count: a success resets it; a failure that makes DisableAfter
// in a row, or ends a run of failures longer than FailingFor, disables the
// webhook and notifies every active admin. Test deliveries are logged but
// count for nothing. It reports whether the webhook was disabled.
func (s *Service) record(ctx context.Context, d delivery, a attempt, last bool) (bool, error) {
	now := store.Now()
	disabled := false
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		errText := ""
		if a.err != nil {
			errText = a.err.Error()
		} else if !a.ok() {
			errText = fmt.Sprintf("HTTP %d", a.status)
		}
		var n int
		if err := tx.QueryRow(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts`, d.id).Scan(&n); err != nil {
			return fmt.Errorf("delivery %d: %w", d.id, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, status_code, duration_ms, response, error, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			d.id, n, a.status, int(a.duration/time.Millisecond), a.response, errText, now); err != nil {
			return fmt.Errorf("delivery %d attempt: %w", d.id, err)
		}
		switch {
		case a.ok():
			if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'succeeded', finished_at = $2 WHERE id = $1`, d.id, now); err != nil {
				return fmt.Errorf("delivery %d: %w", d.id, err)
			}
		case last:
			if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'failed', finished_at = $2 WHERE id = $1`, d.id, now); err != nil {
				return fmt.Errorf("delivery %d: %w", d.id, err)
			}
		}
		if d.event == Test {
			return nil
		}
		if a.ok() {
			_, err := tx.Exec(ctx, `UPDATE webhooks SET consecutive_failures = 0, failing_since = NULL WHERE id = $1 AND consecutive_failures > 0`, d.webhookID)
			return err
		}
		n2, err := tx.Exec(ctx, `UPDATE webhooks SET consecutive_failures = consecutive_failures + 1, failing_since = COALESCE(failing_since, $2)
			WHERE id = $1 AND active`, d.webhookID, now)
		if err != nil {
			return fmt.Errorf("webhook %d: %w", d.webhookID, err)
		}
		if n2 == 0 {
			return nil // disabled meanwhile
		}
		var failures int
		var since time.Time
		if err := tx.QueryRow(ctx, `SELECT consecutive_failures, failing_since FROM webhooks WHERE id = $1`, d.webhookID).Scan(&failures, &since); err != nil {
			return fmt.Errorf("webhook %d: %w", d.webhookID, err)
		}
		var reason string
		switch {
		case failures >= s.disableAfter():
			reason = fmt.Sprintf("%d deliveries in a row failed; the last: %s", failures, a.describe())
		case now.Sub(since) > s.failingFor():
			reason = fmt.Sprintf("deliveries have failed since %s; the last: %s", since.UTC().Format(time.RFC3339), a.describe())
		default:
			return nil
		}
		disabled = true
		if _, err := tx.Exec(ctx, `UPDATE webhooks SET active = $2, disabled_reason = $3, updated_at = $4 WHERE id = $1`, d.webhookID, false, reason, now); err != nil {
			return fmt.Errorf("disable webhook %d: %w", d.webhookID, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'failed', finished_at = $2 WHERE id = $1 AND status = 'pending'`, d.id, now); err != nil {
			return fmt.Errorf("delivery %d: %w", d.id, err)
		}
		if s.Log != nil {
			s.Log.Warn("webhook disabled", "webhook", d.webhookID, "url", d.url, "reason", reason)
		}
		// Notifications belong to a ticket: the one whose delivery failed last.
		if d.ticketID == nil {
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO notifications (agent_id, ticket_id, kind, summary, created_at)
			SELECT id, $1, 'webhook_disabled', $2, $3 FROM agents WHERE role = 'admin' AND active`,
			*d.ticketID, fmt.Sprintf("Webhook %s was disabled: %s", d.url, reason), now)
		if err != nil {
			return fmt.Errorf("notify admins: %w", err)
		}
		return nil
	})
	return disabled, err
}

func (s *Service) finish(ctx context.Context, id int64, status string) error {
	if _, err := s.DB.Write().Exec(ctx, `UPDATE webhook_deliveries SET status = $2, finished_at = $3 WHERE id = $1 AND status = 'pending'`, id, status, store.Now()); err != nil {
		return fmt.Errorf("delivery %d: %w", id, err)
	}
	return nil
}
