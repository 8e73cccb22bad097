package jobs_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"tessera/internal/app"
	"tessera/internal/app/apptest"
	"tessera/internal/jobs"
	"tessera/internal/mail"
	"tessera/internal/mail/mailtest"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestSendMailJob runs the send_mail job on real workers against an SMTP
// server in the test: a mail enqueued is delivered, and one the server
// refuses for good is cancelled instead of retried.
func TestSendMailJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		f := apptest.New(t, e)
		sink := mailtest.Start(t, func(s *mailtest.Sink) { s.Refuse = []string{"gone@example.com"} })
		worker, err := app.New(ctx, f.DB, app.Options{Work: true, Log: slog.New(slog.DiscardHandler),
			Mail: mail.Config{URL: "smtp://" + sink.Addr, From: "help@acme.example"}})
		if err != nil {
			t.Fatal(err)
		}
		events, cancelSub := worker.Queue.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
		defer cancelSub()
		if err := worker.Queue.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_ = worker.Queue.Stop(sctx)
		}()
		// Enqueued by the app that does not work jobs, as a web server's
		// request would; worked by the one that does.
		if err := f.Queue.Insert(ctx, jobs.SendMailArgs{To: "maria@cliente.com.br", Name: "Maria", Subject: "Seu link de acesso",
			Text: "Olá, Maria!\n\nhttp://localhost/help/login/tsl_abc\n", Link: "http://localhost/help/login/tsl_abc"}, nil); err != nil {
			t.Fatal(err)
		}
		if err := f.Queue.Insert(ctx, jobs.SendMailArgs{To: "gone@example.com", Subject: "x", Text: "y"}, nil); err != nil {
			t.Fatal(err)
		}
		kinds := map[river.EventKind]int{}
		timeout := time.After(30 * time.Second)
		for kinds[river.EventKindJobCompleted]+kinds[river.EventKindJobCancelled] < 2 {
			select {
			case ev := <-events:
				if ev.Job.Kind != "send_mail" {
					continue
				}
				kinds[ev.Kind]++
				if ev.Kind == river.EventKindJobFailed {
					t.Fatalf("send_mail failed (would retry): %+v", ev.Job.Errors)
				}
			case <-timeout:
				t.Fatalf("send_mail jobs did not finish: %v", kinds)
			}
		}
		if kinds[river.EventKindJobCompleted] != 1 || kinds[river.EventKindJobCancelled] != 1 {
			t.Errorf("outcomes = %v, want one completed and one cancelled", kinds)
		}
		got := sink.Messages()
		if len(got) != 1 || got[0].To[0] != "maria@cliente.com.br" || !strings.Contains(got[0].Data, "tsl_abc") {
			t.Fatalf("sink received %+v", got)
		}
	})
}
