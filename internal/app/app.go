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

	"tessera/internal/channel/email/imapfetch"
	"tessera/internal/channel/email/ingest"
	"tessera/internal/inbox"
	"tessera/internal/jobs"
	"tessera/internal/kb"
	"tessera/internal/mail"
	"tessera/internal/notify"
	"tessera/internal/people"
	"tessera/internal/portal"
	"tessera/internal/report"
	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/web/i18n"
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
	// Mail in (issue 4).
	a.FailedMail = &ingest.FailedStore{DB: db}
	a.IMAP = &imapfetch.Store{DB: db}
	a.MailIn = a.mailSupervisor()
	workers, periodic := jobs.Standard(db, a.Tickets, a.SLA, o.CloseSolvedAfter, o.Log)
	jobs.AddMail(workers, sender)
	q, err := jobs.New(db, jobs.Options{Work: o.Work, Workers: workers, Periodic: periodic, Logger: o.Log})
	if err != nil {
		return nil, fmt.Errorf("assemble: %w", err)
	}
	a.Queue = q
	// Solving a ticket offers the satisfaction survey; its mail is written
	// in the customer's language.
	bundle, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("assemble: %w", err)
	}
	a.Tickets.FollowUp = report.FollowUps{jobs.FollowUp{Queue: q}, report.SurveyHook{Queue: q, PublicURL: a.PublicURL, I18n: bundle}}
	a.Tickets.Jobs = jobs.FollowUp{Queue: q}
	return a, nil
}

// Close closes the database.
func (a *App) Close() error { return a.DB.Close() }
