package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/channel/email/ingest"
	"tessera/internal/config"
	"tessera/internal/inbox"
)

// mailImport is "tessera mail import [--inbox ID] FILE...": it stores each
// message of .eml and mbox files as the mail channel does and prints one
// JSON line per message.
func mailImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tessera mail import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	b := config.Bind(fs, false)
	inboxID := fs.Int64("inbox", 0, "the email inbox the mail arrived at: its team, priority and language for new tickets")
	if err := fs.Parse(args); err != nil {
		return helpOK(usageErrorOr(err))
	}
	files := fs.Args()
	if len(files) == 0 {
		return usageError("give one or more .eml or mbox files")
	}
	c, err := b.Config()
	if err != nil {
		return err
	}
	return withApp(ctx, c, stderr, func(a *app.App) error {
		var id *int64
		if *inboxID != 0 {
			id = inboxID
			b, err := a.Inboxes.Get(ctx, auth.System, *inboxID)
			if err != nil {
				return fmt.Errorf("--inbox: %w", err)
			}
			if b.Kind != inbox.KindEmail {
				return usageError(fmt.Sprintf("--inbox: inbox %d is a %s inbox, not an email one", b.ID, b.Kind))
			}
		}
		// The same ingester as the IMAP fetcher's: the inbox's defaults,
		// our addresses, failed mail kept raw.
		g, err := a.MailIngester(ctx, id)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		failed := 0
		for _, f := range files {
			err := ingest.ReadFile(f, func(index int, raw []byte) error {
				source := f
				if index > 0 {
					source = fmt.Sprintf("%s#%d", f, index)
				}
				res := g.IngestFrom(ctx, raw, source)
				res.File, res.Index = f, index
				if !res.Kept() {
					failed++
				}
				return enc.Encode(res)
			})
			if err != nil {
				failed++
				if err := enc.Encode(ingest.Result{File: f, Status: ingest.StatusFailed, Error: err.Error()}); err != nil {
					return err
				}
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		if failed > 0 {
			// Mail kept raw in the failed-mail list counts as stored; this
			// is mail not kept anywhere (or a file that could not be read).
			return fmt.Errorf("%d message(s) could not be stored", failed)
		}
		return nil
	})
}

func usageErrorOr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError(err.Error())
}
