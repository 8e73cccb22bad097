package imapfetch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"tessera/internal/app/apptest"
	"tessera/internal/channel/email/imapfetch"
	"tessera/internal/channel/email/ingest"
	"tessera/internal/inbox"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

const user, pass = "support@acme.example", "secret"

// memServer is go-imap's in-memory server on a loopback port; stop cuts
// every connection (a server going away).
type memServer struct {
	addr  string
	user  *imapmemserver.User
	mu    sync.Mutex
	conns []net.Conn
	ln    net.Listener
	srv   *imapserver.Server
}

type trackingListener struct {
	net.Listener
	m *memServer
}

func (l trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.m.mu.Lock()
		l.m.conns = append(l.m.conns, c)
		l.m.mu.Unlock()
	}
	return c, err
}

func newMemServer(t *testing.T, caps imap.CapSet) *memServer {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, pass)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	m := &memServer{user: u}
	m.srv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		InsecureAuth: true,
		Caps:         caps,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.ln, m.addr = ln, ln.Addr().String()
	go func() { _ = m.srv.Serve(trackingListener{ln, m}) }()
	t.Cleanup(func() { m.cutAll(); _ = ln.Close() })
	return m
}

// cutAll closes every open connection, as a server restart would.
func (m *memServer) cutAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.conns {
		_ = c.Close()
	}
	m.conns = nil
}

func (m *memServer) deliver(t *testing.T, folder, raw string) {
	t.Helper()
	r := bytes.NewReader([]byte(raw))
	if _, err := m.user.Append(folder, literal{r, int64(len(raw))}, &imap.AppendOptions{}); err != nil {
		t.Fatalf("append: %v", err)
	}
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

// client is a separate IMAP session to look at the folder as a mail
// client would.
func (m *memServer) client(t *testing.T) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(m.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(user, pass).Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// flags returns the flags of every message in folder by UID.
func (m *memServer) flags(t *testing.T, folder string) map[imap.UID][]imap.Flag {
	t.Helper()
	c := m.client(t)
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	out := map[imap.UID][]imap.Flag{}
	if sel.NumMessages == 0 {
		return out
	}
	msgs, err := c.Fetch(imap.SeqSetNum(seqRange(sel.NumMessages)...), &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range msgs {
		out[msg.UID] = msg.Flags
	}
	return out
}

func seqRange(n uint32) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = uint32(i + 1)
	}
	return out
}

func mail(n int) string {
	return fmt.Sprintf("From: Customer %d <c%d@cliente.example>\r\nTo: support@acme.example\r\nSubject: Question %d\r\nMessage-ID: <q%d@cliente.example>\r\n\r\nHello, question number %d.\r\n", n, n, n, n, n)
}

type fixture struct {
	*apptest.Fixture
	inbox inbox.Inbox
}

func setup(t *testing.T, e store.Engine, m *memServer, after, moveTo string) (*fixture, *imapfetch.Fetcher) {
	t.Helper()
	ctx := context.Background()
	f := &fixture{Fixture: apptest.New(t, e)}
	host, port, _ := net.SplitHostPort(m.addr)
	p, _ := strconv.Atoi(port)
	imapSettings := map[string]any{"host": host, "port": p, "security": "none", "username": user, "password": pass, "folder": "INBOX", "after": after, "move_to": moveTo}
	kind, name, addr := inbox.KindEmail, "Support mail", "support@acme.example"
	b, err := f.Inboxes.Create(ctx, f.Admin, inbox.Input{Kind: &kind, Name: &name, Address: &addr, IMAP: &imapSettings})
	if err != nil {
		t.Fatalf("inbox: %v", err)
	}
	f.inbox = b
	boxes, err := f.Inboxes.MailInboxes(ctx)
	if err != nil || len(boxes) != 1 {
		t.Fatalf("mail inboxes: %v %v", boxes, err)
	}
	s, ok := boxes[0].IMAP()
	if !ok || s.Password != pass {
		t.Fatalf("imap settings not stored: %+v", s)
	}
	g, err := f.MailIngester(ctx, &b.ID)
	if err != nil {
		t.Fatal(err)
	}
	return f, &imapfetch.Fetcher{InboxID: b.ID, Settings: s, Ingester: g, Store: f.IMAP, BatchSize: 2, Log: f.Log}
}

func (f *fixture) tickets(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.DB.Read().QueryRow(context.Background(), `SELECT COUNT(*) FROM tickets WHERE inbox_id = $1`, f.inbox.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFetchOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		m := newMemServer(t, nil)
		f, fe := setup(t, e, m, inbox.AfterSeen, "")
		for i := 1; i <= 5; i++ {
			m.deliver(t, "INBOX", mail(i))
		}
		// The third is poison: no header at all. It must not hold up the
		// rest, and it is kept raw.
		m.deliver(t, "INBOX", "\x00\x01 not a mail at all")
		m.deliver(t, "INBOX", mail(6))

		n, err := fe.Once(ctx)
		if err != nil || n != 7 {
			t.Fatalf("once: %d, %v", n, err)
		}
		if got := f.tickets(t); got != 6 {
			t.Errorf("tickets: %d, want 6", got)
		}
		failed, err := f.FailedMail.List(ctx, f.Admin, false, 0)
		if err != nil || len(failed) != 1 || failed[0].Source != "imap:INBOX/6" || failed[0].InboxID == nil || *failed[0].InboxID != f.inbox.ID {
			t.Errorf("failed mail: %+v %v", failed, err)
		}
		// Every committed message is marked seen.
		for uid, fl := range m.flags(t, "INBOX") {
			if !hasFlag(fl, imap.FlagSeen) {
				t.Errorf("uid %d not marked seen: %v", uid, fl)
			}
		}
		cur, ok, err := f.IMAP.Cursor(ctx, f.inbox.ID, "INBOX")
		if err != nil || !ok || cur.LastUID != 7 || cur.UIDValidity == 0 {
			t.Errorf("cursor: %+v %v %v", cur, ok, err)
		}
		h, ok, err := f.IMAP.Health(ctx, f.inbox.ID)
		if err != nil || !ok || h.Fetched != 7 || h.Backlog != 0 || h.LastSuccessAt == nil || h.LastFetchAt == nil {
			t.Errorf("health: %+v %v %v", h, ok, err)
		}

		// Nothing new: nothing fetched, even though the messages are
		// still in the folder (the cursor, not the \Seen flag, decides).
		if n, err := fe.Once(ctx); err != nil || n != 0 {
			t.Errorf("second run: %d, %v", n, err)
		}
		// A new message is fetched, and only it.
		m.deliver(t, "INBOX", mail(7))
		if n, err := fe.Once(ctx); err != nil || n != 1 || f.tickets(t) != 7 {
			t.Errorf("third run: %d, %v, tickets %d", n, err, f.tickets(t))
		}

		// UIDVALIDITY changed (the folder was rebuilt): the folder is
		// read again from the start and nothing is doubled.
		if err := f.IMAP.SetCursor(ctx, f.inbox.ID, "INBOX", imapfetch.Cursor{UIDValidity: cur.UIDValidity + 1, LastUID: 2}); err != nil {
			t.Fatal(err)
		}
		if n, err := fe.Once(ctx); err != nil || n != 8 {
			t.Errorf("after UIDVALIDITY change: %d, %v", n, err)
		}
		if got := f.tickets(t); got != 7 {
			t.Errorf("tickets after rescan: %d, want 7", got)
		}
		if failed, _ := f.FailedMail.List(ctx, f.Admin, false, 0); len(failed) != 1 {
			t.Errorf("failed mail after rescan: %d entries, want the same one", len(failed))
		}
		cur2, _, _ := f.IMAP.Cursor(ctx, f.inbox.ID, "INBOX")
		if cur2.UIDValidity != cur.UIDValidity || cur2.LastUID != 8 {
			t.Errorf("cursor after rescan: %+v", cur2)
		}
	})
}

func hasFlag(fl []imap.Flag, want imap.Flag) bool {
	for _, f := range fl {
		if f == want {
			return true
		}
	}
	return false
}

func TestMoveAndDeleteAfterCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		m := newMemServer(t, nil)
		f, fe := setup(t, e, m, inbox.AfterMove, "Processed")
		m.deliver(t, "INBOX", mail(1))
		m.deliver(t, "INBOX", mail(2))
		if n, err := fe.Once(ctx); err != nil || n != 2 {
			t.Fatalf("once: %d %v", n, err)
		}
		if got := len(m.flags(t, "INBOX")); got != 0 {
			t.Errorf("INBOX still has %d messages", got)
		}
		if got := len(m.flags(t, "Processed")); got != 2 {
			t.Errorf("Processed has %d messages, want 2", got)
		}

		fe.Settings.After = inbox.AfterDelete
		m.deliver(t, "INBOX", mail(3))
		if n, err := fe.Once(ctx); err != nil || n != 1 {
			t.Fatalf("once (delete): %d %v", n, err)
		}
		if got := len(m.flags(t, "INBOX")); got != 0 {
			t.Errorf("INBOX after delete has %d messages", got)
		}
		if f.tickets(t) != 3 {
			t.Errorf("tickets: %d", f.tickets(t))
		}
	})
}

// notKept is an ingester whose database is down: nothing can be kept.
type notKept struct {
	calls int
}

func (n *notKept) IngestFrom(context.Context, []byte, string) ingest.Result {
	n.calls++
	return ingest.Result{Status: ingest.StatusFailed, Error: "database is down"}
}

func TestNothingMarkedUntilKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		m := newMemServer(t, nil)
		f, fe := setup(t, e, m, inbox.AfterDelete, "")
		m.deliver(t, "INBOX", mail(1))
		m.deliver(t, "INBOX", mail(2))
		real := fe.Ingester
		fe.Ingester = &notKept{}
		n, err := fe.Once(ctx)
		if !errors.Is(err, imapfetch.ErrNotKept) || n != 0 {
			t.Fatalf("once with the database down: %d %v", n, err)
		}
		// Not deleted, not seen, cursor not moved.
		fl := m.flags(t, "INBOX")
		if len(fl) != 2 {
			t.Fatalf("messages left: %d", len(fl))
		}
		for uid, flags := range fl {
			if len(flags) != 0 {
				t.Errorf("uid %d flagged %v before it was kept", uid, flags)
			}
		}
		if _, ok, _ := f.IMAP.Cursor(ctx, f.inbox.ID, "INBOX"); ok {
			t.Error("cursor moved past mail not kept")
		}
		fe.Ingester = real
		if n, err := fe.Once(ctx); err != nil || n != 2 || f.tickets(t) != 2 {
			t.Errorf("once after recovery: %d %v, tickets %d", n, err, f.tickets(t))
		}
	})
}

// TestSupervisor runs the serve-time supervisor: IDLE brings a new mail in
// within seconds, a dropped connection is reconnected, an inbox update is
// picked up, and stopping ends every worker.
func TestSupervisor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIdle: {}})
		f, _ := setup(t, e, m, inbox.AfterSeen, "")
		sup := f.MailIn
		sup.MinBackoff, sup.MaxBackoff = 50*time.Millisecond, 200*time.Millisecond
		done := make(chan struct{})
		go func() { sup.Run(ctx); close(done) }()

		waitFor := func(what string, cond func() bool) {
			t.Helper()
			deadline := time.Now().Add(30 * time.Second) // generous: the test machine is shared
			for !cond() {
				if time.Now().After(deadline) {
					h, _, err := f.IMAP.Health(context.Background(), f.inbox.ID)
					t.Fatalf("timed out waiting for %s; health %+v %v", what, h, err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		state := func() string {
			h, _, _ := f.IMAP.Health(context.Background(), f.inbox.ID)
			return h.State
		}
		waitFor("idle", func() bool { return state() == imapfetch.StateIdle })
		m.deliver(t, "INBOX", mail(1))
		waitFor("the first ticket", func() bool { return f.tickets(t) == 1 })

		// The server drops the connection: the worker reconnects and goes
		// on.
		m.cutAll()
		waitFor("the error recorded", func() bool {
			h, _, _ := f.IMAP.Health(context.Background(), f.inbox.ID)
			return h.LastErrorAt != nil
		})
		waitFor("idle again", func() bool { return state() == imapfetch.StateIdle })
		m.deliver(t, "INBOX", mail(2))
		waitFor("the second ticket", func() bool { return f.tickets(t) == 2 })

		// Deactivating the inbox stops its worker on reload.
		off := false
		if _, err := f.Inboxes.Update(context.Background(), f.Admin, f.inbox.ID, inbox.Input{Active: &off}); err != nil {
			t.Fatal(err)
		}
		sup.Reload()
		waitFor("the worker stopped", func() bool { return len(sup.Running()) == 0 && state() == imapfetch.StateStopped })
		m.deliver(t, "INBOX", mail(3))
		time.Sleep(200 * time.Millisecond)
		if f.tickets(t) != 2 {
			t.Error("an inactive inbox was fetched")
		}
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("supervisor did not stop")
		}
	})
}

// TestSupervisorPolling: without IDLE the folder is polled, and a dropped
// connection is noticed while waiting between polls. (go-imap's server
// always offers IDLE, so the fetcher is told not to use it.)
func TestSupervisorPolling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx, cancel := context.WithCancel(context.Background())
		m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}})
		f, _ := setup(t, e, m, inbox.AfterSeen, "")
		sup := f.MailIn
		sup.MinBackoff, sup.MaxBackoff = 50*time.Millisecond, 200*time.Millisecond
		sup.Fetcher.PollInterval, sup.Fetcher.NoIdle = 100*time.Millisecond, true
		done := make(chan struct{})
		go func() { sup.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		health := func() imapfetch.Health {
			h, _, _ := f.IMAP.Health(context.Background(), f.inbox.ID)
			return h
		}
		waitFor(t, 30*time.Second, "polling", func() bool { return health().State == imapfetch.StatePolling })
		m.deliver(t, "INBOX", mail(1))
		waitFor(t, 30*time.Second, "the ticket", func() bool { return f.tickets(t) == 1 })
		m.cutAll()
		waitFor(t, 30*time.Second, "the error recorded", func() bool { return health().LastErrorAt != nil })
		m.deliver(t, "INBOX", mail(2))
		waitFor(t, 30*time.Second, "the second ticket", func() bool { return f.tickets(t) == 2 })
	})
}

// TestTwoServersOneInbox: two servers sharing the database fetch an inbox
// once: the second waits on the first's lease and takes over when the
// first stops.
func TestTwoServersOneInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		m := newMemServer(t, nil)
		f, _ := setup(t, e, m, inbox.AfterSeen, "")
		newSup := func(owner string) (*imapfetch.Supervisor, context.CancelFunc, chan struct{}) {
			sup := &imapfetch.Supervisor{Inboxes: f.Inboxes, Store: f.IMAP, Log: f.Log, Owner: owner, LeaseTTL: 300 * time.Millisecond,
				MinBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
				NewIngester: func(b inbox.Inbox, mine []string) imapfetch.Ingester { return f.NewMailIngester(&b, mine) }}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { sup.Run(ctx); close(done) }()
			return sup, cancel, done
		}
		owner := func() string {
			var o *string
			_ = f.DB.Read().QueryRow(context.Background(), `SELECT lease_owner FROM inbox_health WHERE inbox_id = $1`, f.inbox.ID).Scan(&o)
			if o == nil {
				return ""
			}
			return *o
		}
		_, stopA, doneA := newSup("server-a")
		waitFor(t, 30*time.Second, "server a's lease", func() bool { return owner() == "server-a" })
		_, stopB, doneB := newSup("server-b")
		defer func() { stopB(); <-doneB }()
		for i := 1; i <= 3; i++ {
			m.deliver(t, "INBOX", mail(i))
		}
		waitFor(t, 30*time.Second, "three tickets", func() bool { return f.tickets(t) == 3 })
		time.Sleep(700 * time.Millisecond) // past two lease renewals
		if o := owner(); o != "server-a" {
			t.Errorf("lease moved to %q while server a runs", o)
		}
		stopA()
		<-doneA
		waitFor(t, 30*time.Second, "server b's lease", func() bool { return owner() == "server-b" })
		m.deliver(t, "INBOX", mail(4))
		waitFor(t, 30*time.Second, "the fourth ticket", func() bool { return f.tickets(t) == 4 })
	})
}
