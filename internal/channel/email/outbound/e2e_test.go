package outbound_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/jhillyerd/enmime/v2"

	"tessera/internal/app"
	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/channel/email/ingest"
	"tessera/internal/inbox"
	"tessera/internal/mail"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

// realServers returns the addresses scripts/mailservers.sh printed, or
// skips the test without them (fails when TESSERA_MAIL_TESTS=required).
func realServers(t *testing.T) (imapAddr, smtpAddr, domain string, pass map[string]string) {
	t.Helper()
	imapAddr, smtpAddr = os.Getenv("TESSERA_TEST_IMAP_ADDR"), os.Getenv("TESSERA_TEST_SMTP_ADDR")
	domain = os.Getenv("TESSERA_TEST_MAIL_DOMAIN")
	if imapAddr == "" || smtpAddr == "" || domain == "" {
		if os.Getenv("TESSERA_MAIL_TESTS") == "required" {
			t.Fatal("TESSERA_MAIL_TESTS=required but the mail servers' addresses are not set (scripts/mailservers.sh)")
		}
		t.Skip("no mail servers: run eval \"$(scripts/mailservers.sh)\" first")
	}
	pass = map[string]string{}
	for _, up := range strings.Fields(os.Getenv("TESSERA_TEST_MAIL_USERS")) {
		if u, p, ok := strings.Cut(up, ":"); ok {
			pass[u] = p
		}
	}
	return imapAddr, smtpAddr, domain, pass
}

// mailbox is one IMAP account's private folder: the servers deliver
// user+folder@domain into it, so concurrent tests read only their own mail.
type mailbox struct {
	t      *testing.T
	c      *imapclient.Client
	folder string
}

func openMailbox(t *testing.T, addr, user, password, folder string) *mailbox {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatalf("imap %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatalf("imap login %s: %v", user, err)
	}
	if err := c.Create(folder, nil).Wait(); err != nil {
		t.Fatalf("imap create %s: %v", folder, err)
	}
	t.Cleanup(func() { _ = c.Delete(folder).Wait() })
	return &mailbox{t: t, c: c, folder: folder}
}

// wait returns the raw messages of the folder once there are at least n.
func (m *mailbox) wait(n int) [][]byte {
	m.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		sel, err := m.c.Select(m.folder, &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			m.t.Fatalf("imap select %s: %v", m.folder, err)
		}
		if int(sel.NumMessages) >= n {
			body := &imap.FetchItemBodySection{Peek: true}
			msgs, err := m.c.Fetch(imap.SeqSetNum(seqs(sel.NumMessages)...), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{body}}).Collect()
			if err != nil {
				m.t.Fatalf("imap fetch: %v", err)
			}
			slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.SeqNum) - int(b.SeqNum) })
			out := make([][]byte, len(msgs))
			for i, msg := range msgs {
				out[i] = msg.FindBodySection(body)
			}
			return out
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("%s holds %d messages after 30 s, want %d", m.folder, sel.NumMessages, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// count is how many messages the folder holds now.
func (m *mailbox) count() int {
	m.t.Helper()
	sel, err := m.c.Select(m.folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		m.t.Fatalf("imap select %s: %v", m.folder, err)
	}
	return int(sel.NumMessages)
}

func seqs(n uint32) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = uint32(i + 1)
	}
	return out
}

func parse(t *testing.T, raw []byte) *enmime.Envelope {
	t.Helper()
	env, err := enmime.ReadEnvelope(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return env
}

// TestMailLoopRealServers: a customer's mail to support becomes a ticket
// (read over IMAP from Dovecot and ingested) and is acknowledged; the
// agent's reply leaves through Postfix and arrives in the customer's
// mailbox threaded to their mail; the customer's answer to it lands on
// the same ticket; a duplicate delivery adds nothing; an out-of-office
// reply gets no acknowledgement.
func TestMailLoopRealServers(t *testing.T) {
	imapAddr, smtpAddr, domain, pass := realServers(t)
	storetest.Each(t, func(t *testing.T, eng store.Engine) {
		ctx := context.Background()
		b := make([]byte, 5)
		_, _ = rand.Read(b)
		tag := "t-" + hex.EncodeToString(b)
		support, customer := "support@"+domain, "customer@"+domain
		supportBox := openMailbox(t, imapAddr, support, pass[support], tag)
		customerBox := openMailbox(t, imapAddr, customer, pass[customer], tag)
		supportTo := "support+" + tag + "@" + domain
		customerAddr := "customer+" + tag + "@" + domain

		f := apptest.New(t, eng)
		w, err := app.New(ctx, f.DB, app.Options{Work: true, Log: slog.New(slog.DiscardHandler), PublicURL: "https://desk.tessera.test",
			Mail: mail.Config{From: "noreply@" + domain}, MailRetryBackoff: time.Second})
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
		host, port, _ := net.SplitHostPort(smtpAddr)
		name, kind := "Support", inbox.KindEmail
		settings := map[string]any{"smtp": map[string]any{"host": host, "port": atoi(t, port), "security": "none"}}
		bx, err := w.Inboxes.Create(ctx, f.Admin, inbox.Input{Name: &name, Kind: &kind, Address: &support, Settings: &settings})
		if err != nil {
			t.Fatal(err)
		}
		in := &ingest.Ingester{Tickets: w.Tickets, People: w.People, Defaults: ingest.Defaults{InboxID: &bx.ID}, Bounces: w.Bounces}
		send := func(from, to, raw string) {
			t.Helper()
			if err := smtp.SendMail(smtpAddr, nil, from, []string{to}, []byte(strings.ReplaceAll(raw, "\n", "\r\n"))); err != nil {
				t.Fatalf("send through postfix: %v", err)
			}
		}

		// 1. The customer writes to support.
		firstID := tag + ".first@" + domain
		send(customerAddr, supportTo, "From: Carla Customer <"+customerAddr+">\nTo: "+supportTo+"\nSubject: Invoice is wrong\nMessage-ID: <"+firstID+">\n"+
			"Date: "+time.Now().Format(time.RFC1123Z)+"\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nMy invoice charges me twice.\n")
		raw := supportBox.wait(1)[0]
		r := in.Ingest(ctx, raw)
		if r.Status != ingest.StatusCreated {
			t.Fatalf("first mail: %+v", r)
		}
		tk, err := w.Tickets.Get(ctx, auth.System, r.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if again := in.Ingest(ctx, raw); again.Status != ingest.StatusDuplicate || again.TicketID != tk.ID {
			t.Errorf("duplicate delivery: %+v", again)
		}

		// 2. The acknowledgement reaches the customer's mailbox.
		ack := parse(t, customerBox.wait(1)[0])
		if ack.GetHeader("Auto-Submitted") != "auto-replied" || !strings.Contains(ack.GetHeader("Subject"), fmt.Sprintf("[#%d]", tk.Number)) ||
			ack.GetHeader("In-Reply-To") != "<"+firstID+">" {
			t.Errorf("ack: Auto-Submitted %q Subject %q In-Reply-To %q", ack.GetHeader("Auto-Submitted"), ack.GetHeader("Subject"), ack.GetHeader("In-Reply-To"))
		}

		// 3. The agent's reply arrives threaded.
		res, err := w.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindReply, Body: "Sorry, Carla: the **second charge** is refunded."})
		if err != nil {
			t.Fatal(err)
		}
		reply := parse(t, customerBox.wait(2)[1])
		var mailID string
		if err := w.DB.Read().QueryRow(ctx, `SELECT mail_message_id FROM messages WHERE id = $1`, res.Message.ID).Scan(&mailID); err != nil {
			t.Fatal(err)
		}
		if reply.GetHeader("Message-ID") != "<"+mailID+">" || reply.GetHeader("In-Reply-To") != "<"+firstID+">" ||
			!strings.Contains(reply.GetHeader("References"), "<"+firstID+">") || reply.GetHeader("Subject") != fmt.Sprintf("Re: Invoice is wrong [#%d]", tk.Number) ||
			!strings.Contains(reply.GetHeader("Reply-To"), fmt.Sprintf("support+%d@%s", tk.Number, domain)) || !strings.Contains(reply.HTML, "<strong>second charge</strong>") {
			t.Errorf("reply as received: Message-ID %q In-Reply-To %q References %q Subject %q Reply-To %q HTML %q", reply.GetHeader("Message-ID"),
				reply.GetHeader("In-Reply-To"), reply.GetHeader("References"), reply.GetHeader("Subject"), reply.GetHeader("Reply-To"), reply.HTML)
		}
		waitDelivery(t, w.Tickets, tk.ID, res.Message.ID, "sent")

		// 4. The customer answers that mail: it lands on the same ticket.
		send(customerAddr, supportTo, "From: Carla Customer <"+customerAddr+">\nTo: "+supportTo+"\nSubject: Re: Invoice is wrong [#"+fmt.Sprint(tk.Number)+"]\n"+
			"Message-ID: <"+tag+".answer@"+domain+">\nIn-Reply-To: <"+mailID+">\nReferences: <"+firstID+"> <"+mailID+">\n"+
			"Date: "+time.Now().Format(time.RFC1123Z)+"\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nThank you!\n\n> Sorry, Carla\n")
		answer := supportBox.wait(2)[1]
		if a := in.Ingest(ctx, answer); a.Status != ingest.StatusAppended || a.TicketID != tk.ID {
			t.Errorf("answer: %+v, want appended to ticket %d", a, tk.ID)
		}
		if a := in.Ingest(ctx, answer); a.Status != ingest.StatusDuplicate {
			t.Errorf("the answer delivered twice: %+v", a)
		}
		msgs, err := w.Tickets.Messages(ctx, auth.System, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 3 {
			t.Errorf("thread has %d messages, want 3 (mail, reply, answer)", len(msgs))
		}

		// 5. An out-of-office reply opens no conversation with a robot.
		send(customerAddr, supportTo, "From: Carla Customer <"+customerAddr+">\nTo: "+supportTo+"\nSubject: Out of office\n"+
			"Message-ID: <"+tag+".ooo@"+domain+">\nAuto-Submitted: auto-replied\nX-Autoreply: yes\n"+
			"Date: "+time.Now().Format(time.RFC1123Z)+"\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nI am away until Monday.\n")
		if o := in.Ingest(ctx, supportBox.wait(3)[2]); o.Status == ingest.StatusFailed {
			t.Fatalf("out of office: %+v", o)
		}
		time.Sleep(3 * time.Second) // a job would have run and Postfix delivered by now
		if n := customerBox.count(); n != 2 {
			t.Errorf("the customer's mailbox holds %d messages, want 2 (no acknowledgement of the out-of-office)", n)
		}
	})
}
