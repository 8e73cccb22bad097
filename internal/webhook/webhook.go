// Package webhook tells other systems about ticket changes: admins
// subscribe a URL to event types; each change enqueues, in its own
// transaction, one delivery per subscribed webhook and event, and a River
// job POSTs it, signed with the webhook's secret, retrying with backoff.
// A webhook that keeps failing is disabled and the admins are notified.
package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tessera/internal/auth"
	"tessera/internal/jobs"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// Event types a webhook subscribes to.
const (
	TicketCreated  = "ticket.created"
	TicketUpdated  = "ticket.updated"
	TicketSolved   = "ticket.solved"
	TicketAssigned = "ticket.assigned"
	MessageCreated = "message.created"
	NoteCreated    = "note.created"
	SLAWarning     = "sla.warning"
	SLABreached    = "sla.breached"
	TriggerFired   = "trigger.fired"
	// Test is sent by "send a test"; nobody subscribes to it.
	Test = "webhook.test"
)

// Events lists the event types, in the order the admin page shows them.
var Events = []string{TicketCreated, TicketUpdated, TicketSolved, TicketAssigned, MessageCreated, NoteCreated, SLAWarning, SLABreached, TriggerFired}

// Webhook is a subscription. Its secret is write-only: it is never
// returned, except once when the desk generated it.
type Webhook struct {
	ID     int64    `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Active bool     `json:"active"`
	// DisabledReason says why the desk disabled the webhook.
	DisabledReason      string     `json:"disabled_reason"`
	ConsecutiveFailures int        `json:"consecutive_failures"`
	FailingSince        *time.Time `json:"failing_since"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
	// Secret is set only in the answer to a creation without a secret.
	Secret string `json:"secret,omitempty"`
}

// WebhookInput creates or changes a webhook; absent fields stay as they are.
type WebhookInput struct {
	URL    *string   `json:"url"`
	Secret *string   `json:"secret"`
	Events *[]string `json:"events"`
	// Active false pauses a webhook; true re-enables a disabled one (its
	// failure count starts again).
	Active *bool `json:"active"`
}

// Service manages webhooks and their deliveries.
type Service struct {
	DB      *store.DB
	Queue   *jobs.Queue
	Tickets *ticket.Service
	Log     *slog.Logger
	// AllowPrivate lets webhooks reach loopback and private addresses
	// whatever the admin setting says.
	AllowPrivate bool
	// MaxAttempts per delivery (default 10), DisableAfter consecutive
	// failed attempts (default 10) or FailingFor (default 24 h) disable a
	// webhook; Backoff is the wait before a retry (default 10 s × 3^(n-1),
	// at most 12 h). Tests shorten them.
	MaxAttempts  int
	DisableAfter int
	FailingFor   time.Duration
	Backoff      func(attempt int) time.Duration
	// Timeout of one delivery (default 10 s).
	Timeout time.Duration
}

const settingAllowPrivate = "webhooks.allow_private"

func (s *Service) maxAttempts() int {
	if s.MaxAttempts > 0 {
		return s.MaxAttempts
	}
	return 10
}

func (s *Service) disableAfter() int {
	if s.DisableAfter > 0 {
		return s.DisableAfter
	}
	return 10
}

func (s *Service) failingFor() time.Duration {
	if s.FailingFor > 0 {
		return s.FailingFor
	}
	return 24 * time.Hour
}

func (s *Service) backoff(attempt int) time.Duration {
	if s.Backoff != nil {
		return s.Backoff(attempt)
	}
	d := 10 * time.Second
	for i := 1; i < attempt && d < 12*time.Hour; i++ {
		d *= 3
	}
	return min(d, 12*time.Hour)
}

func (s *Service) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 10 * time.Second
}

func admin(actor auth.Actor) error {
	if !actor.IsAdmin() {
		return auth.Forbidden("only admins manage webhooks")
	}
	return nil
}

// AllowsPrivate reports whether webhooks may call loopback and private
// addresses (the admin setting, or the service's own override).
func (s *Service) AllowsPrivate(ctx context.Context) (bool, error) {
	if s.AllowPrivate {
		return true, nil
	}
	var v string
	err := s.DB.Read().QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, settingAllowPrivate).Scan(&v)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("webhook settings: %w", err)
	}
	return v == "true", nil
}

// SetAllowPrivate changes the admin setting.
func (s *Service) SetAllowPrivate(ctx context.Context, actor auth.Actor, allow bool) error {
	if err := admin(actor); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			settingAllowPrivate, fmt.Sprint(allow))
		if err != nil {
			return fmt.Errorf("webhook settings: %w", err)
		}
		return auth.Audit(ctx, tx, actor, "webhook.settings", "settings:"+settingAllowPrivate, fmt.Sprint(allow))
	})
}

func (s *Service) check(ctx context.Context, in *WebhookInput, creating bool) error {
	var c validation.Collector
	if in.URL != nil || creating {
		u := strings.TrimSpace(deref(in.URL))
		if u == "" || len(u) > 2000 {
			c.Add("url", "must be an http or https URL of at most 2000 characters")
		} else {
			allow, err := s.AllowsPrivate(ctx)
			if err != nil {
				return err
			}
			if err := checkURL(ctx, u, allow); err != nil {
				c.Add("url", "%s", err.Error())
			}
		}
		in.URL = &u
	}
	if in.Secret != nil && (len(*in.Secret) < 16 || len(*in.Secret) > 200) {
		c.Add("secret", "must be 16 to 200 characters (leave it out and one is generated)")
	}
	if in.Events != nil || creating {
		evs := deref(in.Events)
		if len(evs) == 0 {
			c.Add("events", "must name at least one of %s", strings.Join(Events, ", "))
		}
		for _, e := range evs {
			if !slices.Contains(Events, e) {
				c.Add("events", "%q is not one of %s", e, strings.Join(Events, ", "))
				break
			}
		}
		slices.Sort(evs)
		evs = slices.Compact(evs)
		in.Events = &evs
	}
	return c.Err()
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// Create adds a webhook. Without a secret, one is generated and returned
// this once.
func (s *Service) Create(ctx context.Context, actor auth.Actor, in WebhookInput) (Webhook, error) {
	if err := admin(actor); err != nil {
		return Webhook{}, err
	}
	if err := s.check(ctx, &in, true); err != nil {
		return Webhook{}, err
	}
	generated := ""
	if in.Secret == nil {
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		generated = "whsec_" + hex.EncodeToString(b)
		in.Secret = &generated
	}
	var id int64
	now := store.Now()
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO webhooks (url, secret, events, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
			*in.URL, *in.Secret, strings.Join(*in.Events, ","), in.Active == nil || *in.Active, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert webhook: %w", err)
		}
		return auth.Audit(ctx, tx, actor, "webhook.create", fmt.Sprintf("webhook:%d", id), *in.URL)
	})
	if err != nil {
		return Webhook{}, err
	}
	w, err := s.Get(ctx, actor, id)
	w.Secret = generated
	return w, err
}

// Update changes a webhook. Activating it clears its failures.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id int64, in WebhookInput) (Webhook, error) {
	if err := admin(actor); err != nil {
		return Webhook{}, err
	}
	if err := s.check(ctx, &in, false); err != nil {
		return Webhook{}, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		sets := []string{"updated_at = $2"}
		args := []any{id, store.Now()}
		add := func(col string, v any) {
			args = append(args, v)
			sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
		}
		if in.URL != nil {
			add("url", *in.URL)
		}
		if in.Secret != nil {
			add("secret", *in.Secret)
		}
		if in.Events != nil {
			add("events", strings.Join(*in.Events, ","))
		}
		if in.Active != nil {
			add("active", *in.Active)
			if *in.Active {
				sets = append(sets, "disabled_reason = ''", "consecutive_failures = 0", "failing_since = NULL")
			}
		}
		n, err := tx.Exec(ctx, `UPDATE webhooks SET `+strings.Join(sets, ", ")+` WHERE id = $1`, args...)
		if err != nil {
			return fmt.Errorf("update webhook %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("webhook %d: %w", id, store.ErrNotFound)
		}
		return auth.Audit(ctx, tx, actor, "webhook.update", fmt.Sprintf("webhook:%d", id), "")
	})
	if err != nil {
		return Webhook{}, err
	}
	return s.Get(ctx, actor, id)
}

// Delete removes a webhook and its delivery log.
func (s *Service) Delete(ctx context.Context, actor auth.Actor, id int64) error {
	if err := admin(actor); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete webhook %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("webhook %d: %w", id, store.ErrNotFound)
		}
		return auth.Audit(ctx, tx, actor, "webhook.delete", fmt.Sprintf("webhook:%d", id), "")
	})
}

const webhookCols = `id, url, events, active, disabled_reason, consecutive_failures, failing_since, created_at, updated_at`

func scanWebhook(r store.Row) (Webhook, error) {
	var w Webhook
	var events string
	err := r.Scan(&w.ID, &w.URL, &events, &w.Active, &w.DisabledReason, &w.ConsecutiveFailures, &w.FailingSince, &w.CreatedAt, &w.UpdatedAt)
	w.Events = splitEvents(events)
	return w, err
}

func splitEvents(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// Get returns one webhook.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (Webhook, error) {
	if err := admin(actor); err != nil {
		return Webhook{}, err
	}
	w, err := scanWebhook(s.DB.Read().QueryRow(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE id = $1`, id))
	if err != nil {
		return Webhook{}, fmt.Errorf("webhook %d: %w", id, err)
	}
	return w, nil
}

// List returns every webhook.
func (s *Service) List(ctx context.Context, actor auth.Actor) ([]Webhook, error) {
	if err := admin(actor); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT `+webhookCols+` FROM webhooks ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	out := []Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("list webhooks: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Delivery is one event sent (or being sent) to one webhook.
type Delivery struct {
	ID         int64      `json:"id"`
	WebhookID  int64      `json:"webhook_id"`
	Event      string     `json:"event"`
	TicketID   *int64     `json:"ticket_id"`
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
	// Log is each attempt, oldest first.
	Log []Attempt `json:"log"`
}

// Attempt is one try of a delivery.
type Attempt struct {
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"status_code"`
	DurationMS int       `json:"duration_ms"`
	Response   string    `json:"response"`
	Error      string    `json:"error"`
	At         time.Time `json:"at"`
}

// Deliveries returns a webhook's deliveries, newest first, with ids below
// before (0: the newest), each with its attempts.
func (s *Service) Deliveries(ctx context.Context, actor auth.Actor, webhookID, before int64, limit int) ([]Delivery, error) {
	if _, err := s.Get(ctx, actor, webhookID); err != nil {
		return nil, err
	}
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT id, webhook_id, event, ticket_id, status, attempts, created_at, finished_at
		FROM webhook_deliveries WHERE webhook_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, webhookID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("deliveries of webhook %d: %w", webhookID, err)
	}
	out := []Delivery{}
	idx := map[int64]int{}
	for rows.Next() {
		var d Delivery
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.Event, &d.TicketID, &d.Status, &d.Attempts, &d.CreatedAt, &d.FinishedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("deliveries of webhook %d: %w", webhookID, err)
		}
		d.Log = []Attempt{}
		idx[d.ID] = len(out)
		out = append(out, d)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("deliveries of webhook %d: %w", webhookID, err)
	}
	if len(out) == 0 {
		return out, nil
	}
	rows, err = s.DB.Read().Query(ctx, `SELECT a.delivery_id, a.attempt, a.status_code, a.duration_ms, a.response, a.error, a.created_at
		FROM webhook_attempts a WHERE a.delivery_id BETWEEN $1 AND $2 ORDER BY a.id`, out[len(out)-1].ID, out[0].ID)
	if err != nil {
		return nil, fmt.Errorf("attempts of webhook %d: %w", webhookID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a Attempt
		if err := rows.Scan(&id, &a.Attempt, &a.StatusCode, &a.DurationMS, &a.Response, &a.Error, &a.At); err != nil {
			return nil, fmt.Errorf("attempts of webhook %d: %w", webhookID, err)
		}
		if i, ok := idx[id]; ok {
			out[i].Log = append(out[i].Log, a)
		}
	}
	return out, rows.Err()
}

// SendTest queues a test delivery (event webhook.test, no ticket). It is
// logged like the others but does not count towards disabling the webhook.
func (s *Service) SendTest(ctx context.Context, actor auth.Actor, id int64) (Delivery, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return Delivery{}, err
	}
	var d Delivery
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if d, err = s.enqueue(ctx, tx, id, Test, nil, nil, nil); err != nil {
			return err
		}
		return auth.Audit(ctx, tx, actor, "webhook.test", fmt.Sprintf("webhook:%d", id), "")
	})
	return d, err
}

// enqueue records one delivery and its job, in tx.
func (s *Service) enqueue(ctx context.Context, tx *store.Tx, webhookID int64, event string, ticketID, messageID *int64, changes []ticket.Event) (Delivery, error) {
	if changes == nil {
		changes = []ticket.Event{}
	}
	cj, err := json.Marshal(changes)
	if err != nil {
		return Delivery{}, fmt.Errorf("delivery changes: %w", err)
	}
	d := Delivery{WebhookID: webhookID, Event: event, TicketID: ticketID, Status: "pending", CreatedAt: store.Now(), Log: []Attempt{}}
	err = tx.QueryRow(ctx, `INSERT INTO webhook_deliveries (webhook_id, event, ticket_id, message_id, changes, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		webhookID, event, ticketID, messageID, string(cj), d.CreatedAt).Scan(&d.ID)
	if err != nil {
		return Delivery{}, fmt.Errorf("record delivery: %w", err)
	}
	if err := s.Queue.InsertTx(ctx, tx, DeliverArgs{DeliveryID: d.ID}, &river.InsertOpts{MaxAttempts: s.maxAttempts()}); err != nil {
		return Delivery{}, err
	}
	return d, nil
}

// EnqueueIn queues one delivery of event about a ticket to a webhook, in
// tx (a trigger's "call webhook" action). A webhook that is disabled or
// paused gets nothing. Implements automation.Webhooks.
func (s *Service) EnqueueIn(ctx context.Context, tx *store.Tx, webhookID int64, event string, ticketID int64) error {
	if event != TriggerFired && !slices.Contains(Events, event) {
		return validation.Field("event", "%q is not a webhook event", event)
	}
	var active bool
	err := tx.QueryRow(ctx, `SELECT active FROM webhooks WHERE id = $1`, webhookID).Scan(&active)
	if errors.Is(err, store.ErrNotFound) {
		return validation.Field("webhook_id", "webhook %d does not exist", webhookID)
	}
	if err != nil {
		return fmt.Errorf("webhook %d: %w", webhookID, err)
	}
	if !active {
		return nil
	}
	_, err = s.enqueue(ctx, tx, webhookID, event, &ticketID, nil, nil)
	return err
}

// Map turns a change's events into webhook events: each with the message
// it concerns (a reply or note), in a stable order. solved says the
// ticket's status category is now solved. Pure.
func Map(events []ticket.Event, solved bool) []Mapped {
	var out []Mapped
	seen := map[string]bool{}
	add := func(ev string, msg *int64) {
		if !seen[ev] {
			seen[ev] = true
			out = append(out, Mapped{Event: ev, MessageID: msg})
		}
	}
	created := false
	for _, e := range events {
		if e.Type == ticket.EventCreated {
			created = true
		}
	}
	for _, e := range events {
		switch e.Type {
		case ticket.EventCreated:
			add(TicketCreated, e.MessageID)
		case ticket.EventReply:
			add(MessageCreated, e.MessageID)
		case ticket.EventNote:
			add(NoteCreated, e.MessageID)
		case ticket.EventSLAWarning:
			add(SLAWarning, nil)
		case ticket.EventSLABreached:
			add(SLABreached, nil)
		case ticket.EventField, ticket.EventReopened, ticket.EventMerged, ticket.EventMergedFrom, ticket.EventLinked, ticket.EventPriorityRule:
			if created {
				continue // part of the creation
			}
			add(TicketUpdated, nil)
			if e.Type == ticket.EventField && e.Field == "status" && solved {
				add(TicketSolved, nil)
			}
			if e.Type == ticket.EventField && e.Field == "assignee_id" && e.NewValue != "" {
				add(TicketAssigned, nil)
			}
		}
	}
	return out
}

// Mapped is one webhook event of a change.
type Mapped struct {
	Event     string
	MessageID *int64
}

// TicketChanged implements ticket.FollowUp: one delivery per active
// webhook subscribed to each event of the change.
func (s *Service) TicketChanged(ctx context.Context, tx *store.Tx, c ticket.Change) error {
	rows, err := tx.Query(ctx, `SELECT id, events FROM webhooks WHERE active`)
	if err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
	type hook struct {
		id     int64
		events []string
	}
	var hooks []hook
	for rows.Next() {
		var h hook
		var evs string
		if err := rows.Scan(&h.id, &evs); err != nil {
			rows.Close()
			return fmt.Errorf("webhooks: %w", err)
		}
		h.events = splitEvents(evs)
		hooks = append(hooks, h)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
	if len(hooks) == 0 {
		return nil
	}
	solved := false
	for _, e := range c.Events {
		if e.Type == ticket.EventField && e.Field == "status" {
			var cat string
			if err := tx.QueryRow(ctx, `SELECT status_category FROM tickets WHERE id = $1`, c.TicketID).Scan(&cat); err != nil {
				return fmt.Errorf("webhooks: ticket %d: %w", c.TicketID, err)
			}
			solved = cat == ticket.StatusSolved
			break
		}
	}
	id := c.TicketID
	for _, m := range Map(c.Events, solved) {
		for _, h := range hooks {
			if !slices.Contains(h.events, m.Event) {
				continue
			}
			if _, err := s.enqueue(ctx, tx, h.id, m.Event, &id, m.MessageID, c.Events); err != nil {
				return err
			}
		}
	}
	return nil
}
