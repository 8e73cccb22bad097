package automation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"tessera/internal/search"
	"tessera/internal/sla"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// FieldChange is the old and new value of a field in one change, as the
// ticket's field_changed events record them (ids as decimal text, "" for
// unset).
type FieldChange struct {
	Old, New string
}

// Facts are what conditions read: one ticket at one moment, and what the
// change being evaluated did to it. Build them once per evaluation pass and
// pass a pointer: the word index of the subject and body is built lazily
// and shared by every rule.
type Facts struct {
	// Event is "created" or "updated" for triggers, "" for automations.
	Event string
	// Now is the moment of evaluation (business hours, time conditions).
	Now time.Time

	Subject string
	// Body is the text of the latest message (reply or note).
	Body           string
	Status         string
	StatusCategory string
	Priority       string
	Type           string
	Channel        string
	// Ids; 0 means unset.
	InboxID, RequesterID, OrganizationID, TeamID, AssigneeID int64
	ContactTier                                              string
	// Language is the requester's language.
	Language     string
	Tags         []string
	CustomFields map[string]any

	// Calendar is the business-hours calendar of the ticket's SLA policy;
	// nil means always open.
	Calendar *sla.Calendar
	// SLAWarning and SLABreached say whether a running metric is past its
	// warning or due time.
	SLAWarning, SLABreached bool
	// SLAEvents are the SLA states reached in this change ("warning",
	// "breached"), for the changed_to operator.
	SLAEvents []string

	// Changes maps a field (as Condition.Field names it) to its change;
	// TagsAdded and TagsRemoved detail the tags field.
	Changes                map[string]FieldChange
	TagsAdded, TagsRemoved []string

	// Since maps a SinceEvent to the moment it began; a missing key means
	// the ticket is not in that state ("status_pending" on an open ticket).
	Since map[string]time.Time
	// SLADue maps a running SLA metric to its due time.
	SLADue map[string]time.Time

	subjectIdx, bodyIdx *textIndex
}

// Program is a compiled rule: values parsed, words folded, ready to be
// matched many times. The trigger engine keeps one per active rule.
type Program struct {
	Rule     Rule
	all, any []cond
}

type cond struct {
	field, op string
	spec      FieldSpec
	key       string     // custom field key
	vals      []string   // is, is_not, in, not_in, changed_to, changed_from
	phrases   [][]string // contains_*: folded words of each phrase
	num       float64    // greater_than, less_than
	rank      int        // priority greater_than, less_than
	since     SinceValue
	due       DueWithinValue
}

// Compile prepares a rule for matching; it refuses a rule whose conditions
// do not parse (Validate says why, path by path).
func Compile(r Rule) (*Program, error) {
	var c validation.Collector
	p := &Program{Rule: r}
	for i, cd := range r.Conditions.All {
		if x, ok := buildCond(cd, "", fmt.Sprintf("conditions.all[%d]", i), &c); ok {
			p.all = append(p.all, x)
		}
	}
	for i, cd := range r.Conditions.Any {
		if x, ok := buildCond(cd, "", fmt.Sprintf("conditions.any[%d]", i), &c); ok {
			p.any = append(p.any, x)
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// Match reports whether the rule's conditions hold for the facts. A rule
// whose conditions do not compile matches nothing.
func Match(r Rule, f *Facts) bool {
	p, err := Compile(r)
	return err == nil && p.Match(f)
}

// Match reports whether the compiled rule's conditions hold.
func (p *Program) Match(f *Facts) bool {
	for i := range p.all {
		if !p.all[i].match(f) {
			return false
		}
	}
	if len(p.any) == 0 {
		return true
	}
	for i := range p.any {
		if p.any[i].match(f) {
			return true
		}
	}
	return false
}

// CondResult is the outcome of one condition in a dry run.
type CondResult struct {
	Condition
	Matched bool `json:"matched"`
}

// OpenAPISchema describes the flattened JSON of a condition's result.
func (CondResult) OpenAPISchema() map[string]any {
	s := Condition{}.OpenAPISchema()
	props := map[string]any{"matched": map[string]any{"type": "boolean"}}
	for k, v := range s["properties"].(map[string]any) {
		props[k] = v
	}
	return map[string]any{"type": "object", "properties": props}
}

// Outcome explains a match: each condition's result, for the dry run.
type Outcome struct {
	Matched bool         `json:"matched"`
	All     []CondResult `json:"all"`
	Any     []CondResult `json:"any"`
}

// Explain evaluates every condition (not stopping at the first failure)
// and reports each one.
func (p *Program) Explain(f *Facts) Outcome {
	o := Outcome{Matched: true, All: []CondResult{}, Any: []CondResult{}}
	for i, c := range p.all {
		m := c.match(f)
		o.All = append(o.All, CondResult{Condition: p.Rule.Conditions.All[i], Matched: m})
		o.Matched = o.Matched && m
	}
	anyOK := len(p.any) == 0
	for i, c := range p.any {
		m := c.match(f)
		o.Any = append(o.Any, CondResult{Condition: p.Rule.Conditions.Any[i], Matched: m})
		anyOK = anyOK || m
	}
	o.Matched = o.Matched && anyOK
	return o
}

// Timed reports whether the rule has time conditions (an automation).
func (p *Program) Timed() bool {
	for _, c := range p.all {
		if c.spec.Type == TypeTime {
			return true
		}
	}
	return false
}

// DueAt returns the moment every time condition of the rule holds for the
// facts: the latest of the moments each becomes true. ok is false when a
// time condition cannot become true in the ticket's present state (it is
// not pending, no SLA metric runs) or the rule has none. Business-hour
// conditions count in the facts' calendar.
func (p *Program) DueAt(f *Facts) (time.Time, bool) {
	var at time.Time
	found := false
	for _, c := range p.all {
		if c.spec.Type != TypeTime {
			continue
		}
		t, ok := c.becomesTrue(f)
		if !ok {
			return time.Time{}, false
		}
		if !found || t.After(at) {
			at = t
		}
		found = true
	}
	return at, found
}

func (c *cond) becomesTrue(f *Facts) (time.Time, bool) {
	if c.field == FieldHoursSince {
		from, ok := f.Since[c.since.Event]
		if !ok {
			return time.Time{}, false
		}
		if !c.since.Business {
			return from.Add(c.since.Duration()), true
		}
		t, err := f.calendar().Add(from, c.since.Duration())
		return t, err == nil
	}
	due, ok := f.SLADue[c.due.Metric]
	if !ok {
		return time.Time{}, false
	}
	return due.Add(-time.Duration(c.due.Minutes) * time.Minute), true
}

// always is the calendar of a ticket without one.
var always = sla.Always()

func (f *Facts) calendar() *sla.Calendar {
	if f.Calendar == nil {
		return always
	}
	return f.Calendar
}

// scalar is the present value of a field as conditions compare it.
func (f *Facts) scalar(field string) string {
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	switch field {
	case FieldEvent:
		return f.Event
	case FieldSubject:
		return f.Subject
	case FieldBody:
		return f.Body
	case FieldStatus:
		return f.Status
	case FieldStatusCategory:
		return f.StatusCategory
	case FieldPriority:
		return f.Priority
	case FieldTicketType:
		return f.Type
	case FieldChannel:
		return f.Channel
	case FieldInboxID:
		return id(f.InboxID)
	case FieldRequesterID:
		return id(f.RequesterID)
	case FieldOrganizationID:
		return id(f.OrganizationID)
	case FieldTeamID:
		return id(f.TeamID)
	case FieldAssigneeID:
		return id(f.AssigneeID)
	case FieldContactTier:
		return f.ContactTier
	case FieldLanguage:
		return f.Language
	}
	return ""
}

func (c *cond) match(f *Facts) bool {
	switch c.spec.Type {
	case TypeTime:
		t, ok := c.becomesTrue(f)
		return ok && !f.Now.Before(t)
	case TypeState:
		return c.matchState(f)
	case TypeList:
		return c.matchTags(f)
	case TypeCustom:
		return c.matchCustom(f)
	case TypeText:
		if c.isContains() {
			return containsOp(c.op, f.text(c.field), c.phrases)
		}
	}
	cur := f.scalar(c.field)
	switch c.op {
	case OpIs:
		return equal(c.spec, cur, c.vals[0])
	case OpIsNot:
		return !equal(c.spec, cur, c.vals[0])
	case OpIn:
		return anyEqual(c.spec, cur, c.vals)
	case OpNotIn:
		return !anyEqual(c.spec, cur, c.vals)
	case OpIsSet:
		return strings.TrimSpace(cur) != ""
	case OpNotSet:
		return strings.TrimSpace(cur) == ""
	case OpChanged, OpChangedTo, OpChangedFrom, OpRaised, OpLowered:
		ch, ok := f.Changes[c.field]
		if !ok {
			return false
		}
		switch c.op {
		case OpChanged:
			return true
		case OpChangedTo:
			return equal(c.spec, ch.New, c.vals[0])
		case OpChangedFrom:
			return equal(c.spec, ch.Old, c.vals[0])
		case OpRaised:
			o, n := priorityRank(ch.Old), priorityRank(ch.New)
			return o >= 0 && n >= 0 && n < o
		default:
			o, n := priorityRank(ch.Old), priorityRank(ch.New)
			return o >= 0 && n >= 0 && n > o
		}
	case OpGreaterThan, OpLessThan:
		r := priorityRank(cur)
		if r < 0 || c.rank < 0 {
			return false
		}
		// A lower rank is more pressing: "greater than high" is urgent.
		if c.op == OpGreaterThan {
			return r < c.rank
		}
		return r > c.rank
	}
	return false
}

func (c *cond) isContains() bool {
	return c.op == OpContainsAny || c.op == OpContainsAll || c.op == OpContainsNone
}

func (c *cond) matchState(f *Facts) bool {
	if c.field == FieldBusinessHours {
		open := f.calendar().Open(f.Now)
		return open == (c.vals[0] == Inside)
	}
	has := func(state string) bool {
		if state == Warning {
			return f.SLAWarning
		}
		return f.SLABreached
	}
	switch c.op {
	case OpIs:
		return has(c.vals[0])
	case OpIsNot:
		return !has(c.vals[0])
	default: // changed_to: the state was reached in this change
		return slices.Contains(f.SLAEvents, c.vals[0])
	}
}

func (c *cond) matchTags(f *Facts) bool {
	has := func(tag string) bool {
		for _, t := range f.Tags {
			if foldTag(t) == tag {
				return true
			}
		}
		return false
	}
	switch c.op {
	case OpContainsAny:
		for _, p := range c.phrases {
			if has(p[0]) {
				return true
			}
		}
		return false
	case OpContainsAll:
		for _, p := range c.phrases {
			if !has(p[0]) {
				return false
			}
		}
		return true
	case OpContainsNone:
		for _, p := range c.phrases {
			if has(p[0]) {
				return false
			}
		}
		return true
	case OpIsSet:
		return len(f.Tags) > 0
	case OpNotSet:
		return len(f.Tags) == 0
	case OpChanged:
		return len(f.TagsAdded)+len(f.TagsRemoved) > 0
	case OpChangedTo:
		return slices.ContainsFunc(f.TagsAdded, func(t string) bool { return foldTag(t) == c.vals[0] })
	case OpChangedFrom:
		return slices.ContainsFunc(f.TagsRemoved, func(t string) bool { return foldTag(t) == c.vals[0] })
	}
	return false
}

func (c *cond) matchCustom(f *Facts) bool {
	vals := customStrings(f.CustomFields[c.key])
	switch c.op {
	case OpIs:
		return len(vals) > 0 && anyEqual(c.spec, strings.Join(vals, ","), c.vals)
	case OpIsNot:
		return !(len(vals) > 0 && anyEqual(c.spec, strings.Join(vals, ","), c.vals))
	case OpIn, OpNotIn:
		in := false
		for _, v := range vals {
			in = in || anyEqual(c.spec, v, c.vals)
		}
		return in == (c.op == OpIn)
	case OpIsSet:
		return len(vals) > 0
	case OpNotSet:
		return len(vals) == 0
	case OpContainsAny, OpContainsAll, OpContainsNone:
		return containsOp(c.op, newTextIndex(strings.Join(vals, " ")), c.phrases)
	case OpGreaterThan, OpLessThan:
		if len(vals) != 1 {
			return false
		}
		n, ok := asNumber(vals[0])
		if !ok {
			return false
		}
		if c.op == OpGreaterThan {
			return n > c.num
		}
		return n < c.num
	case OpChanged, OpChangedTo, OpChangedFrom:
		ch, ok := f.Changes[c.field]
		switch {
		case !ok:
			return false
		case c.op == OpChanged:
			return true
		case c.op == OpChangedTo:
			return equal(c.spec, ch.New, c.vals[0])
		default:
			return equal(c.spec, ch.Old, c.vals[0])
		}
	}
	return false
}

// equal compares values: ids exactly, everything else case-insensitively.
func equal(spec FieldSpec, a, b string) bool {
	if spec.Type == TypeID {
		return a == b
	}
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

func anyEqual(spec FieldSpec, a string, vals []string) bool {
	for _, v := range vals {
		if equal(spec, a, v) {
			return true
		}
	}
	return false
}

func priorityRank(p string) int {
	return slices.Index(ticket.Priorities, strings.ToLower(p))
}

func foldTag(t string) string { return search.Fold(strings.TrimSpace(t)) }

// Words and phrases.

// words splits text into folded words: lower case, without accents, so
// "Pagaménto" is "pagamento".
func words(s string) []string { return search.Tokens(s) }

// textIndex holds a text's words and where each occurs, so a phrase is
// found without scanning the whole text once per rule.
type textIndex struct {
	words []string
	at    map[string][]int
}

func newTextIndex(s string) *textIndex {
	ix := &textIndex{words: words(s), at: map[string][]int{}}
	for i, w := range ix.words {
		ix.at[w] = append(ix.at[w], i)
		// Hebrew attaches prepositions and the article to the word
		// ("בתשלום", "התשלום"): index the word without them too.
		for _, v := range hebrewBare(w) {
			ix.at[v] = append(ix.at[v], i)
		}
	}
	return ix
}

// hebrewPrefixes are the one-letter words Hebrew writes joined to the next
// (and, the, in, to, from, that, as).
const hebrewPrefixes = "והבלמשכ"

// hebrewBare returns the word without one and two prefix letters, when it
// is Hebrew and long enough to stay a word.
func hebrewBare(w string) []string {
	var out []string
	for range 2 {
		r, n := utf8.DecodeRuneInString(w)
		if !unicode.Is(unicode.Hebrew, r) || !strings.ContainsRune(hebrewPrefixes, r) || utf8.RuneCountInString(w) < 4 {
			break
		}
		w = w[n:]
		out = append(out, w)
	}
	return out
}

func (ix *textIndex) has(phrase []string) bool {
	for _, start := range ix.at[phrase[0]] {
		if start+len(phrase) > len(ix.words) {
			continue
		}
		ok := true
		for k := 1; k < len(phrase); k++ {
			w := ix.words[start+k]
			if w != phrase[k] && !slices.Contains(hebrewBare(w), phrase[k]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (f *Facts) text(field string) *textIndex {
	if field == FieldSubject {
		if f.subjectIdx == nil {
			f.subjectIdx = newTextIndex(f.Subject)
		}
		return f.subjectIdx
	}
	if f.bodyIdx == nil {
		f.bodyIdx = newTextIndex(f.Body)
	}
	return f.bodyIdx
}

func containsOp(op string, ix *textIndex, phrases [][]string) bool {
	switch op {
	case OpContainsAny:
		for _, p := range phrases {
			if ix.has(p) {
				return true
			}
		}
		return false
	case OpContainsAll:
		for _, p := range phrases {
			if !ix.has(p) {
				return false
			}
		}
		return true
	default:
		for _, p := range phrases {
			if ix.has(p) {
				return false
			}
		}
		return true
	}
}

// Changes reports whether the rule's field actions would change the
// ticket the facts describe (a status, priority, type, team, assignee,
// tag or custom field it does not have yet). The engine uses it to tell
// a trigger that conflicts with another from one that merely still holds.
func (r Rule) Changes(f *Facts) bool {
	differs := func(cur string, v any) bool {
		s, _ := asScalar(v)
		return !strings.EqualFold(cur, s)
	}
	id := func(cur int64, v any) bool {
		n, _ := asID(v)
		return n != cur
	}
	hasTag := func(t string) bool {
		return slices.ContainsFunc(f.Tags, func(x string) bool { return foldTag(x) == foldTag(t) })
	}
	for _, a := range r.Actions {
		switch a.Type {
		case ActSetStatus:
			if differs(f.Status, a.Value) {
				return true
			}
		case ActSetPriority:
			if differs(f.Priority, a.Value) {
				return true
			}
		case ActSetType:
			if differs(f.Type, a.Value) {
				return true
			}
		case ActAssignTeam:
			if id(f.TeamID, a.Value) {
				return true
			}
		case ActAssignAgent:
			if id(f.AssigneeID, a.Value) {
				return true
			}
		case ActAddTags, ActRemoveTags:
			l, _ := asList(a.Value)
			for _, t := range l {
				if hasTag(t) != (a.Type == ActAddTags) {
					return true
				}
			}
		case ActSetCustomField:
			var v CustomFieldValue
			if decodeInto(a.Value, &v) == nil && !slices.Equal(customStrings(f.CustomFields[v.Key]), customStrings(v.Value)) {
				return true
			}
		}
	}
	return false
}
