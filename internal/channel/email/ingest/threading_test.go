package ingest_test

import (
	"context"
	"encoding/base64"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/inbox"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// threadIndex builds an Outlook Thread-Index: a 22-byte root and one
// 5-byte block per reply.
func threadIndex(root byte, replies int) string {
	b := make([]byte, 22+5*replies)
	for i := range 22 {
		b[i] = root + byte(i)
	}
	for i := 22; i < len(b); i++ {
		b[i] = byte(i * 7)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// TestThreadingGaps: Outlook's Thread-Index joins a reply whose headers
// were dropped; the same Message-ID through two inboxes is one message;
// the Cc of a customer's mail become followers, our own addresses not.
func TestThreadingGaps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		f := apptest.New(t, e)
		mk := func(name, addr string) inbox.Inbox {
			kind := inbox.KindEmail
			b, err := f.Inboxes.Create(ctx, f.Admin, inbox.Input{Kind: &kind, Name: &name, Address: &addr})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		sales, support := mk("Sales", "sales@acme.example"), mk("Support", "support@acme.example")
		gSales, err := f.MailIngester(ctx, &sales.ID)
		if err != nil {
			t.Fatal(err)
		}
		gSupport, err := f.MailIngester(ctx, &support.ID)
		if err != nil {
			t.Fatal(err)
		}

		first := "From: Pat <pat@cliente.example>\r\nTo: support@acme.example\r\nCc: Lee <lee@cliente.example>, sales@acme.example, Support <support+77@acme.example>\r\n" +
			"Subject: Outlook thread\r\nMessage-ID: <ol-1@cliente.example>\r\nThread-Index: " + threadIndex(10, 0) + "\r\n\r\nFirst.\r\n"
		r1 := gSupport.Ingest(ctx, []byte(first))
		if r1.Status != "created" {
			t.Fatalf("first: %+v", r1)
		}
		// The same mail reached the sales address too: one message.
		if r := gSales.Ingest(ctx, []byte(first)); r.Status != "duplicate" || r.MessageID != r1.MessageID {
			t.Errorf("through a second inbox: %+v", r)
		}
		fs, err := f.Tickets.Followers(ctx, f.Admin, r1.TicketID)
		if err != nil || len(fs) != 1 || fs[0].Email != "lee@cliente.example" {
			t.Errorf("followers (our own addresses excluded): %+v %v", fs, err)
		}

		// A reply with no In-Reply-To, References or number, but the same
		// Thread-Index root, joins the ticket.
		reply := "From: Pat <pat@cliente.example>\r\nTo: support@acme.example\r\nSubject: RE: Outlook thread (changed)\r\nMessage-ID: <ol-2@cliente.example>\r\n" +
			"Thread-Index: " + threadIndex(10, 2) + "\r\n\r\nSecond.\r\n"
		if r := gSupport.Ingest(ctx, []byte(reply)); r.Status != "appended" || r.TicketID != r1.TicketID {
			t.Errorf("thread-index reply: %+v, want ticket %d", r, r1.TicketID)
		}
		// A stranger copying the header does not get in.
		stranger := "From: Eve <eve@elsewhere.example>\r\nTo: support@acme.example\r\nSubject: RE: Outlook thread\r\nMessage-ID: <eve-1@elsewhere.example>\r\n" +
			"Thread-Index: " + threadIndex(10, 3) + "\r\n\r\nLet me in.\r\n"
		if r := gSupport.Ingest(ctx, []byte(stranger)); r.Status != "created" || r.TicketID == r1.TicketID {
			t.Errorf("stranger with a copied Thread-Index: %+v", r)
		}
		// Another root is another conversation.
		other := "From: Pat <pat@cliente.example>\r\nTo: support@acme.example\r\nSubject: RE: Outlook thread\r\nMessage-ID: <ol-3@cliente.example>\r\n" +
			"Thread-Index: " + threadIndex(90, 1) + "\r\n\r\nThird.\r\n"
		if r := gSupport.Ingest(ctx, []byte(other)); r.Status != "created" || r.TicketID == r1.TicketID {
			t.Errorf("other root: %+v", r)
		}

		// Lee, the colleague on Cc, answers by References: the mail joins
		// the ticket, recorded by the desk.
		lee := "From: Lee <lee@cliente.example>\r\nTo: support@acme.example\r\nSubject: Re: Outlook thread\r\nMessage-ID: <lee-1@cliente.example>\r\n" +
			"In-Reply-To: <ol-1@cliente.example>\r\nReferences: <ol-1@cliente.example>\r\n\r\nMe too.\r\n"
		if r := gSupport.Ingest(ctx, []byte(lee)); r.Status != "appended" || r.TicketID != r1.TicketID {
			t.Errorf("colleague on Cc: %+v", r)
		}
		msgs, err := f.Tickets.Messages(ctx, auth.System, r1.TicketID)
		if err != nil || len(msgs) != 3 {
			t.Fatalf("thread: %d messages, %v", len(msgs), err)
		}
		if msgs[2].From.Email != "lee@cliente.example" || msgs[2].Headers == nil || msgs[2].Headers.MessageID != "lee-1@cliente.example" {
			t.Errorf("colleague's message: from %+v headers %+v", msgs[2].From, msgs[2].Headers)
		}
		tk, err := f.Tickets.Get(ctx, f.Admin, r1.TicketID)
		if err != nil || tk.InboxID == nil || *tk.InboxID != support.ID {
			t.Errorf("ticket inbox: %+v %v", tk.InboxID, err)
		}
	})
}
