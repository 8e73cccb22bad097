// Package app assembles Tessera: it opens and migrates the database and
// builds the services, the same way for the server, the command line and
// the tests.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"tessera/internal/automation"
	"tessera/internal/channel/email/imapfetch"
	"tessera/internal/channel/email/ingest"
	"tessera/internal/channel/email/outbound"
	"tessera/internal/inbox"
	"tessera/internal/jobs"
	"tessera/internal/kb"
	"tessera/internal/macro"
	"tessera/internal/mail"
	"tessera/internal/notify"
	"tessera/internal/people"
	"tessera/internal/portal"
	"tessera/internal/report"
	"tessera/internal/routing"
	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/web/i18n"
	"tessera/internal/webhook"
)

// App is an assembled Tessera.
type App struct {
	DB      *store.DB
	People  *people.Service
	Tickets *ticket.Service
	Queue   *jobs.Queue
	SLA     *clocks.Service
	Portal  *portal.Service
	Mail    *mail.Sender
	// Live fans changes out to the browsers; servers run it (Live.Run).
	Live *notify.Hub
	// PublicURL is where people reach this server (no trailing slash), for
	// links in mail.
	PublicURL string
	Inboxes   *inbox.Service
	// KB is the knowledge base.
	KB      *kb.Service
	Reports *report.Service
	Log     *slog.Logger
	// Routing and webhooks (issue 6): auto-assignment and escalation;
	// subscriptions of other systems to ticket events.
	Routing  *routing.Service
	Webhooks *webhook.Service
	// Rules are the triggers and automations (issue 6).
	Rules *automation.Service
	// Email channel, outbound: templates, inbox and agent mail switches,
	// bounces marking deliveries.
	MailTemplates *outbound.Templates
	MailOptions   *outbound.Options
	Bounces       *outbound.Bounces
	// Macros: canned replies and their ticket actions (feature kbmacros).
	Macros *macro.Service

	// Mail in (issue 4): the failed-mail list and the IMAP fetcher's
	// cursors and health.
	FailedMail *ingest.FailedStore
	IMAP       *imapfetch.Store
	// MailIn fetches the IMAP inboxes; `tessera serve` runs it, and
	// changing an inbox calls its Reload.
	MailIn *imapfetch.Supervisor
}

// Options configure an App.
type Options struct {
	DatabaseURL string
	// Migrate applies pending migrations on open.
	Migrate bool
	// Work starts the background job workers (servers only).
	Work bool
	// CloseSolvedAfter closes solved tickets after this long (default 4 days).
	CloseSolvedAfter time.Duration
	Limits           ticket.AttachmentLimits
	// Mail is the outbound SMTP server; without one, mail is logged.
	Mail mail.Config
	// PublicURL is where people reach the server (default
	// http://localhost:8080), for links in mail.
	PublicURL string
	Log       *slog.Logger
	// MailRetryBackoff is the first wait before an outgoing mail is tried
	// again (doubling after; default a minute). Tests shorten it.
	MailRetryBackoff time.Duration
}

// Open opens the database and builds the services.
func Open(ctx context.Context, o Options) (*App, error) {
	db, err := store.Open(ctx, o.DatabaseURL)
	if err != nil {
		return nil, err
	}
	a, err := New(ctx, db, o)
	if err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// New builds the services on an open database.
func New(ctx context.Context, db *store.DB, o Options) (*App, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.CloseSolvedAfter == 0 {
		o.CloseSolvedAfter = 4 * 24 * time.Hour
	}
	if o.Migrate {
		if err := db.Migrate(ctx); err != nil {
			return nil, err
		}
		if err := jobs.Migrate(ctx, db); err != nil {
			return nil, err
		}
	}
	if o.PublicURL == "" {
		o.PublicURL = "http://localhost:8080"
	}
	sender, err := mail.New(o.Mail, o.Log)
	if err != nil {
		return nil, fmt.Errorf("assemble: %w", err)
	}
	a := &App{DB: db, People: &people.Service{DB: db}, Portal: &portal.Service{DB: db}, Mail: sender,
		Live:      &notify.Hub{DB: db, Log: o.Log},
		PublicURL: strings.TrimRight(o.PublicURL, "/"), Log: o.Log}
	a.SLA = &clocks.Service{DB: db}
	a.Inboxes = &inbox.Service{DB: db}
	a.KB = &kb.Service{DB: db}
	a.Reports = &report.Service{DB: db}
	a.Tickets = &ticket.Service{DB: db, Limits: o.Limits, Clocks: a.SLA, Priorities: a.SLA}
	// Macros (feature kbmacros) act through the ticket service.
	a.Macros = &macro.Service{DB: db, Tickets: a.Tickets, People: a.People, Limits: o.Limits}
	a.KB.Limits = o.Limits
	// Mail in (issue 4).
	a.FailedMail = &ingest.FailedStore{DB: db}
	a.IMAP = &imapfetch.Store{DB: db}
	a.MailIn = a.mailSupervisor()
	workers, periodic := jobs.Standard(db, a.Tickets, a.SLA, o.CloseSolvedAfter, o.Log)
	jobs.AddMail(workers, sender)
	// Routing and webhooks (issue 6).
	a.Routing = &routing.Service{DB: db, Tickets: a.Tickets}
	a.Webhooks = &webhook.Service{DB: db, Tickets: a.Tickets, Log: o.Log}
	a.Webhooks.AddWorkers(workers)
	periodic = append(periodic, a.Webhooks.Periodic()...)
	// Rules engine (issue 6): triggers run in every ticket change, due
	// automations every 30 seconds; their "route" and "call webhook"
	// actions go through the routing and webhook services.
	a.Rules = &automation.Service{DB: db, Tickets: a.Tickets, PublicURL: a.PublicURL, Log: o.Log, Router: a.Routing, Webhooks: a.Webhooks}
	a.Tickets.Rules = a.Rules
	periodic = append(periodic, automation.AddJobs(workers, a.Rules))
	// Email channel, outbound: replies, acknowledgements, deliveries.
	a.MailTemplates, a.MailOptions, a.Bounces = &outbound.Templates{DB: db}, &outbound.Options{DB: db}, &outbound.Bounces{DB: db}
	outbound.AddWorkers(workers, &outbound.DeliverWorker{DB: db, Mail: sender, From: o.Mail.From, Backoff: o.MailRetryBackoff, Log: o.Log})
	q, err := jobs.New(db, jobs.Options{Work: o.Work, Workers: workers, Periodic: periodic, Logger: o.Log})
	if err != nil {
		return nil, fmt.Errorf("assemble: %w", err)
	}
	a.Queue = q
	a.Rules.Queue = q
	// Solving a ticket offers the satisfaction survey; its mail is written
	// in the customer's language.
	bundle, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("assemble: %w", err)
	}
	a.Webhooks.Queue = q
	// Replies are mailed, new tickets acknowledged and agents told before
	// other systems hear of the change; webhooks hear of it before routing
	// assigns the ticket, so a receiver gets ticket.created before
	// ticket.assigned; the reports' summary files the ticket last, as the
	// change (and any routing inside it) left it, in the same transaction.
	a.Tickets.FollowUp = report.FollowUps{jobs.FollowUp{Queue: q}, report.SurveyHook{Queue: q, PublicURL: a.PublicURL, I18n: bundle},
		&outbound.Hook{Queue: q, Tickets: a.Tickets, PublicURL: a.PublicURL, From: o.Mail.From, Log: o.Log},
		a.Webhooks, a.Routing, report.SummaryHook{}}
	a.Tickets.Jobs = jobs.FollowUp{Queue: q}
	return a, nil
}

// Close closes the database.
func (a *App) Close() error { return a.DB.Close() }
