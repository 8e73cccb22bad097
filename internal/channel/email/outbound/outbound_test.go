package outbound_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"tessera/internal/app"
	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/channel/email/ingest"
	"tessera/internal/channel/email/outbound"
	"tessera/internal/inbox"
	"tessera/internal/mail"
	"tessera/internal/mail/mailtest"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

// env is a working app (its jobs run) on a fresh database, an SMTP sink
// its mail goes to, and an email inbox whose own SMTP settings name the
// sink.
type env struct {
	*apptest.Fixture
	W    *app.App
	Sink *mailtest.Sink // the inbox's own SMTP server
	// Global is the server-wide --smtp-url: agents' notifications.
	Global  *mailtest.Sink
	InboxID int64
	In      *ingest.Ingester
}

func setup(t *testing.T, e store.Engine, configure ...func(*mailtest.Sink)) *env {
	t.Helper()
	ctx := context.Background()
	f := apptest.New(t, e)
	sink := mailtest.Start(t, configure...)
	global := mailtest.Start(t)
	w, err := app.New(ctx, f.DB, app.Options{Work: true, Log: slog.New(slog.DiscardHandler), PublicURL: "https://desk.tessera.test",
		Mail: mail.Config{URL: "smtp://" + global.Addr + "?tls=none", From: "Tessera <noreply@tessera.test>"}, MailRetryBackoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = w.Queue.Stop(sctx)
	})
	name, kind, addr := "Support", inbox.KindEmail, "support@tessera.test"
	settings := map[string]any{"smtp": map[string]any{"host": sink.Host(), "port": atoi(t, sink.Port()), "security": "none"}}
	b, err := w.Inboxes.Create(ctx, f.Admin, inbox.Input{Name: &name, Kind: &kind, Address: &addr, Settings: &settings})
	if err != nil {
		t.Fatal(err)
	}
	in := &ingest.Ingester{Tickets: w.Tickets, People: w.People, Defaults: ingest.Defaults{InboxID: &b.ID}, Bounces: w.Bounces}
	return &env{Fixture: f, W: w, Sink: sink, Global: global, InboxID: b.ID, In: in}
}

func atoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func rawMail(from, subject, msgID, extra, body string) []byte {
	return []byte("From: " + from + "\r\nTo: support@tessera.test\r\nSubject: " + subject + "\r\nMessage-ID: <" + msgID + ">\r\n" +
		"Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n" + extra + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

func (e *env) ingest(t *testing.T, raw []byte) ingest.Result {
	t.Helper()
	r := e.In.Ingest(context.Background(), raw)
	if r.Status == ingest.StatusFailed {
		t.Fatalf("ingest: %s", r.Error)
	}
	return r
}

// mailsTo returns what the sink received for addr, parsed.
func (e *env) mailsTo(t *testing.T, addr string) []*enmime.Envelope {
	t.Helper()
	var out []*enmime.Envelope
	for _, m := range append(e.Sink.Messages(), e.Global.Messages()...) {
		if !slices.Contains(m.To, addr) {
			continue
		}
		env, err := enmime.ReadEnvelope(strings.NewReader(m.Data))
		if err != nil {
			t.Fatalf("parse sent mail: %v", err)
		}
		out = append(out, env)
	}
	return out
}

// waitMails waits until addr received n mails.
func (e *env) waitMails(t *testing.T, addr string, n int) []*enmime.Envelope {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := e.mailsTo(t, addr)
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) < n {
				t.Fatalf("%s received %d mails, want %d", addr, len(got), n)
			}
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// deliveries waits until the deliveries of a message leave "queued".
func waitDelivery(t *testing.T, tk *ticket.Service, ticketID, msgID int64, want string) ticket.Delivery {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		msgs, err := tk.Messages(context.Background(), auth.System, ticketID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.ID == msgID && len(m.Delivery) > 0 && m.Delivery[0].Status == want {
				return m.Delivery[0]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %d: delivery never became %s: %+v", msgID, want, msgs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func pngBytes(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReplyByMail: a customer's mail opens a ticket and is acknowledged;
// the agent's reply reaches the customer and the follower as a threaded
// multipart mail from the inbox's address; the customer's answer to it
// lands on the same ticket.
func TestReplyByMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		ctx := context.Background()
		e := setup(t, eng)
		r := e.ingest(t, rawMail("Maria Souza <maria@cliente.test>", "Printer on fire", "first.1@cliente.test",
			"Cc: Joao <joao@cliente.test>\r\n", "It is on fire."))
		if r.Status != ingest.StatusCreated {
			t.Fatalf("status %s", r.Status)
		}
		tk, err := e.W.Tickets.Get(ctx, auth.System, r.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		// The Cc'd colleague follows (mail-in may do this itself; an agent can too).
		joao, err := e.W.People.EnsureContact(ctx, "joao@cliente.test", "Joao", "pt-BR")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.W.Tickets.AddFollowers(ctx, e.Agent, tk.ID, []int64{joao.ID}); err != nil {
			t.Fatal(err)
		}
		ack := e.waitMails(t, "maria@cliente.test", 1)[0]
		if got := ack.GetHeader("Auto-Submitted"); got != "auto-replied" {
			t.Errorf("ack Auto-Submitted = %q", got)
		}
		if got := ack.GetHeader("In-Reply-To"); got != "<first.1@cliente.test>" {
			t.Errorf("ack In-Reply-To = %q", got)
		}
		wantRef := fmt.Sprintf("#%d", tk.Number)
		if !strings.Contains(ack.GetHeader("Subject"), wantRef) || !strings.Contains(ack.Text, fmt.Sprintf("https://desk.tessera.test/help/requests/%d", tk.Number)) {
			t.Errorf("ack subject %q text %q: want the reference and the portal link", ack.GetHeader("Subject"), ack.Text)
		}

		res, err := e.W.Tickets.AddMessage(ctx, e.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindReply,
			Body: "Hello **Maria**, here is the fix:\n\n![screen](screen.png)",
			Attachments: []ticket.AttachmentInput{
				{Filename: "screen.png", ContentType: "image/png", Data: pngBytes(t)},
				{Filename: "steps.txt", ContentType: "text/plain", Data: []byte("1. unplug\n2. water\n")},
			}})
		if err != nil {
			t.Fatal(err)
		}
		got := e.waitMails(t, "maria@cliente.test", 2)[1]
		var mailID string
		if err := e.DB.Read().QueryRow(ctx, `SELECT mail_message_id FROM messages WHERE id = $1`, res.Message.ID).Scan(&mailID); err != nil {
			t.Fatal(err)
		}
		checks := map[string][2]string{
			"Message-ID":  {got.GetHeader("Message-ID"), "<" + mailID + ">"},
			"In-Reply-To": {got.GetHeader("In-Reply-To"), "<first.1@cliente.test>"},
			"References":  {got.GetHeader("References"), "<first.1@cliente.test>"},
			"Subject":     {got.GetHeader("Subject"), fmt.Sprintf("Re: Printer on fire [#%d]", tk.Number)},
			"From":        {got.GetHeader("From"), `"Support" <support@tessera.test>`},
			"Reply-To":    {got.GetHeader("Reply-To"), fmt.Sprintf(`"Support" <support+%d@tessera.test>`, tk.Number)},
		}
		for h, c := range checks {
			if c[0] != c[1] {
				t.Errorf("%s = %q, want %q", h, c[0], c[1])
			}
		}
		if got.GetHeader("Auto-Submitted") != "" {
			t.Errorf("a person's reply carries Auto-Submitted %q", got.GetHeader("Auto-Submitted"))
		}
		if !strings.Contains(got.Text, "Hello **Maria**") || !strings.Contains(got.HTML, "<strong>Maria</strong>") {
			t.Errorf("text %q / html %q", got.Text, got.HTML)
		}
		if alt := got.Root.DepthMatchFirst(func(p *enmime.Part) bool { return p.ContentType == "multipart/alternative" }); alt == nil {
			t.Error("no multipart/alternative part")
		}
		if len(got.Inlines) != 1 || got.Inlines[0].FileName != "screen.png" || !strings.Contains(got.HTML, `src="cid:`+got.Inlines[0].ContentID+`"`) {
			t.Errorf("inline image: %d inlines, html %q", len(got.Inlines), got.HTML)
		}
		if len(got.Attachments) != 1 || got.Attachments[0].FileName != "steps.txt" || string(got.Attachments[0].Content) != "1. unplug\n2. water\n" {
			t.Errorf("attachments: %+v", got.Attachments)
		}
		// The follower gets the same mail.
		if j := e.waitMails(t, "joao@cliente.test", 1); j[0].GetHeader("Message-ID") != "<"+mailID+">" {
			t.Errorf("follower's copy has Message-ID %q", j[0].GetHeader("Message-ID"))
		}
		for _, m := range e.Global.Messages() {
			if slices.Contains(m.To, "maria@cliente.test") {
				t.Error("a reply left through the server-wide SMTP server, not the inbox's")
			}
		}
		d := waitDelivery(t, e.W.Tickets, tk.ID, res.Message.ID, "sent")
		if d.Attempts != 1 || d.SentAt == nil {
			t.Errorf("delivery %+v", d)
		}

		// The customer answers the mail: it threads by In-Reply-To, though
		// the subject changed.
		ans := e.ingest(t, rawMail("Maria Souza <maria@cliente.test>", "thanks!", "answer.2@cliente.test",
			"In-Reply-To: <"+mailID+">\r\nReferences: <first.1@cliente.test> <"+mailID+">\r\n", "It works now."))
		if ans.Status != ingest.StatusAppended || ans.TicketID != tk.ID {
			t.Fatalf("answer: %+v, want appended to ticket %d", ans, tk.ID)
		}
		// A second reply names both earlier mails.
		res2, err := e.W.Tickets.AddMessage(ctx, e.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindReply, Body: "Glad to hear."})
		if err != nil {
			t.Fatal(err)
		}
		second := e.waitMails(t, "maria@cliente.test", 3)[2]
		if refs := second.GetHeader("References"); !strings.Contains(refs, "<first.1@cliente.test>") || !strings.Contains(refs, "<"+mailID+">") ||
			!strings.HasSuffix(refs, "<answer.2@cliente.test>") || second.GetHeader("In-Reply-To") != "<answer.2@cliente.test>" {
			t.Errorf("second reply References %q In-Reply-To %q", refs, second.GetHeader("In-Reply-To"))
		}
		waitDelivery(t, e.W.Tickets, tk.ID, res2.Message.ID, "sent")
		// Notes are never mailed.
		if _, err := e.W.Tickets.AddMessage(ctx, e.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindNote, Body: "internal only"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond)
		if n := len(e.mailsTo(t, "maria@cliente.test")); n != 3 {
			t.Errorf("after a note the customer has %d mails, want 3", n)
		}
	})
}

// TestRetryAndPermanentFailure: a 4xx is retried with backoff until it
// goes through; a 5xx fails the delivery at once, and the failure shows on
// the message.
func TestRetryAndPermanentFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		ctx := context.Background()
		e := setup(t, eng, func(s *mailtest.Sink) { s.Refuse = []string{"gone@cliente.test"} })
		if _, err := e.W.MailOptions.SetInbox(ctx, e.Admin, e.InboxID, outbound.InboxOptionsInput{AutoAck: new(false)}); err != nil {
			t.Fatal(err)
		}
		r := e.ingest(t, rawMail("Rita <rita@cliente.test>", "Slow server", "slow.1@cliente.test", "", "hello"))
		e.Sink.SetTempFail(2)
		res, err := e.W.Tickets.AddMessage(ctx, e.Agent, r.TicketID, ticket.MessageInput{Kind: ticket.KindReply, Body: "On it."})
		if err != nil {
			t.Fatal(err)
		}
		d := waitDelivery(t, e.W.Tickets, r.TicketID, res.Message.ID, "sent")
		if d.Attempts != 3 {
			t.Errorf("delivered after %d attempts, want 3 (two 451s)", d.Attempts)
		}
		if n := len(e.waitMails(t, "rita@cliente.test", 1)); n != 1 {
			t.Errorf("rita got %d mails", n)
		}

		g := e.ingest(t, rawMail("Gone <gone@cliente.test>", "Old address", "gone.1@cliente.test", "", "hello"))
		res, err = e.W.Tickets.AddMessage(ctx, e.Agent, g.TicketID, ticket.MessageInput{Kind: ticket.KindReply, Body: "Hello?"})
		if err != nil {
			t.Fatal(err)
		}
		d = waitDelivery(t, e.W.Tickets, g.TicketID, res.Message.ID, "failed")
		if d.Attempts != 1 || !strings.Contains(d.Error, "550") || d.Recipient != "gone@cliente.test" {
			t.Errorf("failed delivery %+v: want one attempt and the server's 550", d)
		}
		msgs, err := e.W.Tickets.Messages(ctx, e.Agent, g.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if u := msgs[len(msgs)-1].Undelivered(); len(u) != 1 {
			t.Errorf("undelivered = %+v", u)
		}
		// Customers do not see delivery records.
		var contactID int64
		if err := e.DB.Read().QueryRow(ctx, `SELECT requester_id FROM tickets WHERE id = $1`, g.TicketID).Scan(&contactID); err != nil {
			t.Fatal(err)
		}
		cm, err := e.W.Tickets.Messages(ctx, auth.Actor{Kind: auth.KindContact, ID: contactID}, g.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range cm {
			if len(m.Delivery) > 0 {
				t.Errorf("the customer sees deliveries: %+v", m.Delivery)
			}
		}
	})
}

// TestBounceMarksDelivery: a DSN naming our reply's Message-ID marks its
// delivery bounced with the diagnostic, and is not acknowledged.
func TestBounceMarksDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		ctx := context.Background()
		e := setup(t, eng)
		r := e.ingest(t, rawMail("Paula <paula@cliente.test>", "Help", "help.1@cliente.test", "", "hello"))
		e.waitMails(t, "paula@cliente.test", 1) // the acknowledgement
		res, err := e.W.Tickets.AddMessage(ctx, e.Agent, r.TicketID, ticket.MessageInput{Kind: ticket.KindReply, Body: "Answer"})
		if err != nil {
			t.Fatal(err)
		}
		waitDelivery(t, e.W.Tickets, r.TicketID, res.Message.ID, "sent")
		var mailID string
		if err := e.DB.Read().QueryRow(ctx, `SELECT mail_message_id FROM messages WHERE id = $1`, res.Message.ID).Scan(&mailID); err != nil {
			t.Fatal(err)
		}
		dsn := "From: Mail Delivery System <MAILER-DAEMON@mx.cliente.test>\r\nTo: support@tessera.test\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
			"Message-ID: <bounce.1@mx.cliente.test>\r\nReturn-Path: <>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
			"--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n" +
			"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.cliente.test\r\n\r\n" +
			"Final-Recipient: rfc822; paula@cliente.test\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 mailbox full\r\n" +
			"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <" + mailID + ">\r\nSubject: Re: Help\r\n" +
			"--B--\r\n"
		e.ingest(t, []byte(dsn))
		d := waitDelivery(t, e.W.Tickets, r.TicketID, res.Message.ID, "bounced")
		if !strings.Contains(d.Error, "mailbox full") {
			t.Errorf("bounced delivery %+v: want the diagnostic", d)
		}
		// The bounce is no customer's mail: nothing answers it.
		time.Sleep(1500 * time.Millisecond)
		if n := len(e.mailsTo(t, "mailer-daemon@mx.cliente.test")) + len(e.mailsTo(t, "MAILER-DAEMON@mx.cliente.test")); n != 0 {
			t.Errorf("the bounce was answered %d times", n)
		}
	})
}

// TestAutoAckRules: acknowledgements go to people, never to machines, to
// ourselves, or to a flooding sender, whose tickets are kept and tagged.
func TestAutoAckRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		ctx := context.Background()
		e := setup(t, eng)
		cases := []struct {
			name, from, extra string
			ack               bool
		}{
			{"a person", "Ana <ana@cliente.test>", "", true},
			{"out of office", "Out <ooo@cliente.test>", "Auto-Submitted: auto-replied\r\n", false},
			{"autoreply header", "Vac <vac@cliente.test>", "X-Autoreply: yes\r\n", false},
			{"bulk", "News <news@cliente.test>", "Precedence: bulk\r\n", false},
			{"our own inbox", "Support <support@tessera.test>", "", false},
			{"our own plus-address", "Support <support+77@tessera.test>", "", false},
			{"the server's sender", "Tessera <noreply@tessera.test>", "", false},
			{"a robot", "<no-reply@shop.test>", "", false},
		}
		for i, c := range cases {
			e.ingest(t, rawMail(c.from, "Case "+c.name, fmt.Sprintf("case.%d@x.test", i), c.extra, "body"))
		}
		e.waitMails(t, "ana@cliente.test", 1)
		time.Sleep(1500 * time.Millisecond) // the other jobs, had there been any, ran by now
		for _, c := range cases[1:] {
			addr := c.from[strings.IndexByte(c.from, '<')+1 : len(c.from)-1]
			if n := len(e.mailsTo(t, addr)); n != 0 {
				t.Errorf("%s: %d acknowledgements", c.name, n)
			}
		}

		// A flooding sender: the first 3 get acknowledged, the rest are
		// kept, tagged and not acknowledged.
		limit := 3
		if _, err := e.W.MailOptions.SetInbox(ctx, e.Admin, e.InboxID, outbound.InboxOptionsInput{FloodPerHour: &limit}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := range 5 {
			r := e.ingest(t, rawMail("Flo <flood@cliente.test>", fmt.Sprintf("Flood %d", i), fmt.Sprintf("flood.%d@cliente.test", i), "", "again"))
			if r.Status != ingest.StatusCreated {
				t.Fatalf("flood %d: %s", i, r.Status)
			}
			ids = append(ids, r.TicketID)
		}
		e.waitMails(t, "flood@cliente.test", 3)
		time.Sleep(1500 * time.Millisecond)
		if n := len(e.mailsTo(t, "flood@cliente.test")); n != 3 {
			t.Errorf("flooding sender got %d acknowledgements, want 3", n)
		}
		for i, id := range ids {
			tk, err := e.W.Tickets.Get(ctx, auth.System, id)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := slices.Contains(tk.Tags, outbound.TagRateLimited), i >= limit; got != want {
				t.Errorf("flood ticket %d tagged rate_limited = %t, want %t", i, got, want)
			}
		}

		// Switched off for the inbox: no acknowledgement.
		if _, err := e.W.MailOptions.SetInbox(ctx, e.Admin, e.InboxID, outbound.InboxOptionsInput{AutoAck: new(false)}); err != nil {
			t.Fatal(err)
		}
		e.ingest(t, rawMail("Quiet <quiet@cliente.test>", "No ack please", "quiet.1@cliente.test", "", "body"))
		time.Sleep(1500 * time.Millisecond)
		if n := len(e.mailsTo(t, "quiet@cliente.test")); n != 0 {
			t.Errorf("inbox with acknowledgements off sent %d", n)
		}
		if _, err := e.W.MailOptions.SetInbox(ctx, e.Agent, e.InboxID, outbound.InboxOptionsInput{AutoAck: new(true)}); err == nil {
			t.Error("an agent changed an inbox's mail options")
		}
	})
}

// TestAgentNotificationMails: assigned-to-you and customer-replied mails
// go to the agent unless they turned them off.
func TestAgentNotificationMails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		ctx := context.Background()
		e := setup(t, eng)
		if _, err := e.W.MailOptions.SetInbox(ctx, e.Admin, e.InboxID, outbound.InboxOptionsInput{AutoAck: new(false)}); err != nil {
			t.Fatal(err)
		}
		r := e.ingest(t, rawMail("Lu <lu@cliente.test>", "Billing question", "lu.1@cliente.test", "", "hi"))
		assignee := e.Agent2.ID
		if _, err := e.W.Tickets.Update(ctx, e.Agent, r.TicketID, ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true, Value: &assignee}}); err != nil {
			t.Fatal(err)
		}
		got := e.waitMails(t, "agent2@example.com", 1)[0]
		if !strings.Contains(got.GetHeader("Subject"), "assigned to you") || !strings.Contains(got.Text, fmt.Sprintf("https://desk.tessera.test/tickets/%d", r.TicketID)) {
			t.Errorf("assignment mail %q: %q", got.GetHeader("Subject"), got.Text)
		}
		// Bea turns off customer-replied mails; the customer answers.
		if _, err := e.W.MailOptions.SetAgent(ctx, e.Agent2, e.Agent2.ID, outbound.AgentPrefs{Assigned: true, CustomerReplied: false}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.W.MailOptions.SetAgent(ctx, e.Agent, e.Agent2.ID, outbound.AgentPrefs{}); err == nil {
			t.Error("an agent changed a colleague's preferences")
		}
		e.ingest(t, rawMail("Lu <lu@cliente.test>", "Re: Billing question", "lu.2@cliente.test", "In-Reply-To: <lu.1@cliente.test>\r\n", "more"))
		time.Sleep(1500 * time.Millisecond)
		if n := len(e.mailsTo(t, "agent2@example.com")); n != 1 {
			t.Errorf("agent2 has %d mails, want only the assignment", n)
		}
		if _, err := e.W.MailOptions.SetAgent(ctx, e.Agent2, e.Agent2.ID, outbound.AgentPrefs{Assigned: true, CustomerReplied: true}); err != nil {
			t.Fatal(err)
		}
		e.ingest(t, rawMail("Lu <lu@cliente.test>", "Re: Billing question", "lu.3@cliente.test", "In-Reply-To: <lu.1@cliente.test>\r\n", "even more"))
		if m := e.waitMails(t, "agent2@example.com", 2)[1]; !strings.Contains(m.GetHeader("Subject"), "replied") {
			t.Errorf("customer-replied mail subject %q", m.GetHeader("Subject"))
		}
	})
}

// TestAcknowledgementLanguagesAndTemplates: the acknowledgement is in the
// requester's language (4 of them), an inbox's own template wins over the
// one for every inbox, and the web form's requests are acknowledged too.
func TestAcknowledgementLanguagesAndTemplates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		ctx := context.Background()
		e := setup(t, eng)
		want := map[string]string{"en": "We received your request", "pt-BR": "Recebemos sua solicitação", "es": "Hemos recibido su solicitud", "he": "קיבלנו את הפנייה שלך"}
		for lang, phrase := range want {
			addr := "lang-" + strings.ToLower(lang) + "@cliente.test"
			if _, err := e.W.People.EnsureContact(ctx, addr, "Cliente "+lang, lang); err != nil {
				t.Fatal(err)
			}
			r := e.ingest(t, rawMail(addr, "Pedido "+lang, "lang."+lang+"@cliente.test", "", "body"))
			tk, err := e.W.Tickets.Get(ctx, auth.System, r.TicketID)
			if err != nil {
				t.Fatal(err)
			}
			got := e.waitMails(t, addr, 1)[0]
			if s := got.GetHeader("Subject"); !strings.Contains(s, phrase) || !strings.Contains(s, fmt.Sprintf("[#%d]", tk.Number)) {
				t.Errorf("%s: subject %q, want %q and the reference", lang, s, phrase)
			}
		}
		// The inbox's own Spanish version wins; Portuguese keeps the
		// version for every inbox.
		if _, err := e.W.MailTemplates.Save(ctx, e.Admin, outbound.TemplateAutoAck, "es", outbound.TemplateInput{
			Subject: "Soporte ACME #{{ticket.number}}", Body: "Hola {{requester.name}}, {{portal_url}}", InboxID: &e.InboxID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.W.MailTemplates.Save(ctx, e.Admin, outbound.TemplateAutoAck, "es", outbound.TemplateInput{
			Subject: "Genérico #{{ticket.number}}", Body: "Hola"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.W.People.EnsureContact(ctx, "pablo@cliente.test", "Pablo", "es"); err != nil {
			t.Fatal(err)
		}
		r := e.ingest(t, rawMail("Pablo <pablo@cliente.test>", "Factura", "pablo.1@cliente.test", "", "body"))
		tk, _ := e.W.Tickets.Get(ctx, auth.System, r.TicketID)
		got := e.waitMails(t, "pablo@cliente.test", 1)[0]
		if s := got.GetHeader("Subject"); s != fmt.Sprintf("Soporte ACME #%d", tk.Number) || !strings.Contains(got.Text, "Hola Pablo, https://desk.tessera.test/help/requests/") {
			t.Errorf("inbox template: %q / %q", s, got.Text)
		}
		// The web form (no mail inbox): acknowledged from the server's sender.
		c, err := e.W.People.EnsureContact(ctx, "web@cliente.test", "Wanda", "en")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.W.Tickets.Create(ctx, auth.Actor{Kind: auth.KindContact, ID: c.ID, Name: c.Name}, ticket.CreateInput{Subject: "From the form", Body: "hello", Channel: "web"}); err != nil {
			t.Fatal(err)
		}
		w := e.waitMails(t, "web@cliente.test", 1)[0]
		if w.GetHeader("From") != `"Tessera" <noreply@tessera.test>` || w.GetHeader("Auto-Submitted") != "auto-replied" {
			t.Errorf("web form ack From %q Auto-Submitted %q", w.GetHeader("From"), w.GetHeader("Auto-Submitted"))
		}
		// An agent's ticket on behalf of a customer is not acknowledged.
		if _, err := e.W.Tickets.Create(ctx, e.Agent, ticket.CreateInput{Subject: "Phoned in", Body: "x", Channel: "web",
			Requester: &ticket.RequesterInput{Email: "phone@cliente.test"}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond)
		if n := len(e.mailsTo(t, "phone@cliente.test")); n != 0 {
			t.Errorf("an agent's ticket was acknowledged %d times", n)
		}
	})
}

// TestReplayedHistorySendsNothing: changes stamped in the past (the demo,
// an import replaying history) record no deliveries and enqueue no mail.
func TestReplayedHistorySendsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		f := apptest.New(t, eng)
		then := ticket.WithNow(context.Background(), time.Now().Add(-72*time.Hour))
		tk, err := f.Tickets.Create(then, auth.System, ticket.CreateInput{Subject: "Old", Body: "old mail", Channel: "email",
			Requester: &ticket.RequesterInput{Email: "old@cliente.test"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.AddMessage(then, f.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindReply, Body: "old answer"}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := f.DB.Read().QueryRow(context.Background(), `SELECT COUNT(*) FROM mail_deliveries`).Scan(&n); err != nil || n != 0 {
			t.Errorf("replayed history recorded %d deliveries (%v)", n, err)
		}
		// The same now does mail.
		if _, err := f.Tickets.AddMessage(context.Background(), f.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindReply, Body: "new answer"}); err != nil {
			t.Fatal(err)
		}
		if err := f.DB.Read().QueryRow(context.Background(), `SELECT COUNT(*) FROM mail_deliveries WHERE kind = 'reply'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("a reply now recorded %d deliveries (%v), want 1", n, err)
		}
	})
}

// TestNoServerFailsVisibly: without any SMTP server the reply's delivery
// fails and says so, instead of passing for sent.
func TestNoServerFailsVisibly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		ctx := context.Background()
		f := apptest.New(t, eng)
		w, err := app.New(ctx, f.DB, app.Options{Work: true, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Queue.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_ = w.Queue.Stop(sctx)
		})
		tk, err := w.Tickets.Create(ctx, auth.System, ticket.CreateInput{Subject: "Hi", Body: "hello", Channel: "email", Requester: &ticket.RequesterInput{Email: "nomail@cliente.test"}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := w.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindReply, Body: "Answer"})
		if err != nil {
			t.Fatal(err)
		}
		if d := waitDelivery(t, w.Tickets, tk.ID, res.Message.ID, "failed"); !strings.Contains(d.Error, "no SMTP server is configured") {
			t.Errorf("delivery %+v", d)
		}
	})
}
