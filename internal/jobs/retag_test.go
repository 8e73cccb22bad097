package jobs_test

import (
	"context"
	"testing"

	"github.com/riverqueue/river"

	"tessera/internal/app/apptest"
	"tessera/internal/jobs"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

// TestRetagJob: renaming a tag enqueues a job in the same transaction as
// the audit row; working it moves every ticket to the new tag.
func TestRetagJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		f := apptest.New(t, e)
		defer func(n int) { ticket.RetagBatchSize = n }(ticket.RetagBatchSize)
		ticket.RetagBatchSize = 2 // three tickets are more than a batch
		for _, s := range []string{"a", "b", "c"} {
			if _, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: s, Body: "b", Tags: []string{"wifi"}, Requester: &ticket.RequesterInput{Email: "w@x.test"}}); err != nil {
				t.Fatal(err)
			}
		}
		n, err := f.Tickets.RenameTag(ctx, f.Admin, "wifi", "wireless")
		if err != nil || n != 3 {
			t.Fatalf("rename: %d %v", n, err)
		}
		var queued int
		if err := f.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'retag'`).Scan(&queued); err != nil || queued != 1 {
			t.Fatalf("retag jobs queued = %d (%v)", queued, err)
		}
		if c, _ := f.Tickets.TagCounts(ctx, "wifi", "", 1, 10); len(c) != 1 || c[0].Count != 3 {
			t.Errorf("tickets changed before the job ran: %+v", c)
		}
		w := &jobs.RetagWorker{Tickets: f.Tickets}
		if err := w.Work(ctx, &river.Job[jobs.RetagArgs]{Args: jobs.RetagArgs{Retag: ticket.Retag{From: "wifi", To: "wireless", ActorID: f.Admin.ID}}}); err != nil {
			t.Fatal(err)
		}
		c, _ := f.Tickets.TagCounts(ctx, "", "", 10, 10)
		if len(c) != 1 || c[0].Name != "wireless" || c[0].Count != 3 {
			t.Errorf("after the job: %+v", c)
		}
	})
}
