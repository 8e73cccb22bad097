package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/channel/email/ingest"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

const first = `From: Maria Silva <maria@cliente.example>
To: support@acme.example
Subject: Printer is on fire
Message-ID: <first-1@cliente.example>
Date: Tue, 21 Nov 2026 14:00:00 +0000
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain; charset=utf-8

The printer is on fire.

Sent from my iPhone
--b
Content-Type: application/pdf
Content-Disposition: attachment; filename=photo.pdf

%PDF-1.4
--b--
`

func reply(id, inReplyTo, from, subject, body string) string {
	h := "From: " + from + "\nTo: support@acme.example\nSubject: " + subject + "\n"
	if id != "" {
		h += "Message-ID: <" + id + ">\n"
	}
	if inReplyTo != "" {
		h += "In-Reply-To: <" + inReplyTo + ">\nReferences: <" + inReplyTo + ">\n"
	}
	return h + "Content-Type: text/plain; charset=utf-8\n\n" + body
}

func TestIngest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		f := apptest.New(t, e)
		g := &ingest.Ingester{Tickets: f.Tickets, People: f.People}
		messages := func(tid int64) []ticket.Message {
			t.Helper()
			ms, err := f.Tickets.Messages(ctx, auth.System, tid)
			if err != nil {
				t.Fatal(err)
			}
			return ms
		}

		// A new conversation: a ticket on the email channel, the sender as
		// requester, the folded text as the body, the attachment kept.
		r := g.Ingest(ctx, []byte(first))
		if r.Status != ingest.StatusCreated || r.TicketID == 0 || r.MessageID == 0 {
			t.Fatalf("first: %+v", r)
		}
		tk, err := f.Tickets.Get(ctx, auth.System, r.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		maria, err := f.People.ContactByEmail(ctx, "maria@cliente.example")
		if err != nil {
			t.Fatal(err)
		}
		if tk.Channel != "email" || tk.Subject != "Printer is on fire" || tk.RequesterID != maria.ID || maria.Name != "Maria Silva" {
			t.Errorf("ticket %+v, requester %+v", tk, maria)
		}
		ms := messages(r.TicketID)
		if len(ms) != 1 || ms[0].BodyText != "The printer is on fire." || len(ms[0].Attachments) != 1 || ms[0].Attachments[0].Filename != "photo.pdf" ||
			ms[0].AuthorContactID == nil || *ms[0].AuthorContactID != maria.ID {
			t.Fatalf("messages: %+v", ms)
		}

		// The same Message-ID again: nothing new.
		if d := g.Ingest(ctx, []byte(first)); d.Status != ingest.StatusDuplicate || d.TicketID != r.TicketID || d.MessageID != r.MessageID {
			t.Errorf("duplicate: %+v", d)
		}

		// A reply by its References joins the ticket, also from a colleague
		// on Cc (recorded by the desk, not as the requester).
		a := g.Ingest(ctx, []byte(reply("re-1@cliente.example", "first-1@cliente.example", "Maria Silva <maria@cliente.example>", "Re: Printer is on fire",
			"Still burning.\n\nOn Tue, 21 Nov 2026 at 14:00, Acme <support@acme.example> wrote:\n> The printer is on fire.\n")))
		if a.Status != ingest.StatusAppended || a.TicketID != r.TicketID {
			t.Fatalf("reply: %+v", a)
		}
		c := g.Ingest(ctx, []byte(reply("re-2@cliente.example", "re-1@cliente.example", "Joao <joao@cliente.example>", "Re: Printer is on fire", "I see smoke too.\n")))
		if c.Status != ingest.StatusAppended || c.TicketID != r.TicketID {
			t.Fatalf("colleague: %+v", c)
		}
		ms = messages(r.TicketID)
		if len(ms) != 3 || ms[1].BodyText != "Still burning." || ms[2].BodyText != "I see smoke too." {
			t.Errorf("thread: %+v", ms)
		}

		// The ticket number in the subject threads only for the requester.
		num := "[#" + strconv.FormatInt(tk.Number, 10) + "]"
		s := g.Ingest(ctx, []byte(reply("re-3@cliente.example", "", "maria@cliente.example", "New phone, same problem "+num, "Hello again.\n")))
		if s.Status != ingest.StatusAppended || s.TicketID != r.TicketID {
			t.Errorf("subject number from the requester: %+v", s)
		}
		x := g.Ingest(ctx, []byte(reply("re-4@stranger.example", "", "eve@stranger.example", "Let me in "+num, "Hi.\n")))
		if x.Status != ingest.StatusCreated || x.TicketID == r.TicketID {
			t.Errorf("subject number from a stranger: %+v", x)
		}

		// Without a Message-ID, the bytes are the identity.
		noID := reply("", "", "kim@example.com", "No id", "Body.\n")
		n1, n2 := g.Ingest(ctx, []byte(noID)), g.Ingest(ctx, []byte(noID))
		if n1.Status != ingest.StatusCreated || n2.Status != ingest.StatusDuplicate || n2.MessageID != n1.MessageID {
			t.Errorf("no message id: %+v, %+v", n1, n2)
		}

		// An out-of-office opening a ticket is tagged; a bounce of a mail
		// we know lands on its ticket.
		o := g.Ingest(ctx, []byte("Auto-Submitted: auto-replied\n"+reply("ooo-1@x.example", "", "pat@x.example", "Out of office", "Away.\n")))
		if ot, err := f.Tickets.Get(ctx, auth.System, o.TicketID); o.Status != ingest.StatusCreated || err != nil || !slices.Contains(ot.Tags, "auto-reply") {
			t.Errorf("out of office: %+v %+v %v", o, ot.Tags, err)
		}
		bounce := "From: MAILER-DAEMON@mx.example\nTo: support@acme.example\nSubject: Undelivered\nMessage-ID: <b-1@mx.example>\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\nContent-Type: text/plain\n\nFailed.\n" +
			"--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; gone@cliente.example\nAction: failed\nStatus: 5.1.1\n" +
			"--r\nContent-Type: message/rfc822\n\nMessage-ID: <re-1@cliente.example>\nSubject: x\n\nx\n--r--\n"
		if b := g.Ingest(ctx, []byte(bounce)); b.Status != ingest.StatusAppended || b.TicketID != r.TicketID {
			t.Errorf("bounce: %+v", b)
		}

		// An inbox's defaults: the team and priority of new tickets, the
		// language of new contacts.
		gi := &ingest.Ingester{Tickets: f.Tickets, People: f.People, Defaults: ingest.Defaults{TeamID: &f.Support.ID, Priority: "high", Language: "pt-BR"}}
		d := gi.Ingest(ctx, []byte(reply("inbox-1@cliente.example", "", "Ana <ana@cliente.example>", "Ajuda", "Olá.\n")))
		dt, err := f.Tickets.Get(ctx, auth.System, d.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		ana, err := f.People.ContactByEmail(ctx, "ana@cliente.example")
		if err != nil {
			t.Fatal(err)
		}
		if dt.TeamID == nil || *dt.TeamID != f.Support.ID || dt.Priority != "high" || ana.Language != "pt-BR" {
			t.Errorf("defaults: team %v, priority %q, language %q", dt.TeamID, dt.Priority, ana.Language)
		}

		// Not a mail: failed, with the reason.
		if fl := g.Ingest(ctx, []byte("hello\n")); fl.Status != ingest.StatusFailed || fl.Error == "" {
			t.Errorf("garbage: %+v", fl)
		}
		// A blocked file type: the mail is stored, the file named in it.
		exe := "From: kim@example.com\nSubject: tool\nMessage-ID: <exe-1@example.com>\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nHere.\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=tool.exe\n\nMZ\n--b--\n"
		eres := g.Ingest(ctx, []byte(exe))
		if eres.Status != ingest.StatusCreated {
			t.Fatalf("exe: %+v", eres)
		}
		if ms := messages(eres.TicketID); len(ms) != 1 || len(ms[0].Attachments) != 0 || !strings.Contains(ms[0].BodyText, "tool.exe") {
			t.Errorf("exe: %+v", ms)
		}
	})
}

func TestReadFileMbox(t *testing.T) {
	dir := t.TempDir()
	mbox := "From maria@x.example Tue Nov 21 14:00:00 2026\nFrom: maria@x.example\nSubject: one\n\nFirst.\n>From the start.\n\n" +
		"From kim@x.example Tue Nov 21 14:01:00 2026\nFrom: kim@x.example\nSubject: two\n\nSecond.\nFrom inside a line is fine.\n"
	p := filepath.Join(dir, "box.mbox")
	if err := os.WriteFile(p, []byte(mbox), 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	var idx []int
	err := ingest.ReadFile(p, func(i int, raw []byte) error {
		got, idx = append(got, string(raw)), append(idx, i)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"From: maria@x.example\nSubject: one\n\nFirst.\nFrom the start.\n", "From: kim@x.example\nSubject: two\n\nSecond.\nFrom inside a line is fine.\n"}
	if !slices.Equal(got, want) || !slices.Equal(idx, []int{1, 2}) {
		t.Errorf("mbox = %q %v", got, idx)
	}
	e := filepath.Join(dir, "one.eml")
	if err := os.WriteFile(e, []byte(first), 0o600); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := ingest.ReadFile(e, func(i int, raw []byte) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("eml: %d messages, %v", n, err)
	}
}
