package ingest_test

import (
	"context"
	"fmt"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/channel/email/ingest"
	"tessera/internal/store/storetest"
)

// BenchmarkIngest stores new mails, one ticket each, and as many replies
// threaded by In-Reply-To: messages per second from raw bytes into tickets.
func BenchmarkIngest(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			f := apptest.New(b, e)
			g := &ingest.Ingester{Tickets: f.Tickets, People: f.People}
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				var raw string
				if i%2 == 0 {
					raw = reply(fmt.Sprintf("b-%d@x.example", i), "", fmt.Sprintf("c%d@x.example", i%50), "Question", "Hello.\n")
				} else {
					raw = reply(fmt.Sprintf("b-%d@x.example", i), fmt.Sprintf("b-%d@x.example", i-1), fmt.Sprintf("c%d@x.example", (i-1)%50), "Re: Question", "Thanks.\n\nOn Mon, 1 Jan 2026, A <a@b.example> wrote:\n> Hello.\n")
				}
				if r := g.Ingest(ctx, []byte(raw)); r.Status == ingest.StatusFailed {
					b.Fatal(r.Error)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
