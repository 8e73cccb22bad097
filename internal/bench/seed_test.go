package bench

import (
	"context"
	"slices"
	"strings"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/search"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

func TestDocumentMatchesGenerator(t *testing.T) {
	r := newRand(3)
	var tx text
	for i := range 200 {
		l := languages[i%len(languages)]
		tx.message(r, l, bodyLength(r), l.content[i%len(l.content)], l.topic(r, i%len(l.subjects), nil))
		if got, want := tx.doc.String(), search.Document(tx.b.String()); got != want {
			t.Fatalf("document of generated text differs:\n got %q\nwant %q\ntext %q", got, want, tx.b.String())
		}
	}
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	old := rebuildMin
	rebuildMin = 500
	t.Cleanup(func() { rebuildMin = old })
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		w, err := map[store.Engine]func() (writer, error){
			store.SQLite:   func() (writer, error) { return newLiteWriter(ctx, f.DB) },
			store.Postgres: func() (writer, error) { return newPgWriter(ctx, f.DB) },
		}[e]()
		if err != nil {
			t.Fatal(err)
		}
		before, err := w.indexes(ctx, bulkTables)
		w.close(ctx)
		if err != nil || len(before) < 10 {
			t.Fatalf("indexes = %v, %v", before, err)
		}
		res, err := Seed(ctx, f.DB, SeedOptions{Tickets: 1500, Seed: 7, Batch: 400})
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		if res.Tickets != 1500 || res.FirstTicketID != 1 || res.Messages < 4000 || res.Contacts != 375 {
			t.Fatalf("result = %+v", res)
		}
		// A second run adds to the first: ids and numbers continue.
		res2, err := Seed(ctx, f.DB, SeedOptions{Tickets: 300, Seed: 8})
		if err != nil {
			t.Fatalf("second seed: %v", err)
		}
		if res2.FirstTicketID != 1501 {
			t.Fatalf("second run started at %d", res2.FirstTicketID)
		}
		after, err := w.indexes(ctx, bulkTables)
		if err != nil || !slices.Equal(before, after) {
			t.Fatalf("indexes after the seed:\n%v\nwant\n%v (%v)", after, before, err)
		}
		q := f.DB.Read()
		one := func(query string) int64 {
			t.Helper()
			var n int64
			if err := q.QueryRow(ctx, query).Scan(&n); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return n
		}
		if n := one(`SELECT COUNT(*) FROM tickets`); n != 1800 {
			t.Errorf("tickets = %d", n)
		}
		if n := one(`SELECT MAX(number) - MIN(number) + 1 FROM tickets`); n != 1800 {
			t.Errorf("numbers span %d", n)
		}
		if n := one(`SELECT COUNT(*) FROM tickets t WHERE message_count <> (SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id)`); n != 0 {
			t.Errorf("%d tickets with a wrong message_count", n)
		}
		if n := one(`SELECT COUNT(*) FROM ticket_events e WHERE e.type = 'created' AND e.message_id NOT IN (SELECT id FROM messages WHERE ticket_id = e.ticket_id)`); n != 0 {
			t.Errorf("%d created events point at no message of theirs", n)
		}
		if n := one(`SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = t.requester_id)`); n != 0 {
			t.Errorf("%d tickets without requester", n)
		}
		open := one(`SELECT COUNT(*) FROM tickets WHERE status_category IN ('new', 'open', 'pending', 'on_hold')`)
		if open < 1800*8/100 || open > 1800*17/100 {
			t.Errorf("%d of 1800 tickets still open", open)
		}
		if e == store.SQLite {
			if n := one(`SELECT COUNT(*) FROM pragma_foreign_key_check`); n != 0 {
				t.Errorf("%d foreign key violations", n)
			}
		}

		// The index documents are what the service itself would write.
		for _, id := range []int64{3, 777, 1600} {
			var subject string
			if err := q.QueryRow(ctx, `SELECT subject FROM tickets WHERE id = $1`, id).Scan(&subject); err != nil {
				t.Fatal(err)
			}
			msgs, err := f.Tickets.Messages(ctx, f.Admin, id)
			if err != nil {
				t.Fatal(err)
			}
			var bodies []string
			for _, m := range msgs {
				bodies = append(bodies, m.BodyText)
			}
			body := search.Document(strings.Join(bodies, "\n"))
			var same bool
			if e == store.SQLite {
				var s, b string
				if err := q.QueryRow(ctx, `SELECT subject, body FROM ticket_fts WHERE rowid = $1`, id).Scan(&s, &b); err != nil {
					t.Fatal(err)
				}
				same = s == search.Document(subject) && b == body
			} else {
				err = q.QueryRow(ctx, `SELECT document = setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B') FROM ticket_search WHERE ticket_id = $1`,
					id, search.Document(subject), body).Scan(&same)
				if err != nil {
					t.Fatal(err)
				}
			}
			if !same {
				t.Errorf("ticket %d: index document differs from the service's", id)
			}
			// And search finds the ticket by its own words.
			words := search.Tokens(subject)
			res, err := f.Tickets.Search(ctx, f.Admin, strings.Join(words, " "), "", 50)
			if err != nil || len(res.Items) == 0 {
				t.Errorf("search %q: %d hits, %v", subject, len(res.Items), err)
			}
		}

		// The service carries on where the seed stopped.
		tk, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "after the seed", Body: "hello", Requester: &ticket.RequesterInput{Email: "new@example.com"}})
		if err != nil {
			t.Fatalf("create after seed: %v", err)
		}
		if tk.ID != 1801 || tk.Number != one(`SELECT MAX(number) FROM tickets`) {
			t.Errorf("created ticket id %d number %d", tk.ID, tk.Number)
		}
		if _, err := f.Tickets.AddMessage(ctx, f.Agent, one(`SELECT MIN(id) FROM tickets WHERE status_category = 'open'`), ticket.MessageInput{Kind: "note", Body: "a note"}); err != nil {
			t.Errorf("note on a seeded ticket: %v", err)
		}
	})
}
