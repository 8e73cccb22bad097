package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"tessera/internal/automation"
	"tessera/internal/people"
	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/web/page"
)

// The rule builder (issue 6): triggers at /admin/triggers and automations
// at /admin/automations. A rule is edited as rows of conditions ("all of",
// "any of") and actions; each row's operator and value inputs follow its
// field or action type. Adding, removing or changing a row's field posts
// the form back with a "do" parameter and the server renders it again, so
// the builder works without script; the script only submits on change.
// Saving hands the rule to automation.Service, whose validation errors
// (paths like "conditions.all[0].value") are shown under their rows.

// ruleKind is one of the two kinds of rule the builder edits.
type ruleKind struct {
	Kind    automation.Kind
	Section string // the settings section and the catalog prefix
	Base    string // the URL of the list
}

var (
	triggerKind    = ruleKind{Kind: automation.KindTrigger, Section: "triggers", Base: "/admin/triggers"}
	automationKind = ruleKind{Kind: automation.KindAutomation, Section: "automations", Base: "/admin/automations"}
)

// IsTrigger is for the templates.
func (k ruleKind) IsTrigger() bool { return k.Kind == automation.KindTrigger }

// URL is the address of one rule.
func (k ruleKind) URL(id int64) string { return k.Base + "/" + strconv.FormatInt(id, 10) }

func (h *Handler) registerRules(mux *http.ServeMux) {
	for _, k := range []ruleKind{triggerKind, automationKind} {
		a := func(fn func(http.ResponseWriter, *http.Request, ruleKind)) http.HandlerFunc {
			return h.adminOnly(func(w http.ResponseWriter, r *http.Request) { fn(w, r, k) })
		}
		mux.HandleFunc("GET "+k.Base, a(h.rulesList))
		mux.HandleFunc("GET "+k.Base+"/new", a(h.ruleNew))
		mux.HandleFunc("POST "+k.Base, a(h.ruleCreate))
		mux.HandleFunc("GET "+k.Base+"/{id}", a(h.ruleEdit))
		mux.HandleFunc("POST "+k.Base+"/{id}", a(h.ruleUpdate))
		mux.HandleFunc("POST "+k.Base+"/{id}/test", a(h.ruleTest))
		mux.HandleFunc("POST "+k.Base+"/{id}/move", a(h.ruleMove))
		mux.HandleFunc("POST "+k.Base+"/{id}/active", a(h.ruleActive))
		mux.HandleFunc("GET "+k.Base+"/{id}/delete", a(h.ruleDeleteConfirm))
		mux.HandleFunc("POST "+k.Base+"/{id}/delete", a(h.ruleDelete))
	}
}

// choice is an option of a select: its label is a catalog key (TKey) or
// a name to show as it is (Label).
type choice struct {
	Value, Label, TKey string
	// Arg fills the catalog message's verb ("%d hours"), choosing its
	// plural form.
	Arg any
}

// ruleLookups are the records the builder offers by name.
type ruleLookups struct {
	Statuses []ticket.Status
	Teams    []people.Team
	Agents   []people.Agent
	Inboxes  []choice
	Policies []clocks.Policy
	Fields   []ticket.FieldDef
	Webhooks []choice // by address, for the "call webhook" action
}

func (h *Handler) ruleLookups(ctx context.Context, r *http.Request) (*ruleLookups, error) {
	app := h.Site.App
	var lk ruleLookups
	var err error
	if lk.Statuses, err = app.Tickets.Statuses(ctx); err != nil {
		return nil, err
	}
	if lk.Teams, err = app.People.ListTeams(ctx); err != nil {
		return nil, err
	}
	if lk.Agents, err = app.People.ListAgents(ctx); err != nil {
		return nil, err
	}
	boxes, err := app.Inboxes.List(ctx, page.ViewerFrom(r.Context()).Actor)
	if err != nil {
		return nil, err
	}
	for _, b := range boxes {
		lk.Inboxes = append(lk.Inboxes, choice{Value: strconv.FormatInt(b.ID, 10), Label: b.Name})
	}
	if lk.Policies, err = app.SLA.Policies(ctx); err != nil {
		return nil, err
	}
	if lk.Fields, err = app.Tickets.Fields(ctx); err != nil {
		return nil, err
	}
	hooks, err := app.Webhooks.List(ctx, page.ViewerFrom(r.Context()).Actor)
	if err != nil {
		return nil, err
	}
	for _, w := range hooks {
		lk.Webhooks = append(lk.Webhooks, choice{Value: strconv.FormatInt(w.ID, 10), Label: w.URL})
	}
	return &lk, nil
}

func keyed(prefix string, values []string) []choice {
	out := make([]choice, len(values))
	for i, v := range values {
		out[i] = choice{Value: v, TKey: prefix + v}
	}
	return out
}

// languageNames are the languages in their own words, as a language menu
// shows them whatever the page's language.
var languageNames = map[string]string{"en": "English", "pt-BR": "Português (Brasil)", "es": "Español", "he": "עברית"}

// fieldOptions are the values a condition's field takes from a list, or
// nil when its value is typed.
func (lk *ruleLookups) fieldOptions(field string) []choice {
	var out []choice
	switch field {
	case automation.FieldEvent:
		return keyed("rules.on.", []string{automation.OnCreated, automation.OnUpdated})
	case automation.FieldStatus:
		for _, s := range lk.Statuses {
			out = append(out, choice{Value: s.Key, Label: s.Name})
		}
	case automation.FieldStatusCategory:
		return keyed("rules.category.", ticket.Categories)
	case automation.FieldPriority:
		return keyed("priority.", ticket.Priorities)
	case automation.FieldTicketType:
		return keyed("ticket.type.", ticket.Types)
	case automation.FieldChannel:
		return keyed("admin.channel.", ticket.Channels)
	case automation.FieldLanguage:
		for _, l := range people.Languages {
			out = append(out, choice{Value: l, Label: languageNames[l]})
		}
	case automation.FieldInboxID:
		return lk.Inboxes
	case automation.FieldTeamID:
		out = lk.teamChoices()
	case automation.FieldAssigneeID:
		out = lk.agentChoices()
	case automation.FieldBusinessHours:
		return keyed("rules.bh.", []string{automation.Inside, automation.Outside})
	case automation.FieldSLA:
		return keyed("rules.sla.", []string{automation.Warning, automation.Breached})
	case automation.FieldHoursSince:
		return keyed("rules.since.", automation.SinceEvents)
	case automation.FieldSLADueWithin:
		return keyed("reports.sla.", []string{"first_reply", "next_reply", "resolution"})
	default:
		if key, ok := strings.CutPrefix(field, automation.CustomPrefix); ok {
			for _, d := range lk.Fields {
				if d.Key == key && d.Kind == "dropdown" {
					for _, o := range d.Options {
						out = append(out, choice{Value: o, Label: o})
					}
				}
			}
		}
	}
	return out
}

func (lk *ruleLookups) teamChoices() []choice {
	out := make([]choice, 0, len(lk.Teams))
	for _, t := range lk.Teams {
		out = append(out, choice{Value: strconv.FormatInt(t.ID, 10), Label: t.Name})
	}
	return out
}

func (lk *ruleLookups) agentChoices() []choice {
	out := make([]choice, 0, len(lk.Agents))
	for _, a := range lk.Agents {
		out = append(out, choice{Value: strconv.FormatInt(a.ID, 10), Label: a.Name})
	}
	return out
}

func (lk *ruleLookups) statusChoices() []choice {
	out := make([]choice, 0, len(lk.Statuses))
	for _, s := range lk.Statuses {
		out = append(out, choice{Value: s.Key, Label: s.Name})
	}
	return out
}

// fieldChoices are the fields a kind of rule may test, custom fields by
// their names.
func (lk *ruleLookups) fieldChoices(k automation.Kind) []choice {
	var out []choice
	for _, f := range automation.Fields() {
		if f.Only != "" && f.Only != k || f.Type == automation.TypeCustom {
			continue
		}
		out = append(out, choice{Value: f.Name, TKey: "rules.field." + f.Name})
	}
	for _, d := range lk.Fields {
		if d.Active {
			out = append(out, choice{Value: automation.CustomPrefix + d.Key, Label: d.Name})
		}
	}
	return out
}

// fieldLabel names a condition's field.
func (lk *ruleLookups) fieldLabel(field string) choice {
	if key, ok := strings.CutPrefix(field, automation.CustomPrefix); ok {
		for _, d := range lk.Fields {
			if d.Key == key {
				return choice{Value: field, Label: d.Name}
			}
		}
		return choice{Value: field, Label: key}
	}
	if _, ok := automation.LookupField(field); !ok {
		return choice{Value: field, Label: field}
	}
	return choice{Value: field, TKey: "rules.field." + field}
}

// Value inputs of a row.
const (
	inNone   = "none"   // the operator takes no value
	inSelect = "select" // one of the options
	inMulti  = "multi"  // several of the options
	inText   = "text"   // one typed value
	inList   = "list"   // words, phrases or tags, separated by commas
	inNumber = "number"
	inSince  = "since" // hours_since: moment, amount, unit, business hours
	inDue    = "due"   // sla_due_within: metric, amount, unit
)

// condRow is one condition as the form holds it.
type condRow struct {
	Name     string // prefix of its inputs' names: "all.0"
	ID       string // prefix of its inputs' ids: "all-0"
	Field    string
	Op       string
	Values   []string // what its select holds
	Text     string   // what its text input holds
	Amount   string
	Unit     string // "minutes" or "hours"
	Business bool

	Ops     []string
	Input   string
	Options []choice
	Errs    []string
}

// Selected reports whether an option is chosen.
func (c condRow) Selected(v string) bool { return slices.Contains(c.Values, v) }

// First is the chosen option of a single select.
func (c condRow) First() string {
	if len(c.Values) == 0 {
		return ""
	}
	return c.Values[0]
}

// actionRow is one action as the form holds it.
type actionRow struct {
	Name, ID string
	Type     string
	Value    string // a select's choice, a typed value or a note
	Key      string // set_custom_field
	To       string // send_email
	Address  string
	Subject  string
	Body     string

	Input   string // select, text, textarea, number, custom, email
	Options []choice
	Keys    []choice // custom fields, for set_custom_field
	Errs    []string
}

// condRowsOf reads the condition rows of a group from a posted form.
func condRowsOf(v url.Values, group string) []condRow {
	var out []condRow
	// One row past the model's limit is enough for it to say so.
	for i := 0; i <= automation.MaxConditions; i++ {
		p := fmt.Sprintf("%s.%d.", group, i)
		if _, ok := v[p+"field"]; !ok {
			return out
		}
		out = append(out, condRow{Field: v.Get(p + "field"), Op: v.Get(p + "op"), Values: nonEmpty(v[p+"value"]),
			Text: v.Get(p + "text"), Amount: strings.TrimSpace(v.Get(p + "amount")), Unit: v.Get(p + "unit"), Business: v.Get(p+"business") != ""})
	}
	return out
}

func actionRowsOf(v url.Values) []actionRow {
	var out []actionRow
	for i := 0; i <= automation.MaxActions; i++ {
		p := fmt.Sprintf("act.%d.", i)
		if _, ok := v[p+"type"]; !ok {
			return out
		}
		out = append(out, actionRow{Type: v.Get(p + "type"), Value: v.Get(p + "value"), Key: v.Get(p + "key"), To: v.Get(p + "to"),
			Address: v.Get(p + "address"), Subject: v.Get(p + "subject"), Body: v.Get(p + "body")})
	}
	return out
}

// ruleBuilder is the state of the builder form.
type ruleBuilder struct {
	Name     string
	Position string
	Active   bool
	On       []string
	All, Any []condRow
	Actions  []actionRow
}

func builderOf(v url.Values) *ruleBuilder {
	return &ruleBuilder{Name: v.Get("name"), Position: v.Get("position"), Active: v.Get("active") != "", On: nonEmpty(v["on"]),
		All: condRowsOf(v, "all"), Any: condRowsOf(v, "any"), Actions: actionRowsOf(v)}
}

// HasOn reports whether a trigger runs on an event.
func (b *ruleBuilder) HasOn(ev string) bool { return slices.Contains(b.On, ev) }

// inputOf decides a condition row's value input.
func inputOf(spec automation.FieldSpec, op string, options []choice) string {
	switch {
	case spec.Name == automation.FieldHoursSince:
		return inSince
	case spec.Name == automation.FieldSLADueWithin:
		return inDue
	}
	switch op {
	case automation.OpIsSet, automation.OpNotSet, automation.OpChanged, automation.OpRaised, automation.OpLowered:
		return inNone
	case automation.OpContainsAny, automation.OpContainsAll, automation.OpContainsNone:
		return inList
	case automation.OpIn, automation.OpNotIn:
		if options != nil {
			return inMulti
		}
		return inList
	case automation.OpGreaterThan, automation.OpLessThan:
		if spec.Type == automation.TypePriority {
			return inSelect
		}
		return inNumber
	}
	switch {
	case options != nil:
		return inSelect
	case spec.Type == automation.TypeID:
		return inNumber
	}
	return inText
}

// ops are the operators of a field a kind of rule may use: automations
// run on time, so the change operators are left out.
func ops(spec automation.FieldSpec, k automation.Kind) []string {
	out := []string{}
	for _, op := range spec.Ops {
		switch op {
		case automation.OpChanged, automation.OpChangedTo, automation.OpChangedFrom, automation.OpRaised, automation.OpLowered:
			if k == automation.KindAutomation {
				continue
			}
		}
		out = append(out, op)
	}
	return out
}

// decorate gives each row what its inputs need: the operators of its
// field, the kind of value input and its options, and its errors.
func (b *ruleBuilder) decorate(k automation.Kind, lk *ruleLookups, f *adminForm) {
	for g, rows := range map[string][]condRow{"all": b.All, "any": b.Any} {
		for i := range rows {
			c := &rows[i]
			c.Name, c.ID = fmt.Sprintf("%s.%d", g, i), fmt.Sprintf("%s-%d", g, i)
			spec, ok := automation.LookupField(c.Field)
			if !ok {
				spec, _ = automation.LookupField(automation.FieldSubject)
				c.Field = spec.Name
			}
			c.Ops = ops(spec, k)
			if !slices.Contains(c.Ops, c.Op) && len(c.Ops) > 0 {
				c.Op = c.Ops[0]
			}
			c.Options = lk.fieldOptions(c.Field)
			if c.Options != nil {
				c.Options = keepChosen(c.Options, c.Values...)
			}
			c.Input = inputOf(spec, c.Op, c.Options)
			if c.Unit == "" {
				c.Unit = "hours"
			}
			c.Errs = f.under(fmt.Sprintf("conditions.%s[%d]", g, i))
		}
	}
	for i := range b.Actions {
		a := &b.Actions[i]
		a.Name, a.ID = fmt.Sprintf("act.%d", i), fmt.Sprintf("act-%d", i)
		if _, ok := automation.LookupAction(a.Type); !ok {
			a.Type = automation.ActSetPriority
		}
		a.Input, a.Options = lk.actionInput(a.Type)
		if a.Input == inSelect && a.Value != "" {
			a.Options = keepChosen(a.Options, a.Value)
		}
		if a.Type == automation.ActSetCustomField {
			for _, d := range lk.Fields {
				a.Keys = append(a.Keys, choice{Value: d.Key, Label: d.Name})
			}
		}
		if a.Type == automation.ActSendEmail && a.To == "" {
			a.To = automation.ToRequester
		}
		a.Errs = f.under(fmt.Sprintf("actions[%d]", i))
	}
}

// keepChosen adds the chosen values a select does not offer (a team or
// status deleted since, a custom field's old option), so that showing and
// saving a rule does not silently replace them with the first option.
func keepChosen(options []choice, chosen ...string) []choice {
	options = slices.Clip(options) // the lookups' slices are shared by rows
	for _, v := range chosen {
		if v != "" && !slices.ContainsFunc(options, func(o choice) bool { return o.Value == v }) {
			options = append(options, choice{Value: v, Label: v})
		}
	}
	return options
}

// under lists the errors of a path and of the paths inside it, as
// "detail" or "inner path: detail".
func (f *adminForm) under(path string) []string {
	var out []string
	for _, k := range f.Order {
		rest, ok := strings.CutPrefix(k, path)
		if !ok || rest != "" && rest[0] != '.' && rest[0] != '[' {
			continue
		}
		if rest = strings.TrimPrefix(rest, "."); rest != "" {
			out = append(out, rest+": "+f.Errors[k])
		} else {
			out = append(out, f.Errors[k])
		}
	}
	return out
}

// actionInput decides an action's value input and its options.
func (lk *ruleLookups) actionInput(typ string) (string, []choice) {
	switch typ {
	case automation.ActSetStatus:
		return inSelect, lk.statusChoices()
	case automation.ActSetPriority:
		return inSelect, keyed("priority.", ticket.Priorities)
	case automation.ActSetType:
		return inSelect, keyed("ticket.type.", ticket.Types)
	case automation.ActAssignTeam:
		return inSelect, lk.teamChoices()
	case automation.ActAssignAgent:
		return inSelect, lk.agentChoices()
	case automation.ActRoute:
		return inSelect, []choice{{Value: "", TKey: "rules.strategy.team"},
			{Value: "round_robin", TKey: "rules.strategy.round_robin"}, {Value: "least_loaded", TKey: "rules.strategy.least_loaded"}}
	case automation.ActSetSLAPolicy:
		out := make([]choice, 0, len(lk.Policies))
		for _, p := range lk.Policies {
			out = append(out, choice{Value: strconv.FormatInt(p.ID, 10), Label: p.Name})
		}
		return inSelect, out
	case automation.ActAddTags, automation.ActRemoveTags:
		return inList, nil
	case automation.ActAddNote:
		return "textarea", nil
	case automation.ActSetCustomField:
		return "custom", nil
	case automation.ActSendEmail:
		return "email", keyed("rules.to.", automation.Recipients)
	case automation.ActCallWebhook:
		return inSelect, lk.Webhooks
	}
	return inText, nil
}

// condition turns a row into the model's condition; what the service
// cannot accept it names by path.
func (c condRow) condition(lk *ruleLookups) automation.Condition {
	out := automation.Condition{Field: c.Field, Op: c.Op}
	spec, ok := automation.LookupField(c.Field)
	if !ok {
		return out
	}
	options := lk.fieldOptions(c.Field)
	amount, _ := strconv.Atoi(c.Amount)
	switch inputOf(spec, c.Op, options) {
	case inNone:
	case inSince:
		v := automation.SinceValue{Event: c.First(), Business: c.Business}
		if c.Unit == "minutes" {
			v.Minutes = amount
		} else {
			v.Hours = amount
		}
		out.Value = v
	case inDue:
		if c.Unit != "minutes" {
			amount *= 60
		}
		out.Value = automation.DueWithinValue{Metric: c.First(), Minutes: amount}
	case inList:
		out.Value = splitList(c.Text)
	case inMulti:
		out.Value = idsOrStrings(spec, c.Values)
	case inSelect:
		s := c.First()
		if s == "" && (c.Op == automation.OpChangedTo || c.Op == automation.OpChangedFrom) {
			break // became, or was, unset
		}
		out.Value = idOrString(spec, s)
	case inNumber:
		s := strings.TrimSpace(c.Text)
		if n, err := strconv.ParseFloat(s, 64); err == nil && spec.Type != automation.TypeID {
			out.Value = n
		} else {
			out.Value = idOrString(spec, s)
		}
	default:
		out.Value = c.Text
	}
	return out
}

// idOrString stores an id as a number, as the API would.
func idOrString(spec automation.FieldSpec, s string) any {
	if spec.Type == automation.TypeID {
		if id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return id
		}
	}
	return s
}

func idsOrStrings(spec automation.FieldSpec, vs []string) any {
	if spec.Type != automation.TypeID {
		return vs
	}
	out := make([]any, len(vs))
	for i, s := range vs {
		out[i] = idOrString(spec, s)
	}
	return out
}

func (a actionRow) action(lk *ruleLookups) automation.Action {
	out := automation.Action{Type: a.Type}
	spec, ok := automation.LookupAction(a.Type)
	if !ok {
		return out
	}
	switch spec.Value {
	case automation.ValueID:
		if id, err := strconv.ParseInt(strings.TrimSpace(a.Value), 10, 64); err == nil {
			out.Value = id
		} else if a.Value != "" {
			out.Value = a.Value
		}
	case automation.ValueTags:
		out.Value = splitList(a.Value)
	case automation.ValueCustomField:
		out.Value = automation.CustomFieldValue{Key: a.Key, Value: lk.customValue(a.Key, a.Value)}
	case automation.ValueEmail:
		v := automation.EmailValue{To: a.To, Subject: a.Subject, Body: a.Body}
		if a.To == automation.ToAddress {
			v.Address = strings.TrimSpace(a.Address)
		}
		out.Value = v
	default:
		out.Value = a.Value
	}
	return out
}

// customValue types a custom field's value as its field stores it; an
// empty value removes the field.
func (lk *ruleLookups) customValue(key, s string) any {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for _, d := range lk.Fields {
		if d.Key != key {
			continue
		}
		switch d.Kind {
		case "number":
			if n, err := strconv.ParseFloat(s, 64); err == nil {
				return n
			}
		case "checkbox":
			if b, err := strconv.ParseBool(s); err == nil {
				return b
			}
		}
	}
	return s
}

// input is the rule the form describes, for the service.
func (b *ruleBuilder) input(k automation.Kind, lk *ruleLookups, f *adminForm) (automation.RuleInput, bool) {
	in := automation.RuleInput{Name: &b.Name, Active: &b.Active}
	pos := 0
	if !formInt(f, "position", &pos) {
		return in, false
	}
	in.Position = &pos
	if k == automation.KindTrigger {
		on := b.On
		if on == nil {
			on = []string{}
		}
		in.On = &on
	}
	conds := automation.Conditions{All: []automation.Condition{}, Any: []automation.Condition{}}
	for _, c := range b.All {
		conds.All = append(conds.All, c.condition(lk))
	}
	for _, c := range b.Any {
		conds.Any = append(conds.Any, c.condition(lk))
	}
	in.Conditions = &conds
	acts := []automation.Action{}
	for _, a := range b.Actions {
		acts = append(acts, a.action(lk))
	}
	in.Actions = &acts
	return in, true
}

// builderFor fills the builder from a saved rule.
func builderFor(rule automation.Rule, lk *ruleLookups) *ruleBuilder {
	b := &ruleBuilder{Name: rule.Name, Position: strconv.Itoa(rule.Position), Active: rule.Active, On: rule.On}
	for _, c := range rule.Conditions.All {
		b.All = append(b.All, rowFor(c, lk))
	}
	for _, c := range rule.Conditions.Any {
		b.Any = append(b.Any, rowFor(c, lk))
	}
	for _, a := range rule.Actions {
		b.Actions = append(b.Actions, actionRowFor(a))
	}
	return b
}

// scalar shows a value decoded from JSON as the form holds it.
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return string(x)
	}
	return fmt.Sprint(v)
}

func scalars(v any) []string {
	if l, ok := v.([]any); ok {
		out := make([]string, len(l))
		for i, e := range l {
			out[i] = scalar(e)
		}
		return out
	}
	if l, ok := v.([]string); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []string{scalar(v)}
}

// decode reads an object value into one of the model's value structs.
func decode(v any, dst any) {
	b, _ := json.Marshal(v)
	_ = json.Unmarshal(b, dst) // a rule the service saved has the right shape
}

func rowFor(c automation.Condition, lk *ruleLookups) condRow {
	row := condRow{Field: c.Field, Op: c.Op, Unit: "hours"}
	switch c.Field {
	case automation.FieldHoursSince:
		var v automation.SinceValue
		decode(c.Value, &v)
		row.Values, row.Business = []string{v.Event}, v.Business
		row.Amount = strconv.Itoa(v.Hours)
		if v.Minutes > 0 {
			row.Amount, row.Unit = strconv.Itoa(v.Hours*60+v.Minutes), "minutes"
		}
		return row
	case automation.FieldSLADueWithin:
		var v automation.DueWithinValue
		decode(c.Value, &v)
		row.Values = []string{v.Metric}
		row.Amount, row.Unit = strconv.Itoa(v.Minutes), "minutes"
		if v.Minutes > 0 && v.Minutes%60 == 0 {
			row.Amount, row.Unit = strconv.Itoa(v.Minutes/60), "hours"
		}
		return row
	}
	row.Values = scalars(c.Value)
	row.Text = strings.Join(row.Values, ", ")
	return row
}

func actionRowFor(a automation.Action) actionRow {
	row := actionRow{Type: a.Type}
	switch a.Type {
	case automation.ActSetCustomField:
		var v automation.CustomFieldValue
		decode(a.Value, &v)
		row.Key, row.Value = v.Key, scalar(v.Value)
	case automation.ActSendEmail:
		var v automation.EmailValue
		decode(a.Value, &v)
		row.To, row.Address, row.Subject, row.Body = v.To, v.Address, v.Subject, v.Body
	default:
		row.Value = strings.Join(scalars(a.Value), ", ")
	}
	return row
}

// ruleFormPage is the builder.
type ruleFormPage struct {
	adminBase
	Kind        ruleKind
	Rule        *automation.Rule // nil for a new rule
	B           *ruleBuilder
	Fields      []choice
	ActionTypes []choice
	// The dry run, when one was asked for.
	TestForm *adminForm
	Test     *ruleTest
}

// ruleTest is a dry run as the page shows it.
type ruleTest struct {
	Number  string
	Matched bool
	// NotOn is the pretended event when the conditions hold but the
	// trigger does not run on it.
	NotOn    string
	All, Any []testLine
	Actions  []testLine
	DueAt    *time.Time
}

// testLine is a condition or an action in words: its name, operator and
// values as labels.
type testLine struct {
	Label   choice
	Op      string
	Values  []choice
	Matched bool
}

// Events are the events a trigger may run on, in the order offered.
func (ruleFormPage) Events() []string { return []string{automation.OnCreated, automation.OnUpdated} }

// TestEvents are the events a dry run may pretend, the usual one first.
func (ruleFormPage) TestEvents() []string {
	return []string{automation.OnUpdated, automation.OnCreated}
}

// Placeholders lists what a note or an email may say, as written.
func (ruleFormPage) Placeholders() string {
	out := make([]string, len(automation.Placeholders))
	for i, p := range automation.Placeholders {
		out[i] = "{{" + p + "}}"
	}
	return strings.Join(out, " ")
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// Units are the units of a time condition.
func (ruleFormPage) Units() []string { return []string{"minutes", "hours"} }

// Action is the URL the builder posts to.
func (p ruleFormPage) Action() string {
	if p.Rule == nil {
		return p.Kind.Base
	}
	return p.Kind.URL(p.Rule.ID)
}

func (h *Handler) renderRuleBuilder(w http.ResponseWriter, r *http.Request, k ruleKind, rule *automation.Rule, b *ruleBuilder, f *adminForm, lk *ruleLookups, test *ruleTest, tf *adminForm) {
	b.decorate(k.Kind, lk, f)
	title := "rules." + k.Section + ".new"
	if rule != nil {
		title = "rules." + k.Section + ".edit"
	}
	var acts []choice
	for _, a := range automation.Actions() {
		acts = append(acts, choice{Value: a.Type, TKey: "rules.action." + a.Type})
	}
	if tf == nil {
		tf = newAdminForm(nil)
	}
	if rule != nil && len(rule.On) > 0 && tf.Get("event") == "" {
		// Test as the trigger runs: a trigger of created tickets only
		// would never match a pretended update.
		tf.Values.Set("event", rule.On[0])
	}
	fields := lk.fieldChoices(k.Kind)
	for _, rows := range [][]condRow{b.All, b.Any} {
		for _, c := range rows {
			if !slices.ContainsFunc(fields, func(o choice) bool { return o.Value == c.Field }) {
				fields = append(fields, lk.fieldLabel(c.Field))
			}
		}
	}
	p := ruleFormPage{adminBase: newAdminBase(k.Section, f), Kind: k, Rule: rule, B: b, Fields: fields,
		ActionTypes: acts, TestForm: tf, Test: test}
	if tf.Invalid() {
		p.Refused = tf
	}
	status := f
	if tf.Invalid() {
		status = tf
	}
	h.renderAdmin(w, r, "admin/rule_builder", title, p, status)
}

func (h *Handler) rulesList(w http.ResponseWriter, r *http.Request, k ruleKind) {
	list, err := h.Site.App.Rules.List(r.Context(), k.Kind)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.renderAdmin(w, r, "admin/rules", "rules."+k.Section+".title", rulesListPage{adminBase: newAdminBase(k.Section, nil), Kind: k, Rules: list}, nil)
}

// rulesListPage lists the rules of a kind in the order they run.
type rulesListPage struct {
	adminBase
	Kind  ruleKind
	Rules []automation.Rule
}

// Last reports whether i is the last rule's index.
func (p rulesListPage) Last(i int) bool { return i == len(p.Rules)-1 }

func (h *Handler) ruleNew(w http.ResponseWriter, r *http.Request, k ruleKind) {
	lk, err := h.ruleLookups(r.Context(), r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	list, err := h.Site.App.Rules.List(r.Context(), k.Kind)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	next := 10
	for _, x := range list {
		next = max(next, x.Position+10)
	}
	// A new rule starts as the commonest of its kind: words in the
	// subject set the priority; solved for four days closes.
	b := &ruleBuilder{Position: strconv.Itoa(next), Active: true}
	if k.Kind == automation.KindTrigger {
		b.On = []string{automation.OnCreated}
		b.All = []condRow{{Field: automation.FieldSubject, Op: automation.OpContainsAny}}
		b.Actions = []actionRow{{Type: automation.ActSetPriority, Value: "high"}}
	} else {
		b.All = []condRow{{Field: automation.FieldHoursSince, Op: automation.OpAtLeast, Values: []string{automation.SinceSolved}, Amount: "96"}}
		b.Actions = []actionRow{{Type: automation.ActSetStatus, Value: ticket.StatusClosed}}
	}
	h.renderRuleBuilder(w, r, k, nil, b, newAdminForm(nil), lk, nil, nil)
}

// builderPost handles a post of the builder: a change of its rows is
// shown again; "save" (or Enter) hands the rule to save.
func (h *Handler) builderPost(w http.ResponseWriter, r *http.Request, k ruleKind, rule *automation.Rule,
	save func(automation.RuleInput) (automation.Rule, error)) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	lk, err := h.ruleLookups(r.Context(), r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	b := builderOf(f.Values)
	switch do := f.Get("do"); {
	case do == "add_all":
		field := automation.FieldSubject
		if k.Kind == automation.KindAutomation && !slices.ContainsFunc(b.All, func(c condRow) bool {
			return c.Field == automation.FieldHoursSince || c.Field == automation.FieldSLADueWithin
		}) {
			field = automation.FieldHoursSince
		}
		b.All = append(b.All, condRow{Field: field})
	case do == "add_any":
		b.Any = append(b.Any, condRow{Field: automation.FieldSubject})
	case do == "add_action":
		b.Actions = append(b.Actions, actionRow{Type: automation.ActAddTags})
	case strings.HasPrefix(do, "remove."):
		b.remove(strings.TrimPrefix(do, "remove."))
	case do == "refresh":
	default:
		in, ok := b.input(k.Kind, lk, f)
		if ok {
			saved, err := save(in)
			flash := "admin.saved"
			if rule == nil {
				flash = "rules." + k.Section + ".created"
			}
			if h.settle(w, r, f, err, nil, flash, k.URL(saved.ID)) {
				return
			}
		}
	}
	h.renderRuleBuilder(w, r, k, rule, b, f, lk, nil, nil)
}

// remove drops the row a "remove.all.2" button names.
func (b *ruleBuilder) remove(which string) {
	group, idx, _ := strings.Cut(which, ".")
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 {
		return
	}
	switch {
	case group == "all" && i < len(b.All):
		b.All = slices.Delete(b.All, i, i+1)
	case group == "any" && i < len(b.Any):
		b.Any = slices.Delete(b.Any, i, i+1)
	case group == "act" && i < len(b.Actions):
		b.Actions = slices.Delete(b.Actions, i, i+1)
	}
}

func (h *Handler) ruleCreate(w http.ResponseWriter, r *http.Request, k ruleKind) {
	actor := page.ViewerFrom(r.Context()).Actor
	h.builderPost(w, r, k, nil, func(in automation.RuleInput) (automation.Rule, error) {
		return h.Site.App.Rules.Create(r.Context(), actor, k.Kind, in)
	})
}

func (h *Handler) adminRuleOf(w http.ResponseWriter, r *http.Request, k ruleKind) (*automation.Rule, bool) {
	return byPathID(h, w, r, func(ctx context.Context, id int64) (automation.Rule, error) {
		return h.Site.App.Rules.Get(ctx, k.Kind, id)
	})
}

func (h *Handler) ruleEdit(w http.ResponseWriter, r *http.Request, k ruleKind) {
	rule, ok := h.adminRuleOf(w, r, k)
	if !ok {
		return
	}
	lk, err := h.ruleLookups(r.Context(), r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.renderRuleBuilder(w, r, k, rule, builderFor(*rule, lk), newAdminForm(nil), lk, nil, nil)
}

func (h *Handler) ruleUpdate(w http.ResponseWriter, r *http.Request, k ruleKind) {
	rule, ok := h.adminRuleOf(w, r, k)
	if !ok {
		return
	}
	actor := page.ViewerFrom(r.Context()).Actor
	h.builderPost(w, r, k, rule, func(in automation.RuleInput) (automation.Rule, error) {
		return h.Site.App.Rules.Update(r.Context(), actor, k.Kind, rule.ID, in)
	})
}

// ruleTest runs the saved rule against a ticket by its number and shows
// the outcome under the builder; nothing changes.
func (h *Handler) ruleTest(w http.ResponseWriter, r *http.Request, k ruleKind) {
	rule, ok := h.adminRuleOf(w, r, k)
	if !ok {
		return
	}
	tf, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	ctx := r.Context()
	lk, err := h.ruleLookups(ctx, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	actor := page.ViewerFrom(ctx).Actor
	var test *ruleTest
	number, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(tf.Get("number")), "#"), 10, 64)
	if err != nil || number <= 0 {
		tf.add("number", "must be a ticket number")
	} else if t, err := h.Site.App.Tickets.ByNumber(ctx, actor, number); errors.Is(err, store.ErrNotFound) {
		tf.add("number", fmt.Sprintf("no ticket #%d", number))
	} else if err != nil {
		h.Site.Fail(w, r, err)
		return
	} else {
		run, err := h.Site.App.Rules.Test(ctx, actor, k.Kind, rule.ID, automation.TestInput{TicketID: t.ID, Event: tf.Get("event")})
		toNumber := func(field, detail string) (string, string) {
			if field == "ticket_id" {
				field = "number"
			}
			return field, detail
		}
		if err != nil && !tf.refused(err, toNumber) {
			h.Site.Fail(w, r, err)
			return
		}
		if err == nil {
			test = lk.describe(run, tf.Get("number"), tf.Get("event"))
		}
	}
	h.renderRuleBuilder(w, r, k, rule, builderFor(*rule, lk), newAdminForm(nil), lk, test, tf)
}

// describe puts a dry run in words.
func (lk *ruleLookups) describe(run automation.DryRun, number, event string) *ruleTest {
	out := &ruleTest{Number: strings.TrimPrefix(strings.TrimSpace(number), "#"), Matched: run.Matched, DueAt: run.DueAt}
	if run.Conditions.Matched && !run.Matched {
		out.NotOn = event
	}
	for _, c := range run.Conditions.All {
		out.All = append(out.All, lk.condLine(c.Condition, c.Matched))
	}
	for _, c := range run.Conditions.Any {
		out.Any = append(out.Any, lk.condLine(c.Condition, c.Matched))
	}
	for _, a := range run.Actions {
		out.Actions = append(out.Actions, lk.actionLine(a))
	}
	return out
}

// named shows values by the labels of their options where there are.
func named(values []string, options []choice) []choice {
	out := make([]choice, 0, len(values))
	for _, v := range values {
		c := choice{Value: v, Label: v}
		for _, o := range options {
			if o.Value == v {
				c = o
			}
		}
		out = append(out, c)
	}
	return out
}

func (lk *ruleLookups) condLine(c automation.Condition, matched bool) testLine {
	l := testLine{Label: lk.fieldLabel(c.Field), Op: c.Op, Matched: matched}
	row := rowFor(c, lk)
	switch c.Field {
	case automation.FieldHoursSince, automation.FieldSLADueWithin:
		l.Values = append(named(row.Values, lk.fieldOptions(c.Field)), choice{Value: row.Amount, TKey: "rules.unit_n." + row.Unit, Arg: atoi(row.Amount)})
		if row.Business {
			l.Values = append(l.Values, choice{TKey: "rules.business"})
		}
	default:
		l.Values = named(row.Values, lk.fieldOptions(c.Field))
	}
	return l
}

func (lk *ruleLookups) actionLine(a automation.Action) testLine {
	row := actionRowFor(a)
	l := testLine{Label: choice{Value: a.Type, TKey: "rules.action." + a.Type}}
	_, options := lk.actionInput(a.Type)
	switch a.Type {
	case automation.ActSetCustomField:
		l.Values = []choice{{Label: row.Key + " = " + row.Value}}
	case automation.ActSendEmail:
		l.Values = named([]string{row.To}, options)
		if row.Address != "" {
			l.Values = append(l.Values, choice{Label: row.Address})
		}
		l.Values = append(l.Values, choice{Label: row.Subject})
	case automation.ActAddTags, automation.ActRemoveTags, automation.ActAddNote:
		l.Values = []choice{{Label: row.Value}}
	default:
		l.Values = named([]string{row.Value}, options)
	}
	return l
}

func (h *Handler) ruleMove(w http.ResponseWriter, r *http.Request, k ruleKind) {
	rule, ok := h.adminRuleOf(w, r, k)
	if !ok {
		return
	}
	err := h.Site.App.Rules.Move(r.Context(), page.ViewerFrom(r.Context()).Actor, k.Kind, rule.ID, r.PostFormValue("dir") == "up")
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, "rules.moved", k.Base+"#rule-"+strconv.FormatInt(rule.ID, 10))
}

func (h *Handler) ruleActive(w http.ResponseWriter, r *http.Request, k ruleKind) {
	rule, ok := h.adminRuleOf(w, r, k)
	if !ok {
		return
	}
	active := r.PostFormValue("active") == "1"
	_, err := h.Site.App.Rules.Update(r.Context(), page.ViewerFrom(r.Context()).Actor, k.Kind, rule.ID, automation.RuleInput{Active: &active})
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	flash := "rules.deactivated"
	if active {
		flash = "rules.activated"
	}
	adminDone(w, r, flash, k.Base)
}

// ruleDeletePage asks before a rule is deleted.
type ruleDeletePage struct {
	adminBase
	Kind ruleKind
	Rule *automation.Rule
}

func (h *Handler) ruleDeleteConfirm(w http.ResponseWriter, r *http.Request, k ruleKind) {
	rule, ok := h.adminRuleOf(w, r, k)
	if !ok {
		return
	}
	h.renderAdmin(w, r, "admin/rule_delete", "rules."+k.Section+".delete", ruleDeletePage{adminBase: newAdminBase(k.Section, nil), Kind: k, Rule: rule}, nil)
}

func (h *Handler) ruleDelete(w http.ResponseWriter, r *http.Request, k ruleKind) {
	rule, ok := h.adminRuleOf(w, r, k)
	if !ok {
		return
	}
	if err := h.Site.App.Rules.Delete(r.Context(), page.ViewerFrom(r.Context()).Actor, k.Kind, rule.ID); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, "rules.deleted", k.Base)
}
