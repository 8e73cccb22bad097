package imapfetch_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"tessera/internal/app/apptest"
	"tessera/internal/channel/email/imapfetch"
	"tessera/internal/inbox"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// The real servers are started by scripts/mailservers.sh, which prints
// these variables; .ci/run exports them with TESSERA_MAIL_TESTS=required.
const (
	supportUser = "support@tessera.test"
	supportPass = "support-secret"
	customer    = "customer@tessera.test"
)

func mailServers(t *testing.T) (imapAddr, smtpAddr string) {
	t.Helper()
	imapAddr, smtpAddr = os.Getenv("TESSERA_TEST_IMAP_ADDR"), os.Getenv("TESSERA_TEST_SMTP_ADDR")
	if imapAddr == "" || smtpAddr == "" {
		if os.Getenv("TESSERA_MAIL_TESTS") == "required" {
			t.Fatal("TESSERA_MAIL_TESTS=required but TESSERA_TEST_IMAP_ADDR / TESSERA_TEST_SMTP_ADDR are not set: run scripts/mailservers.sh")
		}
		t.Skip("no mail servers: eval \"$(scripts/mailservers.sh)\" to run against Dovecot and Postfix")
	}
	return imapAddr, smtpAddr
}

// dovecotFolder makes a folder of its own in the support mailbox: Postfix
// delivers support+<folder>@tessera.test into it (Dovecot's
// lmtp_save_to_detail_mailbox), so tests running together never see each
// other's mail.
func dovecotFolder(t *testing.T, imapAddr string) (*imapclient.Client, string) {
	t.Helper()
	c, err := imapclient.DialInsecure(imapAddr, nil)
	if err != nil {
		t.Fatalf("dovecot: %v", err)
	}
	if err := c.Login(supportUser, supportPass).Wait(); err != nil {
		t.Fatalf("dovecot login: %v", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	folder := "t-" + hex.EncodeToString(b)
	if err := c.Create(folder, nil).Wait(); err != nil {
		t.Fatalf("create %s: %v", folder, err)
	}
	t.Cleanup(func() {
		_ = c.Delete(folder).Wait()
		_ = c.Delete(folder + "-done").Wait()
		c.Close()
	})
	return c, folder
}

func dovecotInbox(t *testing.T, f *apptest.Fixture, imapAddr, folder, after string) (inbox.Inbox, inbox.IMAPSettings) {
	t.Helper()
	host, port, _ := net.SplitHostPort(imapAddr)
	p, _ := strconv.Atoi(port)
	settings := map[string]any{"host": host, "port": p, "security": "none", "username": supportUser, "password": supportPass,
		"folder": folder, "after": after}
	if after == inbox.AfterMove {
		settings["move_to"] = folder + "-done"
	}
	kind, name, addr := inbox.KindEmail, "Support "+folder, supportUser
	b, err := f.Inboxes.Create(context.Background(), f.Admin, inbox.Input{Kind: &kind, Name: &name, Address: &addr, IMAP: &settings})
	if err != nil {
		t.Fatalf("inbox: %v", err)
	}
	boxes, _ := f.Inboxes.MailInboxes(context.Background())
	s, _ := boxes[0].IMAP()
	return b, s
}

func sendSMTP(t *testing.T, smtpAddr, to, raw string) {
	t.Helper()
	if err := smtp.SendMail(smtpAddr, nil, customer, []string{to}, []byte(raw)); err != nil {
		t.Fatalf("smtp: %v", err)
	}
}

// TestDovecotEndToEnd: a mail sent through Postfix to the support address
// lands in Dovecot, and serve's supervisor makes it a ticket within
// seconds (IDLE); it is marked seen only after commit; a duplicate
// delivery adds nothing.
func TestDovecotEndToEnd(t *testing.T) {
	imapAddr, smtpAddr := mailServers(t)
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := apptest.New(t, e)
		look, folder := dovecotFolder(t, imapAddr)
		b, _ := dovecotInbox(t, f, imapAddr, folder, inbox.AfterSeen)
		sup := f.MailIn
		done := make(chan struct{})
		go func() { sup.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()

		health := func() imapfetch.Health {
			h, _, _ := f.IMAP.Health(context.Background(), b.ID)
			return h
		}
		waitFor(t, 15*time.Second, "IDLE", func() bool { return health().State == imapfetch.StateIdle })

		to := "support+" + folder + "@tessera.test"
		msgID := fmt.Sprintf("<%s@cliente.example>", folder)
		raw := "From: Customer <" + customer + ">\r\nTo: " + to + "\r\nSubject: The e2e printer\r\nMessage-ID: " + msgID + "\r\n" +
			"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n\r\nIt is on fire, end to end.\r\n"
		sent := time.Now()
		sendSMTP(t, smtpAddr, to, raw)
		var tid int64
		waitFor(t, 15*time.Second, "the ticket", func() bool {
			id, _, ok, _ := f.Tickets.MessageByMailID(context.Background(), strings.Trim(msgID, "<>"))
			tid = id
			return ok
		})
		t.Logf("%s: SMTP to ticket in %v", e, time.Since(sent).Round(time.Millisecond))
		tk, err := f.Tickets.Get(context.Background(), f.Admin, tid)
		if err != nil || tk.Subject != "The e2e printer" || tk.InboxID == nil || *tk.InboxID != b.ID {
			t.Errorf("ticket: %+v %v", tk, err)
		}
		// Marked seen once committed.
		waitFor(t, 5*time.Second, "\\Seen", func() bool { return allFlagged(t, look, folder, imap.FlagSeen, 1) })

		// Postfix delivers the same mail again (a retry upstream): nothing
		// is added, and it is marked too.
		sendSMTP(t, smtpAddr, to, raw)
		waitFor(t, 15*time.Second, "the duplicate handled", func() bool {
			c, _, _ := f.IMAP.Cursor(context.Background(), b.ID, folder)
			return c.LastUID == 2
		})
		msgs, err := f.Tickets.Messages(context.Background(), f.Admin, tid)
		if err != nil || len(msgs) != 1 {
			t.Errorf("messages after duplicate: %d %v", len(msgs), err)
		}
		var n int
		_ = f.DB.Read().QueryRow(context.Background(), `SELECT COUNT(*) FROM tickets`).Scan(&n)
		if n != 1 {
			t.Errorf("tickets after duplicate: %d", n)
		}
		waitFor(t, 5*time.Second, "both \\Seen", func() bool { return allFlagged(t, look, folder, imap.FlagSeen, 2) })
	})
}

// allFlagged reports whether the folder holds want messages, all with flag.
func allFlagged(t *testing.T, c *imapclient.Client, folder string, flag imap.Flag, want int) bool {
	t.Helper()
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatalf("select: %v", err)
	}
	if int(sel.NumMessages) != want {
		return false
	}
	msgs, err := c.Fetch(imap.SeqSetNum(seqRange(sel.NumMessages)...), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		t.Fatalf("fetch flags: %v", err)
	}
	for _, m := range msgs {
		if !hasFlag(m.Flags, flag) {
			return false
		}
	}
	return true
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestDovecotThroughput measures IMAP into tickets: N messages appended to
// a Dovecot folder, then one fetch of them all (moving each to another
// folder after commit). Set TESSERA_MAIL_BENCH=N to run it; see
// docs/BENCHMARKS.md.
func TestDovecotThroughput(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TESSERA_MAIL_BENCH"))
	if n <= 0 {
		t.Skip("set TESSERA_MAIL_BENCH=N to measure N messages from Dovecot into tickets")
	}
	imapAddr, _ := mailServers(t)
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		look, folder := dovecotFolder(t, imapAddr)
		b, s := dovecotInbox(t, f, imapAddr, folder, inbox.AfterMove)
		for i := 1; i <= n; i++ {
			raw := fmt.Sprintf("From: Customer %d <c%d@cliente.example>\r\nTo: support@tessera.test\r\nSubject: Question %d\r\nMessage-ID: <bench-%s-%d@cliente.example>\r\n"+
				"Content-Type: text/plain; charset=utf-8\r\n\r\nHello,\r\n\r\nquestion number %d about the printer.\r\n\r\nOn Mon, Support wrote:\r\n> earlier answer\r\n", i, i%50, i, folder, i, i)
			cmd := look.Append(folder, int64(len(raw)), nil)
			if _, err := cmd.Write([]byte(raw)); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := cmd.Wait(); err != nil {
				t.Fatal(err)
			}
		}
		g, err := f.MailIngester(context.Background(), &b.ID)
		if err != nil {
			t.Fatal(err)
		}
		fe := &imapfetch.Fetcher{InboxID: b.ID, Settings: s, Ingester: g, Store: f.IMAP, BatchSize: 50}
		start := time.Now()
		got, err := fe.Once(context.Background())
		el := time.Since(start)
		if err != nil || got != n {
			t.Fatalf("fetched %d of %d: %v", got, n, err)
		}
		t.Logf("%s: %d messages from Dovecot into tickets in %v: %.0f messages/s", e, n, el.Round(time.Millisecond), float64(n)/el.Seconds())
	})
}
