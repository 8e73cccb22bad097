package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tessera/internal/search"
	"tessera/internal/store"
)

// SeedOptions say how much to generate.
type SeedOptions struct {
	// Tickets to add. Contacts (a quarter as many), organizations (2,000),
	// teams (10) and agents (50) come with them; the last three are made
	// only when the database has fewer.
	Tickets int
	// Seed makes the data reproducible: the same seed gives the same text.
	Seed int64
	// Batch is the number of tickets per transaction (default 5,000 on
	// SQLite, 2,000 on PostgreSQL).
	Batch int
	// Now is the newest moment of the generated history (default now);
	// tickets spread over the two years before it.
	Now time.Time
	// Log receives progress lines; nil for silence.
	Log io.Writer
	// KeepIndexes never drops the secondary indexes. By default they are
	// dropped and rebuilt after the load when it at least doubles the
	// number of tickets, which is several times faster.
	KeepIndexes bool
}

// SeedResult counts what was written.
type SeedResult struct {
	Tickets, Messages, Events, Tags, Contacts, Organizations int64
	FirstTicketID, LastTicketID                              int64
	// Rows is every row written, index documents included.
	Rows    int64
	Elapsed time.Duration
	// Load is the time spent inserting tickets; the rest is set-up, index
	// builds and statistics.
	Load time.Duration
}

const (
	seedOrganizations = 2000
	seedTeams         = 10
	seedAgents        = 50
	day               = 24 * time.Hour
)

// rebuildMin is the smallest load for which the indexes are dropped and
// rebuilt (tests lower it).
var rebuildMin = 10000

// Status categories by weight (per mille): about 12% still being worked
// on, the rest solved (recently: the server closes solved tickets after
// four days) or closed.
var (
	statusCats    = []string{"new", "open", "pending", "on_hold", "solved", "closed"}
	statusWeights = []int{20, 60, 30, 10, 15, 865}
	priorities    = []string{"low", "normal", "high", "urgent"}
	prioWeights   = []int{15, 60, 20, 5}
	types         = []string{"", "question", "incident", "problem", "task"}
	typeWeights   = []int{10, 45, 25, 10, 10}
	channels      = []string{"email", "web", "api", "chat", "phone"}
	chanWeights   = []int{55, 20, 5, 12, 8}
	teamWeights   = []int{25, 18, 14, 10, 8, 7, 6, 5, 4, 3}
	tagCounts     = []int{35, 30, 20, 10, 5}
)

type contact struct {
	id    int64
	org   int64 // 0: none
	lang  uint8
	first word
}

type seeder struct {
	db  *store.DB
	o   SeedOptions
	now time.Time
	w   writer

	orgs     []org
	teams    []int64
	agents   []int64
	members  map[int64][]int64 // team → agents
	agentSig map[int64]word
	contacts []contact

	firstTicket, firstNumber int64
	nextMessage              atomic.Int64

	res  SeedResult
	rows atomic.Int64
	done atomic.Int64
}

type org struct {
	id     int64
	domain string
}

// Seed adds o.Tickets realistic tickets, with their people, threads,
// events and search documents, to a migrated database, using bulk inserts
// (multi-row INSERTs on SQLite, COPY on PostgreSQL) in large transactions.
// Ids continue after the rows already there.
func Seed(ctx context.Context, db *store.DB, o SeedOptions) (*SeedResult, error) {
	if o.Tickets < 0 {
		return nil, errors.New("seed: negative ticket count")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Batch <= 0 {
		o.Batch = 5000
		if db.Engine == store.Postgres {
			o.Batch = 2000
		}
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	start := time.Now()
	s := &seeder{db: db, o: o, now: o.Now.UTC().Truncate(time.Microsecond), members: map[int64][]int64{}, agentSig: map[int64]word{}}
	var err error
	if db.Engine == store.SQLite {
		s.w, err = newLiteWriter(ctx, db)
	} else {
		s.w, err = newPgWriter(ctx, db)
	}
	if err != nil {
		return nil, err
	}
	defer s.w.close(ctx)
	if err := s.restoreIndexes(ctx); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0x7e55e7a))
	if err := s.people(ctx, r); err != nil {
		return nil, err
	}
	var existing int64
	if err := db.Write().QueryRow(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&existing); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	dropped := false
	if !o.KeepIndexes && int64(o.Tickets) >= existing && o.Tickets >= rebuildMin {
		if err := s.dropIndexes(ctx); err != nil {
			return nil, err
		}
		dropped = true
	}
	// The bulk load bypasses the ticket service, so the reports' summary
	// no longer holds every ticket: reports read the events until
	// `tessera report rebuild` has run.
	if _, err := db.Write().Exec(ctx, `UPDATE report_summary_state SET ready = 0`); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	loadStart := time.Now()
	if err := s.tickets(ctx); err != nil {
		return nil, err
	}
	s.res.Load = time.Since(loadStart)
	fmt.Fprintf(o.Log, "loaded %d tickets in %s (%.0f tickets/s, %.0f rows/s)\n", s.res.Tickets, s.res.Load.Round(time.Second),
		float64(s.res.Tickets)/s.res.Load.Seconds(), float64(s.rows.Load())/s.res.Load.Seconds())
	if dropped {
		if err := s.restoreIndexes(ctx); err != nil {
			return nil, err
		}
	}
	if err := s.w.finish(ctx, s); err != nil {
		return nil, err
	}
	s.res.Rows = s.rows.Load()
	s.res.Elapsed = time.Since(start)
	fmt.Fprintf(o.Log, "done: %d tickets, %d messages, %d events, %d contacts, %d rows in %s (%.0f rows/s overall)\n",
		s.res.Tickets, s.res.Messages, s.res.Events, s.res.Contacts, s.res.Rows, s.res.Elapsed.Round(time.Second), float64(s.res.Rows)/s.res.Elapsed.Seconds())
	fmt.Fprintln(o.Log, "run `tessera report rebuild` for fast reports (they read the events until then)")
	return &s.res, nil
}

func maxID(ctx context.Context, q store.Querier, table, col string) (int64, error) {
	var n int64
	if err := q.QueryRow(ctx, `SELECT COALESCE(MAX(`+col+`), 0) FROM `+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("seed: max %s.%s: %w", table, col, err)
	}
	return n, nil
}

// people makes (or finds) the organizations, teams and agents, and makes
// the contacts the new tickets come from.
func (s *seeder) people(ctx context.Context, r *rand.Rand) error {
	q := s.db.Write()
	at := s.now.Add(-760 * day)

	// Organizations.
	var norgs int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM organizations`).Scan(&norgs); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if norgs < seedOrganizations {
		base, err := maxID(ctx, q, "organizations", "id")
		if err != nil {
			return err
		}
		var rows, domains [][]any
		for i := range seedOrganizations - norgs {
			id := base + 1 + int64(i)
			name := fmt.Sprintf("%s %s %d", orgWords[r.IntN(len(orgWords))], orgKinds[r.IntN(len(orgKinds))], id)
			domain := slug(name) + ".example"
			rows = append(rows, []any{id, name, domain, "", at, at})
			domains = append(domains, []any{domain, id})
		}
		if err := s.bulk(ctx, func(tx batchTx) error {
			if err := tx.insert(ctx, "organizations", []string{"id", "name", "domains", "notes", "created_at", "updated_at"}, rows); err != nil {
				return err
			}
			return tx.insert(ctx, "organization_domains", []string{"domain", "organization_id"}, domains)
		}); err != nil {
			return fmt.Errorf("seed organizations: %w", err)
		}
		s.res.Organizations = int64(len(rows))
	}
	rows, err := q.Query(ctx, `SELECT id, domains FROM organizations ORDER BY id`)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	for rows.Next() {
		var o org
		if err := rows.Scan(&o.id, &o.domain); err != nil {
			rows.Close()
			return err
		}
		if f := strings.Fields(o.domain); len(f) > 0 {
			o.domain = f[0]
		} else {
			o.domain = ""
		}
		s.orgs = append(s.orgs, o)
	}
	if err := rows.Close(); err != nil {
		return err
	}

	// Teams, agents and who is in which team.
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		have := map[string]bool{}
		rows, err := tx.Query(ctx, `SELECT id, lower(name) FROM teams ORDER BY id`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			s.teams = append(s.teams, id)
			have[name] = true
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, name := range teamNames {
			if len(s.teams) >= seedTeams {
				break
			}
			if have[strings.ToLower(name)] {
				continue
			}
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO teams (name, description, tier, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
				name, "", 1+len(s.teams)/4, at).Scan(&id); err != nil {
				return err
			}
			s.teams = append(s.teams, id)
		}
		var nagents int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM agents WHERE active AND role <> 'light'`).Scan(&nagents); err != nil {
			return err
		}
		maxAgent, err := maxID(ctx, tx, "agents", "id")
		if err != nil {
			return err
		}
		for i := range max(0, seedAgents-nagents) {
			first := agentFirst[r.IntN(len(agentFirst))]
			last := lastNames[r.IntN(len(lastNames))]
			email := fmt.Sprintf("%s.%s.%d@helpdesk.example", slug(first), slug(last), maxAgent+1+int64(i))
			lang := []string{"en", "pt-BR", "es"}[i%3]
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO agents (email, name, role, ticket_access, language, time_zone, availability, capacity, active, created_at, updated_at)
				VALUES ($1, $2, 'agent', 'all', $3, 'UTC', 'available', 20, $4, $5, $5) RETURNING id`,
				email, first+" "+last, lang, true, at).Scan(&id); err != nil {
				return err
			}
			teams := []int64{s.teams[i%len(s.teams)]}
			if r.IntN(10) < 3 {
				teams = append(teams, s.teams[r.IntN(len(s.teams))])
			}
			for _, t := range teams {
				if _, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, t, id); err != nil {
					return err
				}
			}
		}
		rows, err = tx.Query(ctx, `SELECT id, name FROM agents WHERE active AND role <> 'light' ORDER BY id`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			s.agents = append(s.agents, id)
			s.agentSig[id] = words([]string{strings.Fields(name + " x")[0]})[0]
		}
		if err := rows.Close(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT m.team_id, m.agent_id FROM team_members m JOIN agents a ON a.id = m.agent_id WHERE a.active AND a.role <> 'light' ORDER BY 1, 2`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var t, a int64
			if err := rows.Scan(&t, &a); err != nil {
				rows.Close()
				return err
			}
			s.members[t] = append(s.members[t], a)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, tag := range tagNames {
			if _, err := tx.Exec(ctx, `INSERT INTO tags (name) VALUES ($1) ON CONFLICT DO NOTHING`, tag); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed teams and agents: %w", err)
	}
	if len(s.agents) == 0 || len(s.teams) == 0 {
		return errors.New("seed: no agents or teams")
	}

	// Contacts, each with an email identity: a quarter as many as tickets.
	n := max(10, s.o.Tickets/4)
	if s.o.Tickets == 0 {
		n = 0
	}
	cbase, err := maxID(ctx, q, "contacts", "id")
	if err != nil {
		return err
	}
	ibase, err := maxID(ctx, q, "contact_identities", "id")
	if err != nil {
		return err
	}
	firsts, lasts := words(firstNames), lastNames
	zones := [][]string{{"America/New_York", "America/Chicago", "Europe/London", "America/Los_Angeles"}, {"America/Sao_Paulo", "America/Recife", "Europe/Lisbon"}, {"Europe/Madrid", "America/Mexico_City", "America/Bogota", "America/Argentina/Buenos_Aires"}}
	cols := []string{"id", "name", "organization_id", "tier", "language", "time_zone", "notes", "created_at", "updated_at"}
	icols := []string{"id", "contact_id", "kind", "value", "is_primary", "created_at"}
	const chunk = 20000
	for from := 0; from < n; from += chunk {
		var crow, irow [][]any
		for i := from; i < min(n, from+chunk); i++ {
			id := cbase + 1 + int64(i)
			lang := pickLanguage(r)
			first := firsts[r.IntN(len(firsts))]
			last := lasts[r.IntN(len(lasts))]
			var orgID any
			domain := freeMail[r.IntN(len(freeMail))]
			c := contact{id: id, lang: uint8(lang), first: first}
			if len(s.orgs) > 0 && r.IntN(10) < 7 {
				o := s.orgs[skewed(r, len(s.orgs))]
				orgID, c.org = o.id, o.id
				if o.domain != "" {
					domain = o.domain
				}
			}
			tier := ""
			if r.IntN(20) == 0 {
				tier = "vip"
			}
			created := at.Add(-time.Duration(r.IntN(30*24)) * time.Hour)
			crow = append(crow, []any{id, first.text + " " + last, orgID, tier, languages[lang].code, zones[lang][r.IntN(len(zones[lang]))], "", created, created})
			email := fmt.Sprintf("%s.%s.%d@%s", slug(first.text), slug(last), id, domain)
			irow = append(irow, []any{ibase + 1 + int64(i), id, "email", email, true, created})
			s.contacts = append(s.contacts, c)
		}
		if err := s.bulk(ctx, func(tx batchTx) error {
			if err := tx.insert(ctx, "contacts", cols, crow); err != nil {
				return err
			}
			return tx.insert(ctx, "contact_identities", icols, irow)
		}); err != nil {
			return fmt.Errorf("seed contacts: %w", err)
		}
		s.rows.Add(int64(len(crow) + len(irow)))
	}
	s.res.Contacts = int64(len(s.contacts))
	return nil
}

// bulk runs f in one bulk transaction.
func (s *seeder) bulk(ctx context.Context, f func(tx batchTx) error) error {
	tx, err := s.w.begin(ctx)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.rollback(ctx)
		return err
	}
	return tx.commit(ctx)
}

// batch is the rows of a run of consecutive tickets.
type batch struct {
	tickets, messages, events, tags [][]any
	firstMsg                        []int // per ticket: index of its first message in messages
	createdEvent                    []int // per ticket: index of its created event
	ftsID                           []int64
	ftsSubject, ftsBody             []string
}

var (
	ticketCols  = []string{"id", "number", "subject", "status", "status_category", "priority", "type", "channel", "requester_id", "organization_id", "assignee_id", "team_id", "custom_fields", "message_count", "created_at", "updated_at", "first_reply_at", "solved_at", "closed_at"}
	messageCols = []string{"id", "ticket_id", "kind", "author_agent_id", "author_contact_id", "channel", "body_text", "body_html", "created_at"}
	eventCols   = []string{"ticket_id", "type", "actor_kind", "actor_id", "field", "old_value", "new_value", "message_id", "created_at"}
	tagCols     = []string{"ticket_id", "tag"}
)

// tickets generates and writes the tickets: generators build batches in
// parallel, writers insert them, each batch in one transaction.
func (s *seeder) tickets(ctx context.Context) error {
	q := s.db.Write()
	var err error
	if s.firstTicket, err = maxID(ctx, q, "tickets", "id"); err != nil {
		return err
	}
	if s.firstNumber, err = maxID(ctx, q, "tickets", "number"); err != nil {
		return err
	}
	s.firstTicket++
	s.firstNumber = max(s.firstNumber, 1000) + 1
	msgBase, err := maxID(ctx, q, "messages", "id")
	if err != nil {
		return err
	}
	s.nextMessage.Store(msgBase + 1)
	s.res.FirstTicketID = s.firstTicket
	s.res.LastTicketID = s.firstTicket + int64(s.o.Tickets) - 1
	nb := (s.o.Tickets + s.o.Batch - 1) / s.o.Batch
	if nb == 0 {
		return nil
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan int)
	batches := make(chan *batch, 2)
	var genWG, writeWG sync.WaitGroup
	fail := func(err error) { cancel(err) }
	gens := max(1, runtime.NumCPU()/2)
	for range gens {
		genWG.Go(func() {
			for bi := range jobs {
				b := s.generate(bi)
				select {
				case batches <- b:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	for range s.w.writers() {
		writeWG.Go(func() {
			for b := range batches {
				if ctx.Err() != nil {
					continue
				}
				if err := s.write(ctx, b); err != nil {
					fail(err)
				}
			}
		})
	}
	start := time.Now()
	stopProgress := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case <-t.C:
				el := time.Since(start).Seconds()
				d := s.done.Load()
				fmt.Fprintf(s.o.Log, "  %d/%d tickets (%.0f%%), %.0f tickets/s, %.0f rows/s\n", d, s.o.Tickets, 100*float64(d)/float64(s.o.Tickets), float64(d)/el, float64(s.rows.Load())/el)
			}
		}
	}()
feed:
	for bi := range nb {
		select {
		case jobs <- bi:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	genWG.Wait()
	close(batches)
	writeWG.Wait()
	close(stopProgress)
	<-progressDone
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("seed tickets: %w", err)
	} else if err != nil {
		return err
	}
	return nil
}

func (s *seeder) write(ctx context.Context, b *batch) error {
	// Message ids are handed out when a batch is written (batches are
	// generated in parallel); the created events point at them.
	n := int64(len(b.messages))
	base := s.nextMessage.Add(n) - n
	for i, m := range b.messages {
		m[0] = base + int64(i)
	}
	for i, ev := range b.createdEvent {
		b.events[ev][7] = base + int64(b.firstMsg[i])
	}
	err := s.bulk(ctx, func(tx batchTx) error {
		if err := tx.insert(ctx, "tickets", ticketCols, b.tickets); err != nil {
			return err
		}
		if err := tx.insert(ctx, "messages", messageCols, b.messages); err != nil {
			return err
		}
		if err := tx.insert(ctx, "ticket_events", eventCols, b.events); err != nil {
			return err
		}
		if err := tx.insert(ctx, "ticket_tags", tagCols, b.tags); err != nil {
			return err
		}
		return tx.index(ctx, b.ftsID, b.ftsSubject, b.ftsBody)
	})
	if err != nil {
		return err
	}
	s.done.Add(int64(len(b.tickets)))
	s.rows.Add(int64(len(b.tickets) + len(b.messages) + len(b.events) + len(b.tags) + len(b.ftsID)))
	// The result is only read once every writer has finished.
	resMu.Lock()
	s.res.Tickets += int64(len(b.tickets))
	s.res.Messages += int64(len(b.messages))
	s.res.Events += int64(len(b.events))
	s.res.Tags += int64(len(b.tags))
	resMu.Unlock()
	return nil
}

var resMu sync.Mutex

// generate builds batch bi. Each ticket's random source depends only on the
// seed and its id, so the data do not depend on batch sizes or scheduling.
func (s *seeder) generate(bi int) *batch {
	from := bi * s.o.Batch
	to := min(s.o.Tickets, from+s.o.Batch)
	b := &batch{}
	var t text
	var docs []string
	src := rand.NewPCG(0, 0)
	r := rand.New(src)
	for i := from; i < to; i++ {
		src.Seed(uint64(s.o.Seed), uint64(s.firstTicket)+uint64(i))
		s.ticket(r, b, int64(i), &t, &docs)
	}
	return b
}

func (s *seeder) randomAgent(r *rand.Rand, team int64) int64 {
	if m := s.members[team]; len(m) > 0 && r.IntN(10) > 0 {
		return m[r.IntN(len(m))]
	}
	return s.agents[r.IntN(len(s.agents))]
}

func expDuration(r *rand.Rand, mean time.Duration) time.Duration {
	return time.Duration(r.ExpFloat64() * float64(mean))
}

// ticket generates one ticket with its thread, tags, events and document.
func (s *seeder) ticket(r *rand.Rand, b *batch, seq int64, t *text, docs *[]string) {
	id := s.firstTicket + seq
	number := s.firstNumber + seq
	// Requesters: a few customers write often (u^1.5 skew), most rarely.
	u := r.Float64()
	c := &s.contacts[min(len(s.contacts)-1, int(float64(len(s.contacts))*u*math.Sqrt(u)))]
	lang := languages[c.lang]
	cat := statusCats[pick(r, statusWeights)]
	n := messageCount(r)
	if cat == "new" {
		n = 1
		if r.IntN(4) == 0 {
			n = 2
		}
	}
	var created time.Time
	switch cat {
	case "closed":
		created = s.now.Add(-5*day - time.Duration(r.Int64N(int64(725*day))))
	case "solved":
		created = s.now.Add(-day - time.Duration(r.Int64N(int64(2*day))))
	default:
		created = s.now.Add(-min(90*day, time.Minute+expDuration(r, 10*day)))
	}
	created = created.Truncate(time.Microsecond)
	priority := priorities[pick(r, prioWeights)]
	typ := types[pick(r, typeWeights)]
	channel := channels[pick(r, chanWeights)]
	var teamID, assignee int64
	if r.IntN(20) > 0 {
		teamID = s.teams[pick(r, teamWeights[:min(len(teamWeights), len(s.teams))])%len(s.teams)]
	}
	if cat != "new" && !(cat == "open" && r.IntN(30) == 0) {
		assignee = s.randomAgent(r, teamID)
	}

	// The thread: the customer first, then agent and customer in turn.
	times := make([]time.Time, n)
	at := created
	for k := range n {
		if k > 0 {
			at = at.Add(2*time.Minute + expDuration(r, 5*time.Hour))
		}
		times[k] = at
	}
	limit := s.now.Add(-time.Minute)
	if cat == "solved" {
		limit = s.now.Add(-3 * time.Hour)
	}
	if last := times[n-1]; last.After(limit) && n > 1 {
		// Squeeze the thread into the time the ticket has existed.
		f := float64(limit.Sub(created)) / float64(last.Sub(created))
		for k := range times {
			times[k] = created.Add(time.Duration(float64(times[k].Sub(created)) * f))
		}
	}
	subj := mild(r, len(lang.subjects))
	topic := lang.topic(r, subj, nil)
	var firstReply, solved, closed *time.Time
	*docs = (*docs)[:0]
	agentReplied := false
	for k := range n {
		m := times[k].Truncate(time.Microsecond)
		kind, mchan := "reply", channel
		var agentID, contactID any
		var signer word
		if k%2 == 0 || cat == "new" {
			contactID = c.id
			signer = c.first
		} else {
			a := assignee
			if a == 0 {
				a = s.randomAgent(r, teamID)
			}
			agentID = a
			signer = s.agentSig[a]
			if r.IntN(10) == 0 {
				kind, mchan = "note", "agent"
			} else if firstReply == nil {
				firstReply = &m
				agentReplied = true
			}
		}
		t.message(r, lang, bodyLength(r), signer, topic)
		body := t.b.String()
		if k == 0 {
			b.firstMsg = append(b.firstMsg, len(b.messages))
		}
		b.messages = append(b.messages, []any{int64(0), id, kind, agentID, contactID, mchan, body, htmlOf(body), m})
		*docs = append(*docs, t.doc.String())
	}
	updated := times[n-1].Truncate(time.Microsecond)
	switch cat {
	case "solved", "closed":
		sv := updated.Add(5*time.Minute + expDuration(r, time.Hour)).Truncate(time.Microsecond)
		if cat == "solved" && sv.After(s.now) {
			sv = s.now.Add(-time.Minute).Truncate(time.Microsecond)
		}
		solved, updated = &sv, sv
		if cat == "closed" {
			cl := sv.Add(4*day + time.Duration(r.IntN(6*60))*time.Minute).Truncate(time.Microsecond)
			if cl.After(s.now) {
				cl = s.now.Add(-time.Minute).Truncate(time.Microsecond)
			}
			closed, updated = &cl, cl
		}
	}
	status := cat
	subject := lang.subjects[subj]
	if r.IntN(4) == 0 {
		subject += " (#" + strconv.Itoa(10000+r.IntN(90000)) + ")"
	}
	var org, asg, team any
	if c.org != 0 {
		org = c.org
	}
	if assignee != 0 {
		asg = assignee
	}
	if teamID != 0 {
		team = teamID
	}
	b.tickets = append(b.tickets, []any{id, number, subject, status, cat, priority, typ, channel, c.id, org, asg, team, "{}", n,
		created, updated, tp(firstReply), tp(solved), tp(closed)})

	// Tags: none to four.
	var tags []string
	for range pick(r, tagCounts) {
		tag := tagNames[skewed(r, len(tagNames))]
		dup := false
		for _, x := range tags {
			dup = dup || x == tag
		}
		if !dup {
			tags = append(tags, tag)
			b.tags = append(b.tags, []any{id, tag})
		}
	}

	// Events: created, then the field changes of the ticket's life.
	actorKind, actorID := "contact", any(c.id)
	if channel == "phone" || channel == "api" {
		a := s.randomAgent(r, teamID)
		actorKind, actorID = "agent", a
	}
	b.createdEvent = append(b.createdEvent, len(b.events))
	b.events = append(b.events, []any{id, "created", actorKind, actorID, "", "", "new", int64(0), created})
	ev := func(actorKind string, actor any, field, old, new string, at time.Time) {
		b.events = append(b.events, []any{id, "field_changed", actorKind, actor, field, old, new, nil, at})
	}
	if assignee != 0 {
		ev("system", nil, "assignee_id", "", strconv.FormatInt(assignee, 10), created.Add(time.Minute))
	}
	if cat != "new" {
		openedAt := updated
		if agentReplied {
			openedAt = *firstReply
		}
		ev("agent", asg, "status", "new", "open", openedAt)
	}
	switch cat {
	case "pending", "on_hold":
		ev("agent", asg, "status", "open", cat, updated)
	case "solved", "closed":
		ev("agent", asg, "status", "open", "solved", *solved)
	}
	if cat == "closed" {
		ev("system", nil, "status", "solved", "closed", *closed)
	}

	b.ftsID = append(b.ftsID, id)
	b.ftsSubject = append(b.ftsSubject, search.Document(subject))
	b.ftsBody = append(b.ftsBody, strings.Join(*docs, " "))
}

func tp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}
