package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"tessera/internal/auth"
	"tessera/internal/ticket"
)

// The plan is everything the demo will do, computed before anything is
// written: a pure function of the seed and the reference day, so the same
// seed gives the same data (and tests can compare plans cheaply).

// Ticket counts. Every planned ticket is created; the follow-ups are
// created by the ticket service when a customer answers a closed ticket.
const (
	numTickets   = 2000
	numDuplicate = 15 // tickets merged into an earlier one by the same customer
	numFollowUp  = 6  // customer replies to closed tickets, opening follow-ups
	windowDays   = 90
)

type topic struct {
	Key        string
	Team       int
	Tags       []string
	Types      []string
	Weight     float64
	NMin, NMax int // range of {n} in this topic's texts
	Cases      []tcase
}

// tcase is one kind of request within a topic: the subjects that fit its
// body, and the first replies that fit it (indexes into the language's
// topicText, the same for every language).
type tcase struct {
	Subjects []int
	Body     int
	Replies  []int
}

var topics = []topic{
	{"invoice", billing, []string{"billing", "invoice"}, []string{"question"}, 11, 2, 20,
		[]tcase{{[]int{0, 2}, 0, []int{0}}, {[]int{1}, 1, []int{1}}, {[]int{3}, 2, []int{2}}}},
	{"refund", billing, []string{"billing", "refund"}, []string{"task", "question"}, 9, 2, 20,
		[]tcase{{[]int{1}, 0, []int{1}}, {[]int{0, 2}, 1, []int{0}}}},
	{"login", support, []string{"login", "account"}, []string{"incident", "question"}, 11, 2, 10,
		[]tcase{{[]int{0, 1}, 0, []int{0}}, {[]int{2}, 1, []int{1}}, {[]int{3}, 2, []int{1}}}},
	{"password", support, []string{"login", "password_reset"}, []string{"question"}, 9, 2, 10,
		[]tcase{{[]int{0, 1}, 0, []int{0}}, {[]int{2}, 1, []int{1}}}},
	{"bug", technical, []string{"bug"}, []string{"problem", "incident"}, 11, 5000, 50000,
		[]tcase{{[]int{0}, 0, []int{0, 1}}, {[]int{1}, 1, []int{0, 1}}, {[]int{2}, 2, []int{0, 1}}, {[]int{3}, 3, []int{0, 1}}}},
	{"shipping", support, []string{"shipping", "delivery"}, []string{"question", "incident"}, 8, 2, 40,
		[]tcase{{[]int{0, 1}, 0, []int{0}}, {[]int{2}, 1, []int{1}}}},
	{"feature", support, []string{"feature_request"}, []string{"task"}, 8, 50, 500,
		[]tcase{{[]int{0}, 0, []int{0}}, {[]int{2}, 1, []int{0, 1}}, {[]int{1}, 2, []int{0, 1}}, {[]int{3}, 3, []int{0}}}},
	// Outage threads always get reply 0 (we are on it) then 1 (restored).
	{"outage", technical, []string{"outage"}, []string{"incident"}, 6, 10, 60,
		[]tcase{{[]int{0, 2}, 0, []int{0}}, {[]int{1}, 1, []int{0}}}},
	{"api", technical, []string{"api"}, []string{"incident", "problem", "question"}, 9, 20000, 200000,
		[]tcase{{[]int{0}, 0, []int{0}}, {[]int{1}, 1, []int{2}}, {[]int{2}, 2, []int{1}}, {[]int{3}, 3, []int{3}}}},
	{"cancel", billing, []string{"billing", "cancellation"}, []string{"task"}, 7, 2, 10,
		[]tcase{{[]int{0, 1}, 0, []int{0, 1}}, {[]int{2}, 1, []int{0}}}},
	{"upgrade", billing, []string{"billing", "upgrade"}, []string{"question", "task"}, 7, 5, 50,
		[]tcase{{[]int{0, 1, 2}, 0, []int{0, 1}}, {[]int{0}, 1, []int{0}}}},
}

// Which teams' topics each generic text fits, by index (the same in every
// language): a billing question is not "fixed and deployed".
const (
	fitS   = 1 << support
	fitB   = 1 << billing
	fitT   = 1 << technical
	fitAll = fitS | fitB | fitT
)

var (
	fitFollowUps = []uint8{fitS | fitT, fitAll, fitS | fitT, fitAll}
	fitAsks      = []uint8{fitS | fitT, fitS | fitT, fitB}
	fitSolves    = []uint8{fitAll, fitT, fitAll}
	fitNotes     = []uint8{fitT, fitAll, fitT, fitAll, fitAll, fitB}
	fitHolds     = []uint8{fitB, fitS | fitT}
	fitReopens   = []uint8{fitS | fitT, fitS | fitT, fitB}
)

// pickFit picks a text of bank that fits the team.
func pickFit(rng *rand.Rand, bank []string, fit []uint8, team int) string {
	var ok []string
	for i, t := range bank {
		if fit[i]&(1<<team) != 0 {
			ok = append(ok, t)
		}
	}
	return pick(rng, ok)
}

var (
	products  = []string{"Nimbus Drive", "Ledger Pro", "FleetTrack", "Pulse Analytics", "Orbit Mobile"}
	browsers  = []string{"Chrome", "Firefox", "Safari", "Edge"}
	errors5xx = []string{"502 Bad Gateway", "500 Internal Server Error", "503 Service Unavailable", "504 Gateway Timeout"}
	appErrors = []string{"ERR_SYNC_TIMEOUT", "E1042: checksum mismatch", "Request timed out after 30s", "500 Internal Server Error"}
	endpoints = []string{"/v2/orders", "/v2/invoices", "/v2/customers", "/v2/webhooks/events", "/v2/sync"}
	carriers  = map[string][]string{
		"BR": {"Correios", "Jadlog", "Loggi"}, "ES": {"SEUR", "MRW", "Correos Express"}, "MX": {"Estafeta", "DHL"},
		"AR": {"Andreani", "OCA"}, "CO": {"Servientrega"}, "CL": {"Chilexpress", "Starken"}, "IL": {"UPS", "DHL"},
		"US": {"UPS", "FedEx", "USPS"}, "GB": {"Royal Mail", "DPD", "Evri"},
	}
)

// Plans offered, with their seat range and price per seat (USD a month).
var plans = []struct {
	Name               string
	MinSeats, MaxSeats int
	Price              float64
	Weight             float64
}{
	{"Starter", 3, 10, 8, 30}, {"Team", 10, 40, 15, 35}, {"Business", 30, 150, 25, 25}, {"Enterprise", 100, 800, 40, 10},
}

func planNames() []string {
	out := make([]string, len(plans))
	for i, p := range plans {
		out[i] = p.Name
	}
	return out
}

// Custom statuses and fields the demo defines.
var demoStatuses = []ticket.Status{
	{Key: "in_progress", Name: "In progress", Category: ticket.StatusOpen, Position: 15},
	{Key: "awaiting_info", Name: "Awaiting information", Category: ticket.StatusPending, Position: 25},
	{Key: "waiting_on_vendor", Name: "Waiting on vendor", Category: ticket.StatusOnHold, Position: 35},
}

var demoFields = []ticket.FieldDef{
	{Key: "plan", Name: "Plan", Kind: "dropdown", Options: planNames(), Position: 1},
	{Key: "seats", Name: "Seats", Kind: "number", Position: 2},
	{Key: "escalated_to_engineering", Name: "Escalated to engineering", Kind: "checkbox", Position: 3},
	{Key: "renewal_date", Name: "Renewal date", Kind: "date", Position: 4},
}

type opKind uint8

const (
	opCreate   opKind = iota // a new ticket (the system's intake, or an agent logging a call)
	opReply                  // an agent's public reply
	opNote                   // an internal note
	opCustomer               // the customer writes
	opUpdate                 // an agent changes fields
	opClose                  // the system closes a solved ticket
	opMerge                  // Slot is merged into Other
	opLink                   // Slot and Other are linked
)

var opNames = [...]string{"create", "reply", "note", "customer message", "update", "close", "merge", "link"}

func (k opKind) String() string { return opNames[k] }

// op is one call to the ticket service, at its historical time. Slot
// numbers the tickets in the order they are created; agents, teams and
// contacts are indexes into the cast.
type op struct {
	At   time.Time
	Seq  int
	Kind opKind
	Slot int
	// Other is the merge target, the linked ticket, or the slot of the
	// follow-up a customer message opens; -1 when unused.
	Other   int
	Agent   int // the acting agent; -1 is the system
	Contact int
	Body    string
	Status  string
	Channel string
	// Create and update.
	Subject  string
	Team     int // -1: none (create) or unchanged (update)
	Assignee int // likewise
	Priority string
	Type     string
	Tags     []string
	Fields   map[string]any
}

// plan is the whole demo: the people and every ticket operation in
// chronological order.
type plan struct {
	Ref      time.Time
	Contacts []contactSpec
	Ops      []op
	Slots    int
}

// entry is a planned ticket while its thread is being written.
type entry struct {
	slot     int
	created  time.Time
	contact  int
	topic    *topic
	lang     string
	vars     map[string]string
	incident int // outage tickets: which incident; else -1
	team     int
	assignee int
	priority string
	channel  string
	seats    int
	tcase    *tcase
	closedAt time.Time
}

type incident struct {
	start   time.Time
	product string
	err     string
}

type planner struct {
	rng       *rand.Rand
	ref       time.Time
	limit     time.Time
	contacts  []contactSpec
	cWeights  []float64
	incidents []incident
	ops       []op
	seq       int
	slots     int
}

// makePlan computes the demo from the seed. ref is the reference "now":
// the start of the current day (UTC), so that a load on any time of the
// same day gives the same data; nothing is dated after it.
func makePlan(seed int64, ref time.Time) *plan {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7e55e7a))
	p := &planner{rng: rng, ref: ref, limit: ref.Add(-time.Minute)}
	p.contacts = planContacts(rng)
	for _, c := range p.contacts {
		p.cWeights = append(p.cWeights, c.weight)
	}
	// Four outages, each reported by a burst of customers.
	for _, daysAgo := range []int{71, 46, 19, 4} {
		start := ref.AddDate(0, 0, -daysAgo).Add(time.Duration(7+rng.IntN(10))*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
		p.incidents = append(p.incidents, incident{start: start, product: pick(rng, products), err: pick(rng, errors5xx)})
	}

	n := numTickets - numDuplicate - numFollowUp
	entries := make([]*entry, 0, numTickets)
	tw := make([]float64, len(topics))
	for i, t := range topics {
		tw[i] = t.Weight
	}
	for range n {
		e := &entry{contact: pickWeighted(rng, p.cWeights), incident: -1}
		e.topic = &topics[pickWeighted(rng, tw)]
		c := p.contacts[e.contact]
		e.lang = c.Lang
		if e.topic.Key == "outage" {
			e.incident = rng.IntN(len(p.incidents))
			e.created = p.incidents[e.incident].start.Add(time.Duration(2+rng.IntN(180)) * time.Minute).Truncate(time.Second)
		} else {
			e.created = p.createdAt(c)
		}
		entries = append(entries, e)
	}
	// Slots in creation order, so ticket numbers follow time.
	slices.SortStableFunc(entries, func(a, b *entry) int { return a.created.Compare(b.created) })
	for _, e := range entries {
		e.slot = p.newSlot()
		p.details(e)
		p.lifecycle(e)
	}
	p.duplicates(entries)
	p.links(entries)
	p.followUps(entries)

	slices.SortStableFunc(p.ops, func(a, b op) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Seq, b.Seq))
	})
	return &plan{Ref: ref, Contacts: p.contacts, Ops: p.ops, Slots: p.slots}
}

func (p *planner) newSlot() int {
	p.slots++
	return p.slots - 1
}

func (p *planner) emit(o op) {
	o.Seq = p.seq
	p.seq++
	p.ops = append(p.ops, o)
}

func (p *planner) dur(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(p.rng.Int64N(int64(hi-lo)+1))
}

func (p *planner) chance(f float64) bool { return p.rng.Float64() < f }

// createdAt picks when a customer writes in: mostly on weekdays in their
// office hours, a little more often lately.
func (p *planner) createdAt(c contactSpec) time.Time {
	loc := location(c.TZ)
	for {
		daysAgo := 1 + int(float64(windowDays)*math.Pow(p.rng.Float64(), 1.15))
		day := p.ref.AddDate(0, 0, -daysAgo)
		local := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
		if wd := local.Weekday(); (wd == time.Saturday || wd == time.Sunday) && p.rng.Float64() > 0.3 {
			continue
		}
		hours := 24 * p.rng.Float64()
		if p.chance(0.8) {
			hours = 8 + 10*p.rng.Float64()
		}
		t := local.Add(time.Duration(hours * float64(time.Hour))).UTC().Truncate(time.Second)
		if t.Before(p.ref.AddDate(0, 0, -windowDays)) || !t.Before(p.ref.Add(-10*time.Minute)) {
			continue
		}
		return t
	}
}

var locations sync.Map // time zone name → *time.Location

func location(tz string) *time.Location {
	if l, ok := locations.Load(tz); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(tz)
	if err != nil {
		l = time.UTC
	}
	locations.Store(tz, l)
	return l
}

// details fills in what a ticket is about: texts' variables, priority,
// channel.
func (p *planner) details(e *entry) {
	rng := p.rng
	c := p.contacts[e.contact]
	o := orgSpecs[c.Org]
	pl := plans[pickPlan(rng)]
	seats := pl.MinSeats + rng.IntN(pl.MaxSeats-pl.MinSeats+1)
	e.seats = seats
	product := pick(rng, products)
	errText := pick(rng, appErrors)
	if e.topic.Key == "api" {
		errText = pick(rng, errors5xx)
	}
	at := e.created.In(location(c.TZ)).Add(-p.dur(5*time.Minute, 3*time.Hour))
	if e.incident >= 0 {
		inc := p.incidents[e.incident]
		product, errText, at = inc.product, inc.err, inc.start.In(location(c.TZ))
	}
	n := e.topic.NMin + rng.IntN(e.topic.NMax-e.topic.NMin+1)
	if n > 1000 {
		n = n / 1000 * 1000
	}
	amount := float64(seats)*pl.Price*(0.8+0.4*rng.Float64()) + float64(rng.IntN(100))/100
	e.vars = map[string]string{
		"{name}":     c.First,
		"{full}":     c.Full,
		"{product}":  product,
		"{plan}":     pl.Name,
		"{seats}":    formatInt(seats, e.lang),
		"{n}":        formatInt(n, e.lang),
		"{amount}":   money(amount, o.Country),
		"{invoice}":  fmt.Sprintf("INV-%d-%05d", e.created.Year(), 1000+rng.IntN(90000)),
		"{order}":    fmt.Sprintf("FT-%05d", 10000+rng.IntN(90000)),
		"{date}":     formatDate(e.created.AddDate(0, 0, -1-rng.IntN(20)), e.lang),
		"{time}":     formatTime(at, e.lang),
		"{error}":    errText,
		"{endpoint}": pick(rng, endpoints),
		"{browser}":  pick(rng, browsers),
		"{carrier}":  pick(rng, carriers[o.Country]),
	}
	e.priority = p.priority(e.topic, c.Tier == "vip")
	chw := []float64{45, 20, 10, 13, 12} // email, web, api, chat, phone
	if e.topic.Key == "api" {
		chw[2] = 45
	}
	e.channel = []string{"email", "web", "api", "chat", "phone"}[pickWeighted(rng, chw)]
}

func pickPlan(rng *rand.Rand) int {
	w := make([]float64, len(plans))
	for i, p := range plans {
		w[i] = p.Weight
	}
	return pickWeighted(rng, w)
}

func (p *planner) priority(t *topic, vip bool) string {
	w := []float64{3, 15, 65, 17} // urgent, high, normal, low
	if t.Key == "outage" {
		w = []float64{35, 50, 15, 0}
	}
	i := pickWeighted(p.rng, w)
	if p.chance(0.3) && vip && i > 0 {
		i--
	}
	return ticket.Priorities[i]
}

// target picks where a ticket of this age stands today: recent ones are
// mostly new, open or pending, older ones mostly solved (and closed).
func (p *planner) target(age time.Duration) string {
	days := age.Hours() / 24
	var w []float64 // new, open, pending, on_hold, solved
	switch {
	case days < 1:
		w = []float64{45, 25, 15, 3, 12}
	case days < 3:
		w = []float64{20, 30, 20, 7, 23}
	case days < 7:
		w = []float64{5, 20, 20, 10, 45}
	case days < 21:
		w = []float64{1, 6, 6, 5, 82}
	default:
		w = []float64{0, 2, 1, 2, 95}
	}
	return []string{"new", "open", "pending", "on_hold", "solved"}[pickWeighted(p.rng, w)]
}

// pickAgent chooses an agent of a team who may be assigned tickets,
// preferring one who speaks the customer's language.
func (p *planner) pickAgent(team int, lang string) int {
	var all, same []int
	for i, a := range agentSpecs {
		if a.Role == auth.RoleLight || !slices.Contains(a.Teams, team) {
			continue
		}
		all = append(all, i)
		if a.Lang == lang {
			same = append(same, i)
		}
	}
	if len(same) > 0 && p.chance(0.8) {
		return pick(p.rng, same)
	}
	return pick(p.rng, all)
}

// colleague picks another agent (not light) for a note or a mention.
func (p *planner) colleague(not int) int {
	for {
		i := p.rng.IntN(len(agentSpecs))
		if i != not && agentSpecs[i].Role != auth.RoleLight {
			return i
		}
	}
}

// thread collects one ticket's operations with the gaps between them, and
// fits them before the reference time.
type thread struct {
	p     *planner
	e     *entry
	steps []op
	gaps  []time.Duration
}

func (th *thread) add(gap time.Duration, o op) {
	o.Slot = th.e.slot
	if o.Kind != opMerge && o.Kind != opLink && o.Kind != opCustomer {
		o.Other = -1
	}
	th.steps = append(th.steps, o)
	th.gaps = append(th.gaps, gap)
}

// finish emits the operations; when they would run past the reference
// time, the gaps shrink so the whole thread fits. It returns the time of
// the last operation.
func (th *thread) finish() time.Time {
	var total time.Duration
	for _, g := range th.gaps[1:] {
		total += g
	}
	scale := 1.0
	if avail := th.p.limit.Sub(th.e.created); total > avail {
		// Squeeze into part of the time left, not all of it: threads
		// should not all end on the stroke of the reference time.
		scale = float64(avail) * (0.4 + 0.55*th.p.rng.Float64()) / float64(total)
	}
	at := th.e.created
	for i, o := range th.steps {
		if i > 0 {
			at = at.Add(max(time.Duration(float64(th.gaps[i])*scale), time.Millisecond))
		}
		o.At = at
		th.p.emit(o)
	}
	return at
}

// text fills a template for a message written by agent (or -1).
func (p *planner) text(e *entry, tmpl string, agent int) string {
	a, a2 := "", ""
	if agent >= 0 {
		a = agentSpecs[agent].First()
		a2 = agentSpecs[p.colleague(agent)].First()
	}
	return fill(tmpl, e.vars, a, a2)
}

// noteLang: agents write internal notes in the ticket's language when it
// is theirs, in English otherwise.
func noteLang(agent int, lang string) string {
	if agentSpecs[agent].Lang == lang {
		return lang
	}
	return "en"
}

// note is an internal note by agent from a bank of the note's language;
// fit (nil: any) limits it to texts that fit the ticket's topic.
func (p *planner) note(e *entry, agent int, bank func(*langText) []string, fit []uint8) op {
	return op{Kind: opNote, Agent: agent, Channel: "agent", Body: p.text(e, p.choose(e, bank(texts[noteLang(agent, e.lang)]), fit), agent)}
}

func (p *planner) choose(e *entry, bank []string, fit []uint8) string {
	if fit == nil {
		return pick(p.rng, bank)
	}
	return pickFit(p.rng, bank, fit, e.topic.Team)
}

func (e *entry) replyChannel() string {
	if e.channel == "chat" {
		return "chat"
	}
	return "email"
}

func (e *entry) customerChannel() string {
	if e.channel == "phone" || e.channel == "api" {
		return "email"
	}
	return e.channel
}

func (p *planner) reply(e *entry, tmpl, status string) op {
	return op{Kind: opReply, Agent: e.assignee, Channel: e.replyChannel(), Status: status, Body: p.text(e, tmpl, e.assignee)}
}

func (p *planner) customer(e *entry, bank []string, fit []uint8, agent int) op {
	return op{Kind: opCustomer, Contact: e.contact, Channel: e.customerChannel(), Other: -1, Body: p.text(e, p.choose(e, bank, fit), agent)}
}

func (p *planner) firstReplyGap(priority string) time.Duration {
	switch priority {
	case "urgent":
		return p.dur(5*time.Minute, 45*time.Minute)
	case "high":
		return p.dur(20*time.Minute, 3*time.Hour)
	case "normal":
		return p.dur(time.Hour, 10*time.Hour)
	}
	return p.dur(3*time.Hour, 30*time.Hour)
}

func bump(priority string) string {
	i := slices.Index(ticket.Priorities, priority)
	return ticket.Priorities[max(i-1, 0)]
}

// createOp is the ticket's first operation.
func (p *planner) createOp(e *entry, team, assignee int) op {
	rng := p.rng
	tt := texts[e.lang].Topics[e.topic.Key]
	if e.tcase == nil {
		e.tcase = &e.topic.Cases[rng.IntN(len(e.topic.Cases))]
	}
	c := p.contacts[e.contact]
	tags := slices.Clone(e.topic.Tags)
	if c.Tier == "vip" {
		tags = append(tags, "vip")
	}
	if e.vars["{product}"] == "Orbit Mobile" && e.topic.Key != "api" {
		tags = append(tags, "mobile")
	}
	switch {
	case e.topic.Key == "cancel" && p.chance(0.5):
		tags = append(tags, "churn_risk")
	case e.topic.Key == "upgrade" && p.chance(0.4):
		tags = append(tags, "sales_lead")
	case p.chance(0.04):
		tags = append(tags, "training")
	}
	fields := map[string]any{}
	if e.topic.Team == billing && p.chance(0.8) || p.chance(0.2) {
		fields["plan"] = e.vars["{plan}"]
		if p.chance(0.7) {
			fields["seats"] = float64(e.seats)
		}
	}
	if (e.topic.Key == "cancel" || e.topic.Key == "upgrade") && p.chance(0.6) {
		fields["renewal_date"] = e.created.AddDate(0, 0, 5+rng.IntN(55)).Format(time.DateOnly)
	}
	typ := pick(rng, e.topic.Types)
	if p.chance(0.1) {
		typ = ""
	}
	creator := -1 // the channel's intake
	if e.channel == "phone" {
		creator = assignee // an agent logs the call
		if creator < 0 {
			creator = p.pickAgent(team, e.lang)
		}
	}
	o := op{Kind: opCreate, Agent: creator, Contact: e.contact, Channel: e.channel, Team: team, Assignee: -1,
		Subject: p.text(e, tt.Subjects[pick(rng, e.tcase.Subjects)], -1), Body: p.text(e, tt.Bodies[e.tcase.Body], -1),
		Priority: e.priority, Type: typ, Tags: tags}
	if len(fields) > 0 {
		o.Fields = fields
	}
	return o
}

// lifecycle writes one ticket's thread toward the state it is in today.
func (p *planner) lifecycle(e *entry) {
	rng := p.rng
	tp := e.topic
	tt := texts[e.lang].Topics[tp.Key]
	lt := texts[e.lang]
	target := p.target(p.ref.Sub(e.created))
	escalate := tp.Team == technical && target != "new" && p.chance(0.3)
	e.team = tp.Team
	if escalate {
		e.team = support
	}
	e.assignee = p.pickAgent(e.team, e.lang)
	assignAtCreate := target != "new" && p.chance(0.5)
	th := &thread{p: p, e: e}
	create := p.createOp(e, e.team, e.assignee)
	if assignAtCreate {
		create.Assignee = e.assignee
	}
	th.add(0, create)
	if target == "new" {
		if p.chance(0.25) {
			th.add(p.dur(2*time.Hour, 30*time.Hour), p.customer(e, lt.Nudges, nil, -1))
		}
		th.finish()
		return
	}
	if !assignAtCreate {
		actor := e.assignee
		if p.chance(0.5) {
			actor = adminAgent // triage
		}
		upd := op{Kind: opUpdate, Agent: actor, Team: -1, Assignee: e.assignee}
		if p.chance(0.08) && e.priority != "urgent" {
			e.priority = bump(e.priority)
			upd.Priority = e.priority
		}
		th.add(p.dur(5*time.Minute, 3*time.Hour), upd)
	}
	escalation := func() {
		th.add(p.dur(30*time.Minute, 24*time.Hour), p.note(e, e.assignee, func(l *langText) []string { return l.Escalations }, nil))
		to := p.pickAgent(technical, e.lang)
		th.add(p.dur(time.Minute, 20*time.Minute), op{Kind: opUpdate, Agent: e.assignee, Team: technical, Assignee: to,
			Tags: []string{"escalated"}, Fields: map[string]any{"escalated_to_engineering": true}})
		e.assignee, e.team = to, technical
	}
	anyNote := func(gap time.Duration) {
		author := e.assignee
		if p.chance(0.5) {
			author = p.colleague(e.assignee)
		}
		th.add(gap, p.note(e, author, func(l *langText) []string { return l.Notes }, fitNotes))
	}
	firstReply, solveReply := tt.Replies[pick(rng, e.tcase.Replies)], pickFit(rng, lt.Solves, fitSolves, tp.Team)
	if tp.Key == "outage" {
		firstReply, solveReply = tt.Replies[0], tt.Replies[1]
	}
	frt := p.firstReplyGap(e.priority)
	lightNote := func() {
		if p.chance(0.12) {
			th.add(p.dur(15*time.Minute, 6*time.Hour), p.note(e, lightAgent, func(l *langText) []string { return l.Notes }, fitNotes))
		}
	}
	pendingStatus := func() string {
		if p.chance(0.35) {
			return "awaiting_info"
		}
		return ticket.StatusPending
	}

	switch target {
	case "open":
		st := ""
		if p.chance(0.4) {
			st = "in_progress"
		}
		th.add(frt, p.reply(e, firstReply, st))
		lightNote()
		if p.chance(0.3) {
			anyNote(p.dur(10*time.Minute, 5*time.Hour))
		}
		if escalate {
			escalation()
		}
		if p.chance(0.45) {
			th.add(p.dur(30*time.Minute, 48*time.Hour), p.customer(e, lt.FollowUps, fitFollowUps, e.assignee))
		}
	case "pending":
		if p.chance(0.35) {
			th.add(frt, p.reply(e, firstReply, ""))
			lightNote()
			th.add(p.dur(time.Hour, 48*time.Hour), p.customer(e, lt.FollowUps, fitFollowUps, e.assignee))
			if p.chance(0.4) {
				anyNote(p.dur(10*time.Minute, 3*time.Hour))
			}
			if escalate {
				escalation()
			}
			th.add(p.dur(20*time.Minute, 24*time.Hour), p.reply(e, pickFit(rng, lt.Asks, fitAsks, tp.Team), pendingStatus()))
		} else {
			if escalate {
				escalation()
			}
			th.add(frt, p.reply(e, firstReply, pendingStatus()))
			lightNote()
		}
	case "on_hold":
		th.add(frt, p.reply(e, firstReply, ""))
		if p.chance(0.4) {
			th.add(p.dur(time.Hour, 48*time.Hour), p.customer(e, lt.FollowUps, fitFollowUps, e.assignee))
		}
		if escalate {
			escalation()
		}
		hold := p.note(e, e.assignee, func(l *langText) []string { return l.Holds }, fitHolds)
		hold.Status = ticket.StatusOnHold
		if p.chance(0.6) {
			hold.Status = "waiting_on_vendor"
		}
		th.add(p.dur(time.Hour, 24*time.Hour), hold)
	case "solved":
		v := rng.Float64()
		if v < 0.3 && !escalate {
			th.add(frt, p.reply(e, firstReply, ticket.StatusSolved))
			lightNote()
		} else {
			th.add(frt, p.reply(e, firstReply, ticket.StatusPending))
			lightNote()
			th.add(p.dur(time.Hour, 72*time.Hour), p.customer(e, lt.FollowUps, fitFollowUps, e.assignee))
			if p.chance(0.35) {
				anyNote(p.dur(10*time.Minute, 4*time.Hour))
			}
			if escalate {
				escalation()
			}
			th.add(p.dur(30*time.Minute, 48*time.Hour), p.reply(e, solveReply, ticket.StatusSolved))
			if v > 0.88 {
				th.add(p.dur(24*time.Hour, 120*time.Hour), p.customer(e, lt.Reopens, fitReopens, e.assignee))
				th.add(p.dur(time.Hour, 24*time.Hour), p.reply(e, pickFit(rng, lt.Solves, fitSolves, tp.Team), ticket.StatusSolved))
			}
		}
		solved := th.finish()
		// Solved tickets close after four days, as the close job would.
		if at := solved.Add(96*time.Hour + p.dur(0, 20*time.Hour)); at.Before(p.limit) {
			p.emit(op{At: at, Kind: opClose, Slot: e.slot, Other: -1, Agent: -1})
			e.closedAt = at
		}
		return
	}
	th.finish()
}

// duplicates: a few customers write twice about the same thing; an agent
// merges the second ticket into the first.
func (p *planner) duplicates(entries []*entry) {
	chosen := map[int]bool{}
	for made := 0; made < numDuplicate; {
		orig := entries[p.rng.IntN(len(entries))]
		if chosen[orig.slot] || orig.incident >= 0 || p.ref.Sub(orig.created) < 48*time.Hour {
			continue
		}
		chosen[orig.slot] = true
		made++
		d := &entry{slot: p.newSlot(), contact: orig.contact, topic: orig.topic, lang: orig.lang, vars: orig.vars, incident: -1,
			priority: orig.priority, seats: orig.seats, tcase: orig.tcase, assignee: -1, created: orig.created.Add(p.dur(3*time.Minute, 45*time.Minute)).Truncate(time.Second)}
		d.channel = pick(p.rng, []string{"email", "web", "chat"})
		th := &thread{p: p, e: d}
		th.add(0, p.createOp(d, orig.topic.Team, -1))
		by := orig.assignee
		if by < 0 {
			by = adminAgent
		}
		th.add(p.dur(10*time.Minute, 4*time.Hour), op{Kind: opMerge, Agent: by, Other: orig.slot})
		th.finish()
	}
}

// links: outage reports point at the incident's first report; a few
// tickets of the same organization about the same topic are related.
func (p *planner) links(entries []*entry) {
	first := map[int]*entry{}
	linked := map[int]int{}
	for _, e := range entries {
		if e.incident < 0 {
			continue
		}
		f, ok := first[e.incident]
		if !ok {
			first[e.incident] = e
			continue
		}
		if linked[e.incident] >= 8 {
			continue
		}
		at := e.created.Add(p.dur(20*time.Minute, 2*time.Hour))
		if at.Before(p.limit) {
			linked[e.incident]++
			p.emit(op{At: at, Kind: opLink, Slot: e.slot, Other: f.slot, Agent: p.pickAgent(technical, e.lang)})
		}
	}
	pairs := map[[2]int]bool{}
	for range 40 {
		if len(pairs) == 10 {
			break
		}
		a := entries[p.rng.IntN(len(entries))]
		org := p.contacts[a.contact].Org
		for _, b := range entries {
			if b == a || b.topic != a.topic || p.contacts[b.contact].Org != org || pairs[[2]int{b.slot, a.slot}] || pairs[[2]int{a.slot, b.slot}] {
				continue
			}
			if d := b.created.Sub(a.created); d < -14*24*time.Hour || d > 14*24*time.Hour {
				continue
			}
			at := maxTime(a.created, b.created).Add(p.dur(time.Hour, 24*time.Hour))
			if !at.Before(p.limit) {
				continue
			}
			by := a.assignee
			if by < 0 {
				by = adminAgent
			}
			pairs[[2]int{a.slot, b.slot}] = true
			p.emit(op{At: at, Kind: opLink, Slot: a.slot, Other: b.slot, Agent: by})
			break
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// followUps: a few customers answer a ticket that was already closed; the
// service opens a follow-up ticket, which an agent then solves.
func (p *planner) followUps(entries []*entry) {
	var cands []*entry
	for _, e := range entries {
		if !e.closedAt.IsZero() && e.closedAt.Add(30*time.Hour).Before(p.limit) {
			cands = append(cands, e)
		}
	}
	for made := 0; made < numFollowUp && len(cands) > 0; made++ {
		i := p.rng.IntN(len(cands))
		e := cands[i]
		cands = slices.Delete(cands, i, i+1)
		room := min(p.limit.Sub(e.closedAt)-2*time.Hour, 6*24*time.Hour)
		at := e.closedAt.Add(p.dur(24*time.Hour, room))
		f := &entry{slot: p.newSlot(), contact: e.contact, topic: e.topic, lang: e.lang, vars: e.vars, incident: -1,
			assignee: e.assignee, channel: e.channel, seats: e.seats, created: at}
		msg := p.customer(e, texts[e.lang].Reopens, fitReopens, e.assignee)
		msg.Slot, msg.Other, msg.At = e.slot, f.slot, at
		p.emit(msg)
		// The follow-up itself was created by msg; its thread starts after.
		at = at.Add(p.dur(20*time.Minute, 3*time.Hour))
		if !at.Before(p.limit) {
			continue
		}
		p.emit(op{At: at, Kind: opUpdate, Slot: f.slot, Other: -1, Agent: f.assignee, Team: -1, Assignee: f.assignee})
		at = at.Add(p.dur(30*time.Minute, 8*time.Hour))
		if !at.Before(p.limit) {
			continue
		}
		solve := p.reply(f, pickFit(p.rng, texts[f.lang].Solves, fitSolves, f.topic.Team), ticket.StatusSolved)
		solve.At, solve.Slot, solve.Other = at, f.slot, -1
		p.emit(solve)
		if at = at.Add(96*time.Hour + p.dur(0, 20*time.Hour)); at.Before(p.limit) {
			p.emit(op{At: at, Kind: opClose, Slot: f.slot, Other: -1, Agent: -1})
		}
	}
}

// fill replaces the {placeholders} of a template.
func fill(tmpl string, vars map[string]string, agent, agent2 string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		key := tmpl[i : i+j+1]
		b.WriteString(tmpl[:i])
		switch key {
		case "{agent}":
			b.WriteString(agent)
		case "{agent2}":
			b.WriteString(agent2)
		default:
			if v, ok := vars[key]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(key)
			}
		}
		tmpl = tmpl[i+j+1:]
	}
}

func formatInt(n int, lang string) string {
	s := strconv.Itoa(n)
	sep := ","
	if lang == "pt-BR" || lang == "es" {
		sep = "."
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + sep + s[i:]
	}
	return s
}

// money formats an amount (USD) in the organization's currency.
func money(usd float64, country string) string {
	split := func(v float64, thousands, decimal string) string {
		cents := int(math.Round(v * 100))
		s := strconv.Itoa(cents / 100)
		for i := len(s) - 3; i > 0; i -= 3 {
			s = s[:i] + thousands + s[i:]
		}
		return fmt.Sprintf("%s%s%02d", s, decimal, cents%100)
	}
	switch country {
	case "BR":
		return "R$ " + split(usd*5.1, ".", ",")
	case "ES":
		return split(usd*0.92, ".", ",") + " €"
	case "IL":
		return "₪" + split(usd*3.7, ",", ".")
	case "GB":
		return "£" + split(usd*0.79, ",", ".")
	case "US":
		return "$" + split(usd, ",", ".")
	default: // Latin America is billed in dollars
		return "US$ " + split(usd, ",", ".")
	}
}

func formatDate(t time.Time, lang string) string {
	switch lang {
	case "en":
		return t.Format("January 2")
	case "he":
		return t.Format("2.1")
	}
	return t.Format("02/01")
}

func formatTime(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("3:04 PM")
	}
	return t.Format("15:04")
}
