package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"tessera/internal/store"
)

// Kinds of Signal.
const (
	KindTicket   = "ticket"
	KindPresence = "presence"
	// KindResync tells a subscriber that signals were dropped because it
	// read too slowly: whatever it shows may be stale and should be reloaded.
	KindResync = "resync"
)

// ViewerTimeout is how long a presence heartbeat counts: a browser tab
// should send one well within it (every 15–20 s).
const ViewerTimeout = 45 * time.Second

const (
	defaultInterval   = 300 * time.Millisecond
	defaultPurgeEvery = time.Minute
	// Signals only matter to hubs polling right now; ten minutes covers a
	// server that stalls for a while without letting the table grow.
	signalRetention = 10 * time.Minute
	// Presence rows outlive ViewerTimeout a little so the purge that
	// announces them as stale still finds them.
	presenceRetention = 2 * time.Minute
	batchSize         = 1000
	subscriberBuffer  = 256
	maxBackoff        = 10 * time.Second
	pollTimeout       = 10 * time.Second
	// On PostgreSQL ids are taken from a sequence before commit, so a
	// transaction holding a lower id can commit after we have read a higher
	// one. Ids skipped over are re-checked for this long before they are
	// given up as rolled back.
	gapWait = 30 * time.Second
	maxGaps = 1000
)

// Signal is one live event for the browser workspace.
type Signal struct {
	// Seq numbers the signals of one hub in the order it sent them; it is
	// local to the server and not a database id.
	Seq  int64
	Kind string // KindTicket, KindPresence or KindResync
	// TicketID is the ticket concerned; AgentID the agent of a presence
	// signal.
	TicketID, AgentID int64
	// EventType is the ticket event type of a ticket signal: the latest one
	// when several events of the ticket arrived together.
	EventType string
	ActorKind string
	ActorID   int64
	// TeamID and AssigneeID are the ticket's current team and assignee, so
	// the web layer can decide who may see the signal.
	TeamID, AssigneeID *int64
	// FormerTeamID and FormerAssigneeID are set when the change moved the
	// ticket away from them: screens that listed the ticket because of the
	// old team or assignee need the signal to drop it.
	FormerTeamID, FormerAssigneeID *int64
	At                             time.Time
}

// Viewer is an agent who has a ticket open.
type Viewer struct {
	AgentID int64
	Name    string
	Typing  bool
}

// Hub polls the database for ticket events and live signals and fans them
// out to subscribers. Every server runs its own hub; they share nothing but
// the database, so a change made through one server reaches the screens
// connected to all of them.
type Hub struct {
	DB       *store.DB
	Interval time.Duration // between polls; 300 ms when zero
	Log      *slog.Logger

	// purgeEvery is how often old rows are deleted and stale viewers
	// announced; tests shorten it.
	purgeEvery time.Duration

	once    sync.Once
	ready   chan struct{}
	running bool

	mu      sync.Mutex
	subs    map[*subscriber]struct{}
	stopped bool
	seq     int64

	// Only Run's goroutine touches these.
	events, signals cursor
	lastPurge       time.Time
}

type subscriber struct {
	ch chan Signal
	// lagging is set when a signal was dropped; the subscriber gets a
	// resync before anything else once it has room.
	lagging bool
}

func (h *Hub) init() {
	h.once.Do(func() {
		h.ready = make(chan struct{})
		h.subs = map[*subscriber]struct{}{}
	})
}

func (h *Hub) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

// Ready is closed once Run has read its starting position: changes
// committed after that are delivered.
func (h *Hub) Ready() <-chan struct{} {
	h.init()
	return h.ready
}

// Subscribe returns a channel of signals and a function that ends the
// subscription. The channel is closed when the subscription ends or the
// hub stops. A subscriber that falls behind is not waited for: its signals
// are dropped and it receives one KindResync signal when it has room again.
func (h *Hub) Subscribe() (<-chan Signal, func()) {
	h.init()
	s := &subscriber{ch: make(chan Signal, subscriberBuffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		close(s.ch)
		return s.ch, func() {}
	}
	h.subs[s] = struct{}{}
	return s.ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[s]; ok {
			delete(h.subs, s)
			close(s.ch)
		}
	}
}

// Run polls until ctx is done, then closes every subscription and returns
// nil. Database errors are logged and retried with a growing delay; they
// never end Run.
func (h *Hub) Run(ctx context.Context) error {
	h.init()
	h.mu.Lock()
	if h.running || h.stopped {
		h.mu.Unlock()
		return errors.New("live hub: Run called twice")
	}
	h.running = true
	h.mu.Unlock()
	defer h.stop()

	interval := h.Interval
	if interval <= 0 {
		interval = defaultInterval
	}
	purgeEvery := h.purgeEvery
	if purgeEvery <= 0 {
		purgeEvery = defaultPurgeEvery
	}
	// Only PostgreSQL commits ids out of order; SQLite's single writer
	// hands them out in commit order.
	h.events.gaps = h.DB.Engine == store.Postgres
	h.signals.gaps = h.DB.Engine == store.Postgres

	for failures := 0; ; failures++ {
		err := h.start(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		h.log().Warn("live hub: reading start position", "err", err)
		if !sleep(ctx, backoff(interval, failures)) {
			return nil
		}
	}
	h.lastPurge = store.Now()
	close(h.ready)

	poll := time.NewTimer(interval)
	defer poll.Stop()
	purge := time.NewTicker(purgeEvery)
	defer purge.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-purge.C:
			if err := h.purge(ctx); err != nil && ctx.Err() == nil {
				h.log().Warn("live hub: purge", "err", err)
			}
		case <-poll.C:
			more, err := h.poll(ctx)
			wait := interval
			switch {
			case err != nil && ctx.Err() != nil:
				return nil
			case err != nil:
				failures++
				wait = backoff(interval, failures)
				h.log().Warn("live hub: poll", "err", err, "failures", failures, "retry_in", wait)
			default:
				failures = 0
				if more {
					// A full batch: the rest is waiting, read it now.
					wait = 0
				}
			}
			h.retryLagging()
			poll.Reset(wait)
		}
	}
}

func backoff(interval time.Duration, failures int) time.Duration {
	d := interval
	for range min(failures, 16) {
		d *= 2
		if d >= maxBackoff {
			return maxBackoff
		}
	}
	return d
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (h *Hub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopped = true
	for s := range h.subs {
		close(s.ch)
	}
	clear(h.subs)
}

// start begins at the newest rows: history is the pages' business, the
// hub only tells them what changes from now on.
func (h *Hub) start(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	q := h.DB.Read()
	if err := q.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM ticket_events`).Scan(&h.events.last); err != nil {
		return fmt.Errorf("newest ticket event: %w", err)
	}
	if err := q.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM live_signals`).Scan(&h.signals.last); err != nil {
		return fmt.Errorf("newest live signal: %w", err)
	}
	return nil
}

// cursor is how far one table has been read, and on PostgreSQL the ids
// skipped over that may still commit.
type cursor struct {
	last    int64
	gaps    bool
	missing map[int64]time.Time
}

// see records that id was read. Rows arrive in id order within a query.
func (c *cursor) see(id int64, now time.Time) {
	if id <= c.last {
		delete(c.missing, id)
		return
	}
	if c.gaps && id > c.last+1 {
		if c.missing == nil {
			c.missing = map[int64]time.Time{}
		}
		for g := max(c.last+1, id-maxGaps); g < id; g++ {
			if len(c.missing) >= maxGaps {
				break
			}
			c.missing[g] = now
		}
	}
	c.last = id
}

// pending returns the skipped ids still worth asking for.
func (c *cursor) pending(now time.Time) []int64 {
	if len(c.missing) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(c.missing))
	for id, at := range c.missing {
		if now.Sub(at) > gapWait {
			delete(c.missing, id)
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// poll reads what was committed since the last poll and sends it out. It
// reports whether a batch was full, so the caller reads on at once.
func (h *Hub) poll(ctx context.Context) (more bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	now := time.Now()
	// On an error the rows read so far are sent all the same: the cursor
	// has moved past them.
	tickets, fullT, err := h.pollEvents(ctx, now)
	if err != nil {
		h.send(tickets)
		return false, err
	}
	presence, fullS, err := h.pollSignals(ctx, now)
	h.send(append(tickets, presence...))
	if err != nil {
		return false, err
	}
	return fullT || fullS, nil
}

const eventColumns = `SELECT e.id, e.ticket_id, e.type, e.actor_kind, e.actor_id, e.field, e.old_value, e.created_at, t.team_id, t.assignee_id
	FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id `

func (h *Hub) pollEvents(ctx context.Context, now time.Time) ([]Signal, bool, error) {
	c := &h.events
	var out []Signal
	byTicket := map[int64]int{}
	read := func(query string, arg any) (int, error) {
		rows, err := h.DB.Read().Query(ctx, query, arg)
		if err != nil {
			return 0, fmt.Errorf("read ticket events: %w", err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var (
				id                 int64
				s                  = Signal{Kind: KindTicket}
				actorID            *int64
				field, old         string
				teamID, assigneeID *int64
			)
			if err := rows.Scan(&id, &s.TicketID, &s.EventType, &s.ActorKind, &actorID, &field, &old, &s.At, &teamID, &assigneeID); err != nil {
				return n, fmt.Errorf("read ticket events: %w", err)
			}
			n++
			c.see(id, now)
			if actorID != nil {
				s.ActorID = *actorID
			}
			s.TeamID, s.AssigneeID = teamID, assigneeID
			i, seen := byTicket[s.TicketID]
			if !seen {
				i = len(out)
				byTicket[s.TicketID] = i
				out = append(out, s)
			}
			o := &out[i]
			if seen {
				o.EventType, o.ActorKind, o.ActorID, o.At = s.EventType, s.ActorKind, s.ActorID, s.At
			}
			// Field names as the ticket service records them; the first
			// change in the batch holds the value screens last saw.
			switch field {
			case "team_id":
				if o.FormerTeamID == nil {
					o.FormerTeamID = parseID(old)
				}
			case "assignee_id":
				if o.FormerAssigneeID == nil {
					o.FormerAssigneeID = parseID(old)
				}
			}
		}
		if err := rows.Err(); err != nil {
			return n, fmt.Errorf("read ticket events: %w", err)
		}
		return n, nil
	}
	if gaps := c.pending(now); len(gaps) > 0 {
		if _, err := read(eventColumns+`WHERE e.id = ANY($1) ORDER BY e.id`, gaps); err != nil {
			return out, false, err
		}
	}
	n, err := read(eventColumns+`WHERE e.id > $1 ORDER BY e.id LIMIT 1000`, c.last)
	if err != nil {
		return out, false, err
	}
	return out, n == batchSize, nil
}

func parseID(s string) *int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil
	}
	return &id
}

const signalColumns = `SELECT s.id, s.ticket_id, s.agent_id, s.kind, s.created_at, t.team_id, t.assignee_id
	FROM live_signals s LEFT JOIN tickets t ON t.id = s.ticket_id `

func (h *Hub) pollSignals(ctx context.Context, now time.Time) ([]Signal, bool, error) {
	c := &h.signals
	var out []Signal
	// Each presence signal makes every screen on the ticket reload its
	// viewers; one per ticket and poll is enough.
	type key struct {
		kind   string
		ticket int64
	}
	seen := map[key]int{}
	read := func(query string, arg any) (int, error) {
		rows, err := h.DB.Read().Query(ctx, query, arg)
		if err != nil {
			return 0, fmt.Errorf("read live signals: %w", err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var id int64
			var s Signal
			if err := rows.Scan(&id, &s.TicketID, &s.AgentID, &s.Kind, &s.At, &s.TeamID, &s.AssigneeID); err != nil {
				return n, fmt.Errorf("read live signals: %w", err)
			}
			n++
			c.see(id, now)
			k := key{s.Kind, s.TicketID}
			if i, ok := seen[k]; ok {
				out[i] = s
				continue
			}
			seen[k] = len(out)
			out = append(out, s)
		}
		if err := rows.Err(); err != nil {
			return n, fmt.Errorf("read live signals: %w", err)
		}
		return n, nil
	}
	if gaps := c.pending(now); len(gaps) > 0 {
		if _, err := read(signalColumns+`WHERE s.id = ANY($1) ORDER BY s.id`, gaps); err != nil {
			return out, false, err
		}
	}
	n, err := read(signalColumns+`WHERE s.id > $1 ORDER BY s.id LIMIT 1000`, c.last)
	if err != nil {
		return out, false, err
	}
	return out, n == batchSize, nil
}

// send numbers the signals and offers each to every subscriber.
func (h *Hub) send(sigs []Signal) {
	if len(sigs) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range sigs {
		h.seq++
		sigs[i].Seq = h.seq
	}
	for s := range h.subs {
		for _, sig := range sigs {
			h.offer(s, sig)
		}
	}
}

// offer never blocks: the hub serves every screen of the server, and one
// stuck connection must not hold up the others.
func (h *Hub) offer(s *subscriber, sig Signal) {
	if s.lagging {
		select {
		case s.ch <- Signal{Seq: h.seq, Kind: KindResync, At: time.Now()}:
			s.lagging = false
		default:
			return
		}
	}
	select {
	case s.ch <- sig:
	default:
		s.lagging = true
	}
}

// retryLagging hands a pending resync to subscribers that have caught up
// even when no new signal comes to carry it.
func (h *Hub) retryLagging() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if !s.lagging {
			continue
		}
		select {
		case s.ch <- Signal{Seq: h.seq, Kind: KindResync, At: time.Now()}:
			s.lagging = false
		default:
		}
	}
}

// purge deletes rows nobody needs any more and announces viewers that went
// stale since the last purge. Every server runs it: the deletes are
// idempotent, and each hub announces to its own subscribers only, so a
// stale viewer is announced once per server rather than once per server
// per server.
func (h *Hub) purge(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	now := store.Now()
	since := h.lastPurge.Add(-ViewerTimeout)
	until := now.Add(-ViewerTimeout)
	rows, err := h.DB.Read().Query(ctx, `SELECT p.ticket_id, p.agent_id, t.team_id, t.assignee_id
		FROM presence p JOIN tickets t ON t.id = p.ticket_id
		WHERE p.seen_at > $1 AND p.seen_at <= $2`, since, until)
	if err != nil {
		return fmt.Errorf("stale viewers: %w", err)
	}
	var stale []Signal
	done := map[int64]bool{}
	for rows.Next() {
		s := Signal{Kind: KindPresence, At: now}
		if err := rows.Scan(&s.TicketID, &s.AgentID, &s.TeamID, &s.AssigneeID); err != nil {
			rows.Close()
			return fmt.Errorf("stale viewers: %w", err)
		}
		if !done[s.TicketID] {
			done[s.TicketID] = true
			stale = append(stale, s)
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("stale viewers: %w", err)
	}
	h.lastPurge = now
	h.send(stale)

	if _, err := h.DB.Write().Exec(ctx, `DELETE FROM live_signals WHERE created_at < $1`, now.Add(-signalRetention)); err != nil {
		return fmt.Errorf("purge live signals: %w", err)
	}
	if _, err := h.DB.Write().Exec(ctx, `DELETE FROM presence WHERE seen_at < $1`, now.Add(-presenceRetention)); err != nil {
		return fmt.Errorf("purge presence: %w", err)
	}
	return nil
}

// Heartbeat records that an agent's browser tab (clientID) shows the
// ticket, and whether the agent is typing there. Other screens are
// signalled only when this changes what they show: a new viewer, a viewer
// back after going stale, or typing started or stopped.
func (h *Hub) Heartbeat(ctx context.Context, ticketID, agentID int64, clientID string, typing bool) error {
	if clientID == "" {
		return errors.New("heartbeat: empty client id")
	}
	now := store.Now()
	// The common heartbeat changes nothing anyone sees: one statement, no
	// transaction.
	n, err := h.DB.Write().Exec(ctx, `UPDATE presence SET seen_at = $1
		WHERE ticket_id = $2 AND agent_id = $3 AND client_id = $4 AND typing = $5 AND seen_at > $6`,
		now, ticketID, agentID, clientID, typing, now.Add(-ViewerTimeout))
	if err != nil {
		return fmt.Errorf("heartbeat on ticket %d: %w", ticketID, err)
	}
	if n > 0 {
		return nil
	}
	err = h.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO presence (ticket_id, agent_id, client_id, typing, seen_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (ticket_id, agent_id, client_id) DO UPDATE SET typing = excluded.typing, seen_at = excluded.seen_at`,
			ticketID, agentID, clientID, typing, now); err != nil {
			return err
		}
		return insertSignal(ctx, tx, ticketID, agentID, KindPresence, now)
	})
	if err != nil {
		return fmt.Errorf("heartbeat on ticket %d: %w", ticketID, err)
	}
	return nil
}

// Leave records that the tab no longer shows the ticket.
func (h *Hub) Leave(ctx context.Context, ticketID, agentID int64, clientID string) error {
	now := store.Now()
	err := h.DB.InTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `DELETE FROM presence WHERE ticket_id = $1 AND agent_id = $2 AND client_id = $3`, ticketID, agentID, clientID)
		if err != nil || n == 0 {
			return err
		}
		return insertSignal(ctx, tx, ticketID, agentID, KindPresence, now)
	})
	if err != nil {
		return fmt.Errorf("leave ticket %d: %w", ticketID, err)
	}
	return nil
}

func insertSignal(ctx context.Context, q store.Querier, ticketID, agentID int64, kind string, at time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO live_signals (ticket_id, agent_id, kind, created_at) VALUES ($1, $2, $3, $4)`, ticketID, agentID, kind, at)
	if err != nil {
		return fmt.Errorf("signal %s: %w", kind, err)
	}
	return nil
}

// Viewers returns the agents who have the ticket open, one entry per agent
// however many tabs they have, typing if they type in any of them.
func (h *Hub) Viewers(ctx context.Context, ticketID int64) ([]Viewer, error) {
	rows, err := h.DB.Read().Query(ctx, `SELECT p.agent_id, a.name, MAX(CASE WHEN p.typing THEN 1 ELSE 0 END)
		FROM presence p JOIN agents a ON a.id = p.agent_id
		WHERE p.ticket_id = $1 AND p.seen_at > $2
		GROUP BY p.agent_id, a.name ORDER BY a.name, p.agent_id`, ticketID, store.Now().Add(-ViewerTimeout))
	if err != nil {
		return nil, fmt.Errorf("viewers of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []Viewer{}
	for rows.Next() {
		var v Viewer
		var typing int64
		if err := rows.Scan(&v.AgentID, &v.Name, &typing); err != nil {
			return nil, fmt.Errorf("viewers of ticket %d: %w", ticketID, err)
		}
		v.Typing = typing != 0
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("viewers of ticket %d: %w", ticketID, err)
	}
	return out, nil
}
