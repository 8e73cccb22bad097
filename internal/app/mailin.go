package app

import (
	"context"
	"fmt"

	"tessera/internal/auth"
	"tessera/internal/channel/email/imapfetch"
	"tessera/internal/channel/email/ingest"
	"tessera/internal/inbox"
)

// MailIngester is the ingester for mail arriving at an email inbox (nil:
// none named), the same for the IMAP fetcher, the import command and a
// failed mail's retry: the inbox's defaults, every inbox address as ours,
// failures kept raw.
func (a *App) MailIngester(ctx context.Context, inboxID *int64) (*ingest.Ingester, error) {
	boxes, err := a.Inboxes.MailInboxes(ctx)
	if err != nil {
		return nil, err
	}
	var mine []string
	for _, b := range boxes {
		if b.Address != "" {
			mine = append(mine, b.Address)
		}
	}
	if inboxID == nil {
		return a.NewMailIngester(nil, mine), nil
	}
	b, err := a.Inboxes.Get(ctx, auth.System, *inboxID)
	if err != nil {
		return nil, err
	}
	if b.Kind != inbox.KindEmail {
		return nil, fmt.Errorf("inbox %d is a %s inbox, not an email one", b.ID, b.Kind)
	}
	return a.NewMailIngester(&b, mine), nil
}

// NewMailIngester builds the ingester for inbox b (nil: no inbox) with
// mine as our own addresses.
func (a *App) NewMailIngester(b *inbox.Inbox, mine []string) *ingest.Ingester {
	g := &ingest.Ingester{Tickets: a.Tickets, People: a.People, Log: a.Log, Failed: a.FailedMail, Bounces: a.Bounces}
	g.Options.Inboxes = mine
	if b != nil {
		id := b.ID
		g.Defaults = ingest.Defaults{InboxID: &id, TeamID: b.DefaultTeamID, Priority: b.DefaultPriority, Language: b.DefaultLanguage}
	}
	return g
}

// mailSupervisor is the IMAP fetching of every email inbox with an IMAP
// account; servers run it (Run) and call Reload when an inbox changes.
func (a *App) mailSupervisor() *imapfetch.Supervisor {
	return &imapfetch.Supervisor{
		Inboxes: a.Inboxes,
		NewIngester: func(b inbox.Inbox, mine []string) imapfetch.Ingester {
			return a.NewMailIngester(&b, mine)
		},
		Store: a.IMAP,
		Log:   a.Log,
	}
}
