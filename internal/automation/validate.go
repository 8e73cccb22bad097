package automation

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"tessera/internal/validation"
)

// Limits of one rule, so a rule stays cheap to evaluate on every change.
const (
	MaxConditions = 50
	MaxActions    = 30
	MaxValues     = 200
)

// Validate checks a rule of the given kind and returns a validation error
// naming each wrong path ("name", "on[1]", "conditions.all[0].op",
// "actions[2].value.to"), or nil.
func Validate(r Rule, kind Kind) error {
	var c validation.Collector
	c.Text("name", strings.TrimSpace(r.Name), 200, true)
	if r.Position < 0 {
		c.Add("position", "must not be negative")
	}
	switch kind {
	case KindTrigger:
		if len(r.On) == 0 {
			c.Add("on", "must name at least one of %s, %s", OnCreated, OnUpdated)
		}
		for i, on := range r.On {
			if on != OnCreated && on != OnUpdated {
				c.Add(fmt.Sprintf("on[%d]", i), "must be %s or %s", OnCreated, OnUpdated)
			} else if slices.Index(r.On, on) != i {
				c.Add(fmt.Sprintf("on[%d]", i), "%s is named twice", on)
			}
		}
	case KindAutomation:
		if len(r.On) > 0 {
			c.Add("on", "automations run on time, not on events: leave it out")
		}
	default:
		c.Add("kind", "must be %s or %s", KindTrigger, KindAutomation)
	}
	if n := len(r.Conditions.All) + len(r.Conditions.Any); n > MaxConditions {
		c.Add("conditions", "at most %d conditions", MaxConditions)
	}
	timed := 0
	for i, cd := range r.Conditions.All {
		p := fmt.Sprintf("conditions.all[%d]", i)
		if compileCond(cd, kind, p, &c) && isTime(cd.Field) {
			timed++
		}
	}
	for i, cd := range r.Conditions.Any {
		p := fmt.Sprintf("conditions.any[%d]", i)
		if isTime(cd.Field) {
			// A time condition in "any" has no single moment it becomes
			// true, so it could not be scheduled from an index.
			c.Add(p+".field", "time conditions belong in conditions.all")
			continue
		}
		compileCond(cd, kind, p, &c)
	}
	if kind == KindAutomation && timed == 0 && len(r.Conditions.All) <= MaxConditions {
		c.Add("conditions.all", "an automation needs a time condition (%s or %s)", FieldHoursSince, FieldSLADueWithin)
	}
	if len(r.Actions) == 0 {
		c.Add("actions", "must have at least one action")
	}
	if len(r.Actions) > MaxActions {
		c.Add("actions", "at most %d actions", MaxActions)
	}
	for i, a := range r.Actions {
		validateAction(a, fmt.Sprintf("actions[%d]", i), &c)
	}
	return c.Err()
}

func isTime(field string) bool { return field == FieldHoursSince || field == FieldSLADueWithin }

// compileCond checks one condition and reports whether it is valid.
func compileCond(cd Condition, kind Kind, path string, c *validation.Collector) bool {
	_, ok := buildCond(cd, kind, path, c)
	return ok
}

// buildCond checks and compiles one condition; kind "" accepts the fields
// of either kind of rule.
func buildCond(cd Condition, kind Kind, path string, c *validation.Collector) (cond, bool) {
	spec, ok := LookupField(cd.Field)
	if !ok {
		c.Add(path+".field", "unknown field %q", cd.Field)
		return cond{}, false
	}
	if kind != "" && spec.Only != "" && spec.Only != kind {
		c.Add(path+".field", "%s conditions are for %ss only", cd.Field, spec.Only)
		return cond{}, false
	}
	op := cd.Op
	if op == "" && spec.Type == TypeTime {
		op = OpAtLeast
	}
	if !slices.Contains(spec.Ops, op) {
		c.Add(path+".op", "%q is not an operator of %s (use one of %s)", cd.Op, cd.Field, strings.Join(spec.Ops, ", "))
		return cond{}, false
	}
	if kind == KindAutomation && isChangeOp(op) {
		c.Add(path+".op", "automations run on time, not on a change: %s cannot be used", op)
		return cond{}, false
	}
	out := cond{field: cd.Field, op: op, spec: spec}
	if spec.Type == TypeCustom {
		out.key = strings.TrimPrefix(cd.Field, CustomPrefix)
	}
	vp := path + ".value"
	switch op {
	case OpIsSet, OpNotSet, OpChanged, OpRaised, OpLowered:
		if cd.Value != nil {
			c.Add(vp, "%s takes no value", op)
			return cond{}, false
		}
	case OpIs, OpIsNot:
		s, ok := scalarValue(spec, cd.Value)
		if !ok {
			c.Add(vp, "%s", expect(spec, false))
			return cond{}, false
		}
		out.vals = []string{s}
	case OpChangedTo, OpChangedFrom:
		if cd.Value == nil && spec.Type != TypeState {
			out.vals = []string{""} // became unset, or was unset
			break
		}
		s, ok := scalarValue(spec, cd.Value)
		if !ok {
			c.Add(vp, "%s", expect(spec, false))
			return cond{}, false
		}
		out.vals = []string{s}
	case OpIn, OpNotIn:
		l, ok := listValue(spec, cd.Value)
		if !ok {
			c.Add(vp, "%s", expect(spec, true))
			return cond{}, false
		}
		out.vals = l
	case OpContainsAny, OpContainsAll, OpContainsNone:
		l, ok := asList(cd.Value)
		if !ok || len(l) == 0 || len(l) > MaxValues {
			c.Add(vp, "must be a list of 1 to %d words or phrases", MaxValues)
			return cond{}, false
		}
		for i, w := range l {
			var toks []string
			if spec.Type == TypeList {
				if w = strings.TrimSpace(w); w != "" {
					toks = []string{foldTag(w)}
				}
			} else {
				toks = words(w)
			}
			if len(toks) == 0 {
				c.Add(fmt.Sprintf("%s[%d]", vp, i), "must contain a word")
				return cond{}, false
			}
			out.phrases = append(out.phrases, toks)
		}
	case OpGreaterThan, OpLessThan:
		if spec.Type == TypePriority {
			s, ok := scalarValue(spec, cd.Value)
			if !ok {
				c.Add(vp, "%s", expect(spec, false))
				return cond{}, false
			}
			out.rank = priorityRank(s)
			break
		}
		n, ok := asNumber(cd.Value)
		if !ok {
			c.Add(vp, "must be a number")
			return cond{}, false
		}
		out.num = n
	case OpAtLeast:
		return buildTime(out, cd.Value, vp, c)
	}
	return out, true
}

func isChangeOp(op string) bool {
	switch op {
	case OpChanged, OpChangedTo, OpChangedFrom, OpRaised, OpLowered:
		return true
	}
	return false
}

// scalarValue reads the one value of is/is_not/changed_to: an id for id
// fields, one of the allowed values when the set is fixed.
func scalarValue(spec FieldSpec, v any) (string, bool) {
	if spec.Type == TypeID {
		id, ok := asID(v)
		if !ok {
			return "", false
		}
		return fmt.Sprint(id), true
	}
	s, ok := asScalar(v)
	if !ok || len(s) > 1000 {
		return "", false
	}
	if spec.Values != nil {
		for _, a := range spec.Values {
			if strings.EqualFold(a, s) {
				return a, true
			}
		}
		return "", false
	}
	if spec.Type == TypeList {
		return foldTag(s), s != ""
	}
	return s, spec.Type == TypeCustom || s != ""
}

func listValue(spec FieldSpec, v any) ([]string, bool) {
	var raw []any
	switch x := v.(type) {
	case []any:
		raw = x
	case []string:
		for _, s := range x {
			raw = append(raw, s)
		}
	case []int64:
		for _, n := range x {
			raw = append(raw, n)
		}
	default:
		return nil, false
	}
	if len(raw) == 0 || len(raw) > MaxValues {
		return nil, false
	}
	out := make([]string, 0, len(raw))
	for _, e := range raw {
		s, ok := scalarValue(spec, e)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func expect(spec FieldSpec, list bool) string {
	what := "a value"
	switch {
	case spec.Type == TypeID:
		what = "a positive id"
	case spec.Values != nil:
		what = "one of " + strings.Join(spec.Values, ", ")
	}
	if list {
		return fmt.Sprintf("must be a list (1 to %d) of %s", MaxValues, strings.TrimPrefix(what, "a "))
	}
	return "must be " + what
}

func buildTime(out cond, v any, vp string, c *validation.Collector) (cond, bool) {
	if out.field == FieldHoursSince {
		if err := decodeInto(v, &out.since); err != nil {
			c.Add(vp, `%v: {"event", "hours" or "minutes", "business"}`, err)
			return cond{}, false
		}
		if !slices.Contains(SinceEvents, out.since.Event) {
			c.Add(vp+".event", "must be one of %s", strings.Join(SinceEvents, ", "))
			return cond{}, false
		}
		if out.since.Hours < 0 || out.since.Minutes < 0 || out.since.Duration() <= 0 || out.since.Duration() > 365*24*time.Hour {
			c.Add(vp+".hours", "hours or minutes must be positive and at most a year")
			return cond{}, false
		}
		return out, true
	}
	if err := decodeInto(v, &out.due); err != nil {
		c.Add(vp, `%v: {"metric", "minutes"}`, err)
		return cond{}, false
	}
	if !slices.Contains(metricNames(), out.due.Metric) {
		c.Add(vp+".metric", "must be one of %s", strings.Join(metricNames(), ", "))
		return cond{}, false
	}
	if out.due.Minutes < 0 || out.due.Minutes > 365*24*60 {
		c.Add(vp+".minutes", "must be between 0 and a year of minutes")
		return cond{}, false
	}
	return out, true
}

func validateAction(a Action, path string, c *validation.Collector) {
	spec, ok := LookupAction(a.Type)
	if !ok {
		c.Add(path+".type", "unknown action %q", a.Type)
		return
	}
	vp := path + ".value"
	switch spec.Value {
	case ValueEnum:
		s, ok := a.Value.(string)
		if a.Value == nil && a.Type == ActRoute {
			s, ok = "", true // the team's own strategy
		}
		switch {
		case !ok:
			c.Add(vp, "must be text")
		case spec.Values == nil && strings.TrimSpace(s) == "":
			c.Add(vp, "must not be empty")
		case spec.Values != nil && !slices.Contains(spec.Values, s):
			c.Add(vp, "must be one of %q", spec.Values)
		}
	case ValueID:
		if _, ok := asID(a.Value); !ok {
			c.Add(vp, "must be a positive id")
		}
	case ValueTags:
		l, ok := asList(a.Value)
		if !ok || len(l) == 0 || len(l) > MaxValues {
			c.Add(vp, "must be a list of 1 to %d tags", MaxValues)
			return
		}
		for i, t := range l {
			if strings.TrimSpace(t) == "" || len(t) > 100 {
				c.Add(fmt.Sprintf("%s[%d]", vp, i), "must be a tag of 1 to 100 characters")
			}
		}
	case ValueText:
		s, ok := a.Value.(string)
		if !ok {
			c.Add(vp, "must be text")
			return
		}
		c.Text(vp, s, 20000, true)
		checkTemplate(vp, s, c)
	case ValueCustomField:
		var v CustomFieldValue
		if err := decodeInto(a.Value, &v); err != nil {
			c.Add(vp, `%v: {"key", "value"}`, err)
			return
		}
		if strings.TrimSpace(v.Key) == "" {
			c.Add(vp+".key", "must name a custom field")
		}
	case ValueEmail:
		var v EmailValue
		if err := decodeInto(a.Value, &v); err != nil {
			c.Add(vp, `%v: {"to", "address", "subject", "body"}`, err)
			return
		}
		if !slices.Contains(Recipients, v.To) {
			c.Add(vp+".to", "must be one of %s", strings.Join(Recipients, ", "))
		}
		if v.To == ToAddress {
			if addr, err := mail.ParseAddress(v.Address); err != nil || addr.Name != "" {
				c.Add(vp+".address", "must be an email address")
			}
		} else if v.Address != "" {
			c.Add(vp+".address", "is only for to=%s", ToAddress)
		}
		c.Text(vp+".subject", v.Subject, 300, true)
		c.Text(vp+".body", v.Body, 20000, true)
		checkTemplate(vp+".subject", v.Subject, c)
		checkTemplate(vp+".body", v.Body, c)
	}
}
