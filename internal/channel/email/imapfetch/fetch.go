package imapfetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"tessera/internal/channel/email/ingest"
	"tessera/internal/inbox"
)

// Ingester stores one raw mail; *ingest.Ingester is the real one.
type Ingester interface {
	IngestFrom(ctx context.Context, raw []byte, source string) ingest.Result
}

// Fetcher reads one inbox's folder.
type Fetcher struct {
	InboxID  int64
	Settings inbox.IMAPSettings
	Ingester Ingester
	Store    *Store
	Log      *slog.Logger
	// PollInterval is the wait between looks when the server has no IDLE
	// (default 30 s).
	PollInterval time.Duration
	// NoIdle polls even a server that offers IDLE (one whose IDLE is
	// known to miss mail).
	NoIdle bool
	// IdleRestart re-issues IDLE before servers drop it (default 20 min;
	// RFC 2177 says 29).
	IdleRestart time.Duration
	// BatchSize is how many messages one FETCH asks for (default 25).
	BatchSize int
	// TLSConfig overrides the default (tests with their own certificate).
	TLSConfig *tls.Config
	// DialTimeout bounds connecting (default 30 s).
	DialTimeout time.Duration
}

func (f *Fetcher) defaults() {
	if f.PollInterval <= 0 {
		f.PollInterval = 30 * time.Second
	}
	if f.IdleRestart <= 0 {
		f.IdleRestart = 20 * time.Minute
	}
	if f.BatchSize <= 0 {
		f.BatchSize = 25
	}
	if f.DialTimeout <= 0 {
		f.DialTimeout = 30 * time.Second
	}
	if f.Log == nil {
		f.Log = slog.Default()
	}
}

// health records a change of the inbox's health; a failure to record it
// is logged, not fatal: the mail matters more than its dashboard.
func (f *Fetcher) health(ctx context.Context, u healthUpdate) {
	if err := f.Store.update(ctx, f.InboxID, u); err != nil && ctx.Err() == nil {
		f.Log.Warn("imap: health not recorded", "err", err)
	}
}

// ErrNotKept is returned when a message could be neither stored nor kept
// raw: the session stops before the cursor passes it, so it is fetched
// again on the next one.
var ErrNotKept = errors.New("message not kept")

// session is one connection with its folder selected.
type session struct {
	f      *Fetcher
	c      *imapclient.Client
	wake   chan struct{}
	cursor Cursor
	stop   func() bool
	// idle is whether the server offers IDLE, read once after login: the
	// capabilities of a connection that just died read as none.
	idle bool
}

// dial connects and logs in.
func (f *Fetcher) dial(ctx context.Context) (*session, error) {
	s := &session{f: f, wake: make(chan struct{}, 1)}
	opts := &imapclient.Options{
		TLSConfig: f.TLSConfig,
		Dialer:    &net.Dialer{Timeout: f.DialTimeout},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					s.signal()
				}
			},
		},
	}
	if opts.TLSConfig == nil {
		opts.TLSConfig = &tls.Config{ServerName: f.Settings.Host, MinVersion: tls.VersionTLS12}
	}
	addr := f.Settings.Addr()
	var err error
	switch f.Settings.Security {
	case inbox.SecurityTLS:
		s.c, err = imapclient.DialTLS(addr, opts)
	case inbox.SecuritySTARTTLS:
		s.c, err = imapclient.DialStartTLS(addr, opts)
	default:
		s.c, err = imapclient.DialInsecure(addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	// A context ending closes the connection, which ends any command
	// waiting on it.
	s.stop = context.AfterFunc(ctx, func() { s.c.Close() })
	if err := s.c.WaitGreeting(); err != nil {
		s.c.Close()
		return nil, fmt.Errorf("greeting from %s: %w", addr, err)
	}
	if f.Settings.Auth == inbox.AuthXOAUTH2 {
		err = s.c.Authenticate(&xoauth2{user: f.Settings.Username, token: f.Settings.Password})
	} else {
		err = s.c.Login(f.Settings.Username, f.Settings.Password).Wait()
	}
	if err != nil {
		s.c.Close()
		return nil, fmt.Errorf("log in to %s as %s: %w", addr, f.Settings.Username, err)
	}
	return s, nil
}

func (s *session) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *session) close() {
	s.stop()
	_ = s.c.Logout().Wait()
	_ = s.c.Close()
}

// open selects the folder and reads the cursor. A changed UIDVALIDITY
// means the UIDs were renumbered: the folder is read again from the start,
// and the Message-IDs already stored keep that from doubling anything.
func (s *session) open(ctx context.Context) error {
	f := s.f
	sel, err := s.c.Select(f.Settings.Folder, nil).Wait()
	if err != nil {
		return fmt.Errorf("select %q: %w", f.Settings.Folder, err)
	}
	cur, ok, err := f.Store.Cursor(ctx, f.InboxID, f.Settings.Folder)
	if err != nil {
		return err
	}
	switch {
	case !ok:
		cur = Cursor{UIDValidity: sel.UIDValidity}
	case cur.UIDValidity != sel.UIDValidity:
		f.Log.Warn("imap: UIDVALIDITY changed; reading the folder again, duplicates are skipped by Message-ID",
			"inbox_id", f.InboxID, "folder", f.Settings.Folder, "was", cur.UIDValidity, "now", sel.UIDValidity)
		cur = Cursor{UIDValidity: sel.UIDValidity}
	}
	s.cursor = cur
	s.idle = s.c.Caps().Has(imap.CapIdle) && !f.NoIdle
	if f.Settings.After == inbox.AfterMove && f.Settings.MoveTo != "" {
		// The folder may exist already; if it cannot be made, the move
		// fails and says why.
		_ = s.c.Create(f.Settings.MoveTo, nil).Wait()
	}
	return nil
}

// pending returns the UIDs above the cursor, in order.
func (s *session) pending() ([]imap.UID, error) {
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(s.cursor.LastUID + 1), Stop: 0}}}}
	data, err := s.c.UIDSearch(crit, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("search new mail: %w", err)
	}
	var out []imap.UID
	// "n:*" always matches the highest UID, even below n.
	for _, u := range data.AllUIDs() {
		if uint32(u) > s.cursor.LastUID {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out, nil
}

// fetchNew ingests every message above the cursor and returns how many.
func (s *session) fetchNew(ctx context.Context) (int, error) {
	f := s.f
	uids, err := s.pending()
	if err != nil {
		return 0, err
	}
	backlog := len(uids)
	f.health(ctx, healthUpdate{state: StateFetching, fetchAt: true, backlog: &backlog})
	done := 0
	for len(uids) > 0 {
		batch := uids[:min(len(uids), f.BatchSize)]
		uids = uids[len(batch):]
		n, err := s.fetchBatch(ctx, batch)
		done += n
		backlog -= n
		f.health(ctx, healthUpdate{backlog: &backlog, fetchedBy: n})
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

var bodySection = &imap.FetchItemBodySection{Peek: true}

func (s *session) fetchBatch(ctx context.Context, uids []imap.UID) (int, error) {
	f := s.f
	msgs, err := s.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{bodySection}}).Collect()
	if err != nil {
		return 0, fmt.Errorf("fetch: %w", err)
	}
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
	var committed []imap.UID
	defer func() {
		// Whatever was committed is marked, moved or deleted, also when a
		// later message stops the batch.
		if len(committed) > 0 {
			if err := s.after(committed); err != nil {
				f.Log.Warn("imap: after-import action failed; the cursor keeps the mail from being imported twice",
					"inbox_id", f.InboxID, "action", f.Settings.After, "err", err)
			}
		}
	}()
	for _, m := range msgs {
		if m.UID == 0 || uint32(m.UID) <= s.cursor.LastUID {
			continue
		}
		raw := m.FindBodySection(bodySection)
		source := source(f.Settings.Folder, m.UID)
		if raw == nil {
			// A message the server cannot hand out is skipped only when
			// it can be recorded as failed; otherwise we try again later.
			raw = []byte{}
		}
		res := f.Ingester.IngestFrom(ctx, raw, source)
		if !res.Kept() {
			return len(committed), fmt.Errorf("%w: %s: %s", ErrNotKept, source, res.Error)
		}
		if res.Status == ingest.StatusFailed {
			f.Log.Warn("imap: message kept as failed mail", "inbox_id", f.InboxID, "uid", m.UID, "failed_id", res.FailedID, "err", res.Error)
		}
		next := Cursor{UIDValidity: s.cursor.UIDValidity, LastUID: uint32(m.UID)}
		if err := f.Store.SetCursor(ctx, f.InboxID, f.Settings.Folder, next); err != nil {
			// Stored but the cursor did not move: the next session fetches
			// it again and finds it a duplicate.
			return len(committed), err
		}
		s.cursor = next
		committed = append(committed, m.UID)
	}
	return len(committed), nil
}

// after applies the inbox's after-import action to committed messages.
func (s *session) after(uids []imap.UID) error {
	set := imap.UIDSetNum(uids...)
	switch s.f.Settings.After {
	case inbox.AfterMove:
		if _, err := s.c.Move(set, s.f.Settings.MoveTo).Wait(); err != nil {
			return fmt.Errorf("move to %q: %w", s.f.Settings.MoveTo, err)
		}
	case inbox.AfterDelete:
		if err := s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			return fmt.Errorf("flag deleted: %w", err)
		}
		var err error
		if s.c.Caps().Has(imap.CapUIDPlus) {
			err = s.c.UIDExpunge(set).Close()
		} else {
			err = s.c.Expunge().Close()
		}
		if err != nil {
			return fmt.Errorf("expunge: %w", err)
		}
	default:
		if err := s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
			return fmt.Errorf("flag seen: %w", err)
		}
	}
	return nil
}

// wait blocks until new mail may be there: IDLE when the server has it,
// else one poll interval.
func (s *session) wait(ctx context.Context) error {
	f := s.f
	if !s.idle {
		f.health(ctx, healthUpdate{state: StatePolling})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.c.Closed():
			return errors.New("the server closed the connection")
		case <-time.After(f.PollInterval):
		case <-s.wake:
		}
		return nil
	}
	// Mail that arrived while we fetched is announced in answer to a
	// command (some servers announce nothing new once IDLE starts): the
	// NOOP's EXISTS wakes the wait at once.
	if err := s.c.Noop().Wait(); err != nil {
		return fmt.Errorf("noop: %w", err)
	}
	idle, err := s.c.Idle()
	if err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	f.health(ctx, healthUpdate{state: StateIdle})
	t := time.NewTimer(f.IdleRestart)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-s.wake:
	case <-t.C:
	case <-s.c.Closed():
	}
	if err := idle.Close(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("end idle: %w", err)
	}
	if err := idle.Wait(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("idle: %w", err)
	}
	return ctx.Err()
}

// Once connects, ingests what is new and disconnects; it returns how many
// messages it ingested.
func (f *Fetcher) Once(ctx context.Context) (int, error) {
	f.defaults()
	s, err := f.dial(ctx)
	if err != nil {
		return 0, err
	}
	defer s.close()
	if err := s.open(ctx); err != nil {
		return 0, err
	}
	n, err := s.fetchNew(ctx)
	if err == nil {
		f.health(ctx, healthUpdate{success: true})
	}
	return n, err
}

// Session connects and keeps fetching until ctx ends (nil) or the
// connection fails (the error). The caller reconnects.
func (f *Fetcher) Session(ctx context.Context) error {
	f.defaults()
	f.health(ctx, healthUpdate{state: StateConnecting})
	s, err := f.dial(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.open(ctx); err != nil {
		return err
	}
	for {
		if _, err := s.fetchNew(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		f.health(ctx, healthUpdate{success: true})
		if err := s.wait(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if !s.idle {
			// Some servers report new mail only in answer to a command.
			if err := s.c.Noop().Wait(); err != nil {
				return fmt.Errorf("noop: %w", err)
			}
		}
	}
}

// xoauth2 is the XOAUTH2 SASL mechanism (Gmail, Microsoft 365): the
// password field holds an OAuth2 access token.
type xoauth2 struct{ user, token string }

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the server's error challenge (a JSON status) with an empty
// response, after which the server fails the command with its reason.
func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	if len(challenge) > 0 {
		return []byte{}, nil
	}
	return nil, errors.New("xoauth2: unexpected challenge")
}

var _ sasl.Client = (*xoauth2)(nil)

// source names a message for the failed-mail list.
func source(folder string, uid imap.UID) string {
	return "imap:" + strings.TrimSpace(folder) + "/" + fmt.Sprint(uint32(uid))
}
