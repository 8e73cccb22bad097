package imapfetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"tessera/internal/inbox"
)

// Inboxes lists the active email inboxes with their secrets.
type Inboxes interface {
	MailInboxes(ctx context.Context) ([]inbox.Inbox, error)
}

// Supervisor runs one worker per active email inbox with IMAP settings,
// starting, restarting and stopping them as the inboxes change.
type Supervisor struct {
	Inboxes Inboxes
	// NewIngester builds the ingester for an inbox (its defaults); mine
	// are the addresses of every email inbox, which are never followers
	// and whose plus-addresses name tickets.
	NewIngester func(b inbox.Inbox, mine []string) Ingester
	Store       *Store
	Log         *slog.Logger
	// Reread is how often the inboxes are read again (default 30 s);
	// Reload asks for it at once.
	Reread time.Duration
	// MinBackoff and MaxBackoff bound the wait before reconnecting
	// (defaults 1 s and 5 min); it doubles on each failure, with jitter.
	MinBackoff, MaxBackoff time.Duration
	// Fetcher tunes every worker's fetcher (poll interval, TLS config).
	Fetcher Fetcher
	// Owner names this server in the inbox leases (default host name,
	// process id and a random part); LeaseTTL is how long a lease holds
	// without renewal (default 1 min).
	Owner    string
	LeaseTTL time.Duration

	once    sync.Once
	reload  chan struct{}
	mu      sync.Mutex
	workers map[int64]*worker
}

type worker struct {
	key    string
	cancel context.CancelFunc
	done   chan struct{}
}

func (s *Supervisor) init() {
	s.once.Do(func() {
		s.reload = make(chan struct{}, 1)
		s.workers = map[int64]*worker{}
		if s.Reread <= 0 {
			s.Reread = 30 * time.Second
		}
		if s.MinBackoff <= 0 {
			s.MinBackoff = time.Second
		}
		if s.MaxBackoff <= 0 {
			s.MaxBackoff = 5 * time.Minute
		}
		if s.Log == nil {
			s.Log = slog.Default()
		}
		if s.LeaseTTL <= 0 {
			s.LeaseTTL = time.Minute
		}
		if s.Owner == "" {
			host, _ := os.Hostname()
			s.Owner = fmt.Sprintf("%s/%d/%08x", host, os.Getpid(), rand.Uint32())
		}
	})
}

// Reload makes the supervisor read the inboxes now (after an admin
// changed one) instead of at the next reread.
func (s *Supervisor) Reload() {
	s.init()
	select {
	case s.reload <- struct{}{}:
	default:
	}
}

// Run supervises until ctx ends, then stops every worker and returns.
func (s *Supervisor) Run(ctx context.Context) {
	s.init()
	t := time.NewTicker(s.Reread)
	defer t.Stop()
	for {
		s.sync(ctx)
		select {
		case <-ctx.Done():
			s.mu.Lock()
			for id, w := range s.workers {
				w.cancel()
				<-w.done
				delete(s.workers, id)
			}
			s.mu.Unlock()
			return
		case <-t.C:
		case <-s.reload:
		}
	}
}

// Running returns the ids of the inboxes being fetched.
func (s *Supervisor) Running() []int64 {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int64, 0, len(s.workers))
	for id := range s.workers {
		out = append(out, id)
	}
	return out
}

// sync makes the workers match the inboxes: a changed inbox (settings or
// defaults) gets a fresh worker.
func (s *Supervisor) sync(ctx context.Context) {
	boxes, err := s.Inboxes.MailInboxes(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.Log.Error("imap: read inboxes", "err", err)
		}
		return
	}
	var mine []string
	for _, b := range boxes {
		if b.Address != "" {
			mine = append(mine, b.Address)
		}
	}
	want := map[int64]inbox.Inbox{}
	keys := map[int64]string{}
	for _, b := range boxes {
		if _, ok := b.IMAP(); !ok {
			continue
		}
		k, _ := json.Marshal(struct {
			B    inbox.Inbox
			Mine []string
		}{b, mine})
		want[b.ID], keys[b.ID] = b, string(k)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, w := range s.workers {
		if keys[id] != w.key {
			w.cancel()
			<-w.done
			delete(s.workers, id)
		}
	}
	for id, b := range want {
		if _, ok := s.workers[id]; ok {
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		w := &worker{key: keys[id], cancel: cancel, done: make(chan struct{})}
		s.workers[id] = w
		go s.run(wctx, w, b, mine)
	}
}

// session runs one fetcher session while renewing the lease; losing the
// lease (another server took over after a stall) ends the session.
func (s *Supervisor) session(ctx context.Context, f *Fetcher, inboxID int64) error {
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		t := time.NewTicker(s.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-sctx.Done():
				return
			case <-t.C:
			}
			held, err := s.Store.Lease(sctx, inboxID, s.Owner, s.LeaseTTL)
			if err == nil && !held {
				cancel(errors.New("another server took over this inbox"))
				return
			}
		}
	}()
	err := f.Session(sctx)
	if cause := context.Cause(sctx); err == nil && cause != nil && ctx.Err() == nil {
		return cause
	}
	return err
}

// run keeps one inbox's session going: reconnecting after a failure with
// exponential backoff and jitter, reset by a session that lasted.
func (s *Supervisor) run(ctx context.Context, w *worker, b inbox.Inbox, mine []string) {
	defer close(w.done)
	settings, _ := b.IMAP()
	f := s.Fetcher
	f.InboxID, f.Settings, f.Store, f.Log = b.ID, settings, s.Store, s.Log.With("inbox_id", b.ID)
	f.Ingester = s.NewIngester(b, mine)
	defer func() {
		if err := s.Store.Release(context.WithoutCancel(ctx), b.ID, s.Owner); err != nil {
			f.Log.Warn("imap: lease not released", "err", err)
		}
	}()
	backoff := s.MinBackoff
	for ctx.Err() == nil {
		held, err := s.Store.Lease(ctx, b.ID, s.Owner, s.LeaseTTL)
		if err != nil || !held {
			// Another server fetches this inbox (or the database is
			// away): look again before its lease would run out.
			if err != nil && ctx.Err() == nil {
				f.Log.Warn("imap: lease", "err", err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(s.LeaseTTL / 3):
			}
			continue
		}
		start := time.Now()
		err = s.session(ctx, &f, b.ID)
		if ctx.Err() != nil {
			break
		}
		if time.Since(start) > 2*time.Minute {
			backoff = s.MinBackoff
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		f.Log.Warn("imap: session ended; reconnecting", "err", err, "in", wait)
		f.health(ctx, healthUpdate{state: StateBackoff, err: err})
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		backoff = min(backoff*2, s.MaxBackoff)
	}
	// The worker may be replaced by a new one for the same inbox: only a
	// supervisor shutting down says "stopped".
	f.health(context.WithoutCancel(ctx), healthUpdate{state: StateStopped})
}
