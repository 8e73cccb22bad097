package agent

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"tessera/internal/people"
	"tessera/internal/sla"
	"tessera/internal/sla/clocks"
	"tessera/internal/ticket"
	"tessera/internal/web/page"
)

// SLA: calendars, policies and priority rules, edited through the clocks
// service in the API's shapes. The forms are translated to those shapes;
// the service checks them and names the wrong field.

type adminSLAPage struct {
	adminBase
	Policies   []clocks.Policy
	Calendars  []clocks.Calendar
	Rules      []sla.PriorityRule
	Teams      []people.Team
	Priorities []string
	Channels   []string
	Metrics    []sla.Metric
	Days       []string
	// The preview: "a ticket created now with these facts would be due at".
	Preview    *clocks.Preview
	PreviewErr string
	Now        time.Time
}

// CalendarName names a policy's calendar.
func (p adminSLAPage) CalendarName(id *int64) string {
	if id == nil {
		return ""
	}
	for _, c := range p.Calendars {
		if c.ID == *id {
			return c.Name
		}
	}
	return ""
}

// Targets summarises a policy's targets for one priority: "30m · 1h · 4h"
// in metric order, "–" for a metric without one.
func (p adminSLAPage) Targets(pol clocks.Policy, prio string) string {
	ts, ok := pol.Targets[prio]
	if !ok {
		return ""
	}
	parts := make([]string, 0, len(sla.Metrics))
	for _, m := range sla.Metrics {
		if d, ok := ts[m]; ok {
			parts = append(parts, d.String())
		} else {
			parts = append(parts, "–")
		}
	}
	return strings.Join(parts, " · ")
}

// adminDaySpan is a run of weekdays with the same hours ("mon"–"fri").
type adminDaySpan struct {
	From, To, Hours string
}

// Week summarises a calendar's week, joining neighbouring days with the
// same hours: Mon–Fri 09:00-18:00, Sat 09:00-13:00. Closed days are left
// out.
func (p adminSLAPage) Week(c clocks.Calendar) []adminDaySpan {
	var out []adminDaySpan
	for _, d := range clocks.Days {
		h := hoursText(c.Hours[d])
		if n := len(out); n > 0 && out[n-1].Hours == h && h != "" && out[n-1].To == prevDay(d) {
			out[n-1].To = d
			continue
		}
		if h != "" {
			out = append(out, adminDaySpan{From: d, To: d, Hours: h})
		}
	}
	return out
}

func prevDay(d string) string {
	for i, x := range clocks.Days {
		if x == d && i > 0 {
			return clocks.Days[i-1]
		}
	}
	return ""
}

// Due is a preview's due time of a metric.
func (p adminSLAPage) Due(m sla.Metric) *time.Time {
	if p.Preview == nil {
		return nil
	}
	return p.Preview.Due[m]
}

func (h *Handler) adminSLA(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := adminSLAPage{Priorities: ticket.Priorities, Channels: ticket.Channels, Metrics: sla.Metrics, Days: clocks.Days, Now: time.Now()}
	var err error
	if p.Policies, err = h.Site.App.SLA.Policies(ctx); err == nil {
		if p.Calendars, err = h.Site.App.SLA.Calendars(ctx); err == nil {
			if p.Rules, err = h.Site.App.SLA.PriorityRules(ctx); err == nil {
				p.Teams, err = h.Site.App.People.ListTeams(ctx)
			}
		}
	}
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	// The preview's facts come from the query, so the form works without
	// JavaScript and a preview can be linked to.
	q := r.URL.Query()
	f := newAdminForm(nil)
	f.Values.Set("priority", "high")
	for _, k := range []string{"priority", "channel", "team_id"} {
		if v := q.Get(k); v != "" {
			f.Values.Set(k, v)
		}
	}
	facts := sla.Facts{Priority: f.Get("priority"), Channel: f.Get("channel")}
	if id, err := strconv.ParseInt(f.Get("team_id"), 10, 64); err == nil && id > 0 {
		facts.TeamID = &id
	}
	pv, err := h.Site.App.SLA.PreviewFor(ctx, facts, p.Now.UTC().Truncate(time.Minute))
	if err == nil {
		p.Preview = &pv
	} else if pf := newAdminForm(nil); pf.refused(err, nil) {
		p.PreviewErr = strings.Join(pf.Summary(), "; ")
	} else {
		h.Site.Fail(w, r, err)
		return
	}
	p.adminBase = newAdminBase("sla", f)
	h.renderAdmin(w, r, "admin/sla", "admin.sla", p, nil)
}

// hoursText writes intervals as the form takes them: "09:00-12:00, 13:00-18:00".
func hoursText(ivs [][]string) string {
	parts := make([]string, 0, len(ivs))
	for _, iv := range ivs {
		parts = append(parts, strings.Join(iv, "-"))
	}
	return strings.Join(parts, ", ")
}

// clockText pads "9:00" to "09:00", as the calendar wants it.
func clockText(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 4 && s[1] == ':' {
		return "0" + s
	}
	return s
}

// parseHours reads one day's intervals; something that is not a pair is
// passed on as it is, for the service to name.
func parseHours(s string) [][]string {
	s = strings.NewReplacer("–", "-", "—", "-").Replace(s)
	var out [][]string
	for _, part := range splitList(s) {
		if a, b, ok := strings.Cut(part, "-"); ok {
			out = append(out, []string{clockText(a), clockText(b)})
		} else {
			out = append(out, []string{part})
		}
	}
	return out
}

var yearlyDate = regexp.MustCompile(`^(\d{1,2})-(\d{1,2})$`)

// parseHolidays reads one holiday a line: "2026-12-25 Christmas" (that
// day) or "12-25 Christmas" (every year).
func parseHolidays(s string) []clocks.Holiday {
	out := []clocks.Holiday{}
	for _, line := range splitLines(s) {
		date, name, _ := strings.Cut(line, " ")
		name = strings.TrimSpace(name)
		if m := yearlyDate.FindStringSubmatch(date); m != nil {
			month, _ := strconv.Atoi(m[1])
			day, _ := strconv.Atoi(m[2])
			out = append(out, clocks.Holiday{Month: month, Day: day, Name: name})
			continue
		}
		out = append(out, clocks.Holiday{Date: date, Name: name})
	}
	return out
}

func holidaysText(hs []clocks.Holiday) string {
	lines := make([]string, 0, len(hs))
	for _, h := range hs {
		d := h.Date
		if d == "" {
			d = fmt.Sprintf("%02d-%02d", h.Month, h.Day)
		}
		lines = append(lines, strings.TrimSpace(d+" "+h.Name))
	}
	return strings.Join(lines, "\n")
}

var indexed = regexp.MustCompile(`^(\w+)\[(\d+)\]$`)

// lineAlias puts an error about list item i ("holidays[2]") on the list's
// input, naming the line.
func lineAlias(field, detail string) (string, string) {
	if m := indexed.FindStringSubmatch(field); m != nil {
		i, _ := strconv.Atoi(m[2])
		return m[1], fmt.Sprintf("line %d: %s", i+1, detail)
	}
	return field, detail
}

type adminCalendarPage struct {
	adminBase
	Calendar  *clocks.Calendar // nil for a new calendar
	Days      []string
	TimeZones []string
}

func (h *Handler) renderCalendarForm(w http.ResponseWriter, r *http.Request, c *clocks.Calendar, f *adminForm) {
	title := "admin.calendar_new"
	if c != nil {
		title = "admin.calendar_edit"
	}
	h.renderAdmin(w, r, "admin/calendar", title, adminCalendarPage{adminBase: newAdminBase("sla", f), Calendar: c, Days: clocks.Days, TimeZones: adminTimeZones}, f)
}

func calendarInput(f *adminForm) clocks.CalendarInput {
	in := clocks.CalendarInput{Name: f.Get("name"), TimeZone: strings.TrimSpace(f.Get("time_zone")), Hours: map[string][][]string{},
		Holidays: parseHolidays(f.Get("holidays"))}
	for _, d := range clocks.Days {
		if ivs := parseHours(f.Get("hours." + d)); len(ivs) > 0 {
			in.Hours[d] = ivs
		}
	}
	return in
}

func (h *Handler) adminCalendarNew(w http.ResponseWriter, r *http.Request) {
	f := newAdminForm(nil)
	f.Values.Set("time_zone", page.ViewerFrom(r.Context()).Agent.TimeZone)
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
		f.Values.Set("hours."+d, "09:00-18:00")
	}
	h.renderCalendarForm(w, r, nil, f)
}

func (h *Handler) adminCalendarCreate(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	_, err = h.Site.App.SLA.CreateCalendar(r.Context(), page.ViewerFrom(r.Context()).Actor, calendarInput(f))
	if h.settle(w, r, f, err, lineAlias, "admin.calendar_created", "/admin/sla") {
		return
	}
	h.renderCalendarForm(w, r, nil, f)
}

func (h *Handler) adminCalendar(w http.ResponseWriter, r *http.Request) (*clocks.Calendar, bool) {
	return byPathID(h, w, r, h.Site.App.SLA.GetCalendar)
}

func (h *Handler) adminCalendarEdit(w http.ResponseWriter, r *http.Request) {
	c, ok := h.adminCalendar(w, r)
	if !ok {
		return
	}
	f := newAdminForm(nil)
	f.Values.Set("name", c.Name)
	f.Values.Set("time_zone", c.TimeZone)
	for _, d := range clocks.Days {
		f.Values.Set("hours."+d, hoursText(c.Hours[d]))
	}
	f.Values.Set("holidays", holidaysText(c.Holidays))
	h.renderCalendarForm(w, r, c, f)
}

func (h *Handler) adminCalendarUpdate(w http.ResponseWriter, r *http.Request) {
	c, ok := h.adminCalendar(w, r)
	if !ok {
		return
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	_, err = h.Site.App.SLA.UpdateCalendar(r.Context(), page.ViewerFrom(r.Context()).Actor, c.ID, calendarInput(f))
	if h.settle(w, r, f, err, lineAlias, "admin.saved", "/admin/sla") {
		return
	}
	h.renderCalendarForm(w, r, c, f)
}

type adminPolicyPage struct {
	adminBase
	Policy     *clocks.Policy // nil for a new policy
	Calendars  []clocks.Calendar
	Teams      []people.Team
	Priorities []string
	Metrics    []sla.Metric
	Channels   []string
	Types      []string
	// Preview is when a ticket created now would be due under this policy.
	Preview *clocks.PolicyPreview
}

// Due is the preview's due time for a priority and metric.
func (p adminPolicyPage) Due(prio string, m sla.Metric) *time.Time {
	if p.Preview == nil {
		return nil
	}
	return p.Preview.Due[prio][m]
}

// Previewed reports whether the policy sets any target for prio.
func (p adminPolicyPage) Previewed(prio string) bool {
	return p.Preview != nil && len(p.Preview.Due[prio]) > 0
}

func (h *Handler) renderPolicyForm(w http.ResponseWriter, r *http.Request, pol *clocks.Policy, f *adminForm) {
	ctx := r.Context()
	cals, err := h.Site.App.SLA.Calendars(ctx)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	teams, err := h.Site.App.People.ListTeams(ctx)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	p := adminPolicyPage{adminBase: newAdminBase("sla", f), Policy: pol, Calendars: cals, Teams: teams,
		Priorities: ticket.Priorities, Metrics: sla.Metrics, Channels: ticket.Channels, Types: ticket.Types}
	title := "admin.policy_new"
	if pol != nil {
		title = "admin.policy_edit"
		pv, err := h.Site.App.SLA.PreviewPolicy(ctx, pol.ID, time.Now().UTC().Truncate(time.Minute))
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		p.Preview = &pv
	}
	h.renderAdmin(w, r, "admin/policy", title, p, f)
}

// policyInput translates the policy form to the API's JSON and decodes
// that, so that a duration the admin mistyped reaches the service, which
// names its field, exactly as a mistyped one in the API does.
func policyInput(f *adminForm) (clocks.PolicyInput, bool) {
	var in clocks.PolicyInput
	pos := 0
	if !formInt(f, "position", &pos) {
		return in, false
	}
	targets := map[string]map[string]string{}
	for _, p := range ticket.Priorities {
		for _, m := range sla.Metrics {
			if v := strings.TrimSpace(f.Get("targets." + p + "." + string(m))); v != "" {
				if targets[p] == nil {
					targets[p] = map[string]string{}
				}
				targets[p][string(m)] = v
			}
		}
	}
	cond := map[string]any{
		"priorities": nonEmpty(f.Values["conditions.priorities"]), "channels": nonEmpty(f.Values["conditions.channels"]),
		"types": nonEmpty(f.Values["conditions.types"]), "team_ids": formIDs(f.Values, "conditions.team_ids"),
		"organization_ids": formIDs(f.Values, "conditions.organization_ids"),
		"tags":             splitList(f.Get("conditions.tags")), "tiers": splitList(f.Get("conditions.tiers")),
		"inboxes": splitList(f.Get("conditions.inboxes")),
	}
	m := map[string]any{"name": f.Get("name"), "position": pos, "active": f.On("active"), "business_hours": f.On("business_hours"),
		"pause_on_pending": f.On("pause_on_pending"), "pause_on_hold": f.On("pause_on_hold"), "conditions": cond, "targets": targets}
	if s := f.Get("calendar_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f.add("calendar_id", "must be a calendar")
			return in, false
		}
		m["calendar_id"] = id
	}
	if s := strings.TrimSpace(f.Get("warn_before")); s != "" {
		m["warn_before"] = s
	}
	b, _ := json.Marshal(m)
	if err := json.Unmarshal(b, &in); err != nil {
		f.add("body", err.Error())
		return in, false
	}
	return in, true
}

func nonEmpty(vs []string) []string {
	out := []string{}
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func policyValues(pol clocks.Policy) *adminForm {
	f := newAdminForm(nil)
	f.Values.Set("name", pol.Name)
	f.Values.Set("position", strconv.Itoa(pol.Position))
	f.Values.Set("active", boolValue(pol.Active))
	if pol.CalendarID != nil {
		f.Values.Set("calendar_id", strconv.FormatInt(*pol.CalendarID, 10))
	}
	f.Values.Set("business_hours", boolValue(pol.BusinessHours))
	f.Values.Set("pause_on_pending", boolValue(pol.PauseOnPending))
	f.Values.Set("pause_on_hold", boolValue(pol.PauseOnHold))
	if pol.WarnBefore > 0 {
		f.Values.Set("warn_before", pol.WarnBefore.String())
	}
	for p, ms := range pol.Targets {
		for m, d := range ms {
			f.Values.Set("targets."+p+"."+string(m), d.String())
		}
	}
	c := pol.Conditions
	f.Values["conditions.priorities"] = c.Priorities
	f.Values["conditions.channels"] = c.Channels
	f.Values["conditions.types"] = c.Types
	f.Values["conditions.team_ids"] = idStrings(c.TeamIDs)
	f.Values["conditions.organization_ids"] = idStrings(c.OrganizationIDs)
	f.Values.Set("conditions.tags", strings.Join(c.Tags, ", "))
	f.Values.Set("conditions.tiers", strings.Join(c.Tiers, ", "))
	f.Values.Set("conditions.inboxes", strings.Join(c.Inboxes, ", "))
	return f
}

func (h *Handler) adminPolicyNew(w http.ResponseWriter, r *http.Request) {
	f := newAdminForm(nil)
	for _, k := range []string{"active", "pause_on_pending", "pause_on_hold"} {
		f.Values.Set(k, "1")
	}
	f.Values.Set("position", "10")
	h.renderPolicyForm(w, r, nil, f)
}

func (h *Handler) adminPolicyCreate(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if in, ok := policyInput(f); ok {
		pol, err := h.Site.App.SLA.CreatePolicy(r.Context(), page.ViewerFrom(r.Context()).Actor, in)
		if h.settle(w, r, f, err, nil, "admin.policy_created", "/admin/sla/policies/"+strconv.FormatInt(pol.ID, 10)) {
			return
		}
	}
	h.renderPolicyForm(w, r, nil, f)
}

func (h *Handler) adminPolicy(w http.ResponseWriter, r *http.Request) (*clocks.Policy, bool) {
	return byPathID(h, w, r, h.Site.App.SLA.GetPolicy)
}

func (h *Handler) adminPolicyEdit(w http.ResponseWriter, r *http.Request) {
	pol, ok := h.adminPolicy(w, r)
	if !ok {
		return
	}
	h.renderPolicyForm(w, r, pol, policyValues(*pol))
}

func (h *Handler) adminPolicyUpdate(w http.ResponseWriter, r *http.Request) {
	pol, ok := h.adminPolicy(w, r)
	if !ok {
		return
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if in, ok := policyInput(f); ok {
		_, err := h.Site.App.SLA.UpdatePolicy(r.Context(), page.ViewerFrom(r.Context()).Actor, pol.ID, in)
		if h.settle(w, r, f, err, nil, "admin.saved", "/admin/sla/policies/"+strconv.FormatInt(pol.ID, 10)) {
			return
		}
	}
	h.renderPolicyForm(w, r, pol, f)
}

type adminRulePage struct {
	adminBase
	Rule       *sla.PriorityRule // nil for a new rule
	Priorities []string
	Channels   []string
}

func (h *Handler) renderRuleForm(w http.ResponseWriter, r *http.Request, rule *sla.PriorityRule, f *adminForm) {
	title := "admin.rule_new"
	if rule != nil {
		title = "admin.rule_edit"
	}
	h.renderAdmin(w, r, "admin/rule", title, adminRulePage{adminBase: newAdminBase("sla", f), Rule: rule, Priorities: ticket.Priorities, Channels: ticket.Channels}, f)
}

// ruleInput reads the rule form: one keyword (or phrase) a line.
func ruleInput(f *adminForm) (clocks.PriorityRuleInput, bool) {
	in := clocks.PriorityRuleInput{Name: f.Get("name"), Priority: f.Get("priority"), Keywords: splitLines(f.Get("keywords")),
		Tiers: splitList(f.Get("tiers")), Channels: nonEmpty(f.Values["channels"]), Inboxes: splitList(f.Get("inboxes")),
		OrganizationIDs: formIDs(f.Values, "organization_ids")}
	active := f.On("active")
	in.Active = &active
	return in, formInt(f, "position", &in.Position)
}

func (h *Handler) adminRuleNew(w http.ResponseWriter, r *http.Request) {
	f := newAdminForm(nil)
	f.Values.Set("active", "1")
	f.Values.Set("priority", "urgent")
	f.Values.Set("position", "10")
	h.renderRuleForm(w, r, nil, f)
}

func (h *Handler) adminRuleCreate(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if in, ok := ruleInput(f); ok {
		_, err := h.Site.App.SLA.CreatePriorityRule(r.Context(), page.ViewerFrom(r.Context()).Actor, in)
		if h.settle(w, r, f, err, lineAlias, "admin.rule_created", "/admin/sla") {
			return
		}
	}
	h.renderRuleForm(w, r, nil, f)
}

func (h *Handler) adminRule(w http.ResponseWriter, r *http.Request) (*sla.PriorityRule, bool) {
	return byPathID(h, w, r, h.Site.App.SLA.GetPriorityRule)
}

func (h *Handler) adminRuleEdit(w http.ResponseWriter, r *http.Request) {
	rule, ok := h.adminRule(w, r)
	if !ok {
		return
	}
	f := newAdminForm(nil)
	f.Values.Set("name", rule.Name)
	f.Values.Set("position", strconv.Itoa(rule.Position))
	f.Values.Set("active", boolValue(rule.Active))
	f.Values.Set("priority", rule.Priority)
	f.Values.Set("keywords", strings.Join(rule.Keywords, "\n"))
	f.Values.Set("tiers", strings.Join(rule.Tiers, ", "))
	f.Values.Set("inboxes", strings.Join(rule.Inboxes, ", "))
	f.Values["channels"] = rule.Channels
	f.Values["organization_ids"] = idStrings(rule.OrganizationIDs)
	h.renderRuleForm(w, r, rule, f)
}

func (h *Handler) adminRuleUpdate(w http.ResponseWriter, r *http.Request) {
	rule, ok := h.adminRule(w, r)
	if !ok {
		return
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if in, ok := ruleInput(f); ok {
		_, err := h.Site.App.SLA.UpdatePriorityRule(r.Context(), page.ViewerFrom(r.Context()).Actor, rule.ID, in)
		if h.settle(w, r, f, err, lineAlias, "admin.saved", "/admin/sla") {
			return
		}
	}
	h.renderRuleForm(w, r, rule, f)
}
