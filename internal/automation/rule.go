// Package automation is Tessera's rules engine: triggers, which run inside
// the transaction of every ticket change, and automations, which run when a
// time condition ("pending for 72 business hours") becomes true.
//
// A rule is data: conditions {"all": [...], "any": [...]} of
// {"field", "op", "value"} and an ordered list of actions {"type",
// "value"}. This file and its neighbours (fields.go, validate.go, match.go,
// template.go) hold the model: what a rule may say (the field and action
// registries), how it is checked (Validate names the wrong path, e.g.
// "conditions.all[0].op"), and how it is matched against the Facts of one
// ticket at one moment (Match, pure). The admin rule builder and the JSON
// API both build on these names.
package automation

import "time"

// Kind says what starts a rule.
type Kind string

// Kinds of rule.
const (
	// KindTrigger rules run on ticket events (created, updated).
	KindTrigger Kind = "trigger"
	// KindAutomation rules run when their time conditions become true.
	KindAutomation Kind = "automation"
)

// Ticket events a trigger may run on (Rule.On).
const (
	OnCreated = "created"
	OnUpdated = "updated"
)

// Rule is a trigger or an automation.
type Rule struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Position int    `json:"position"`
	Active   bool   `json:"active"`
	// On lists the events a trigger runs on; automations leave it empty.
	On         []string   `json:"on,omitempty"`
	Conditions Conditions `json:"conditions"`
	Actions    []Action   `json:"actions"`
	// Bookkeeping, filled by the store.
	FiredCount  int64      `json:"fired_count"`
	LastFiredAt *time.Time `json:"last_fired_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Conditions match when every condition of All holds and, if Any is not
// empty, at least one of Any does. A rule without conditions always matches
// (a trigger still runs only on its On events).
type Conditions struct {
	All []Condition `json:"all"`
	Any []Condition `json:"any"`
}

// OpenAPISchema describes conditions inline: the name is common enough
// (sla.Conditions) to collide among the API's components.
func (Conditions) OpenAPISchema() map[string]any {
	list := map[string]any{"type": "array", "items": Condition{}.OpenAPISchema()}
	return map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{"all": list, "any": list}}
}

// OpenAPISchema describes a condition; its value's shape depends on the
// operator.
func (Condition) OpenAPISchema() map[string]any {
	return map[string]any{"type": "object", "additionalProperties": false, "required": []any{"field"}, "properties": map[string]any{
		"field": map[string]any{"type": "string", "description": "a field of the registry, or custom_fields.KEY"},
		"op":    map[string]any{"type": "string", "description": "an operator of the field (time fields: at_least, or leave it out)"},
		"value": map[string]any{"description": "scalar for is/is_not/changed_to/changed_from, list for in/not_in/contains_*, object for time fields, absent for is_set/not_set/changed/raised/lowered"},
	}}
}

// Condition is one test of a ticket: Field (a name of the field registry,
// or "custom_fields.KEY"), Op (one of the field's operators) and Value
// (whose shape the operator decides: a scalar for "is", a list for "in"
// and "contains_any", nothing for "is_set" and "changed", an object for
// the time fields).
type Condition struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value any    `json:"value,omitempty"`
}

// Action is one thing a rule does when it matches, in order; Type is a
// name of the action registry and Value its argument.
type Action struct {
	Type  string `json:"type"`
	Value any    `json:"value,omitempty"`
}

// OpenAPISchema describes an action inline (macros have actions too).
func (Action) OpenAPISchema() map[string]any {
	return map[string]any{"type": "object", "additionalProperties": false, "required": []any{"type"}, "properties": map[string]any{
		"type":  map[string]any{"type": "string", "description": "an action type of the registry"},
		"value": map[string]any{"description": "the action's argument: text, id, list of tags, or an object (send_email, set_custom_field)"},
	}}
}

// Operators.
const (
	OpIs           = "is"
	OpIsNot        = "is_not"
	OpIn           = "in"
	OpNotIn        = "not_in"
	OpContainsAny  = "contains_any"
	OpContainsAll  = "contains_all"
	OpContainsNone = "contains_none"
	OpGreaterThan  = "greater_than"
	OpLessThan     = "less_than"
	OpIsSet        = "is_set"
	OpNotSet       = "not_set"
	OpChanged      = "changed"
	OpChangedTo    = "changed_to"
	OpChangedFrom  = "changed_from"
	OpRaised       = "raised"
	OpLowered      = "lowered"
	// OpAtLeast is the operator of the time fields; it may be left out.
	OpAtLeast = "at_least"
)

// Action types.
const (
	ActSetStatus      = "set_status"
	ActSetPriority    = "set_priority"
	ActSetType        = "set_type"
	ActAssignTeam     = "assign_team"
	ActAssignAgent    = "assign_agent"
	ActRoute          = "route"
	ActAddTags        = "add_tags"
	ActRemoveTags     = "remove_tags"
	ActSetCustomField = "set_custom_field"
	ActSetSLAPolicy   = "set_sla_policy"
	ActAddNote        = "add_note"
	ActSendEmail      = "send_email"
	ActCallWebhook    = "call_webhook"
)

// Routing strategies the route action names; "" is the team's own.
var Strategies = []string{"", "round_robin", "least_loaded"}

// Email recipients of the send_email action.
const (
	ToRequester = "requester"
	ToAssignee  = "assignee"
	ToTeam      = "team"
	ToAddress   = "address"
)

// Recipients lists the values of EmailValue.To.
var Recipients = []string{ToRequester, ToAssignee, ToTeam, ToAddress}

// EmailValue is the value of a send_email action. Subject and Body are
// templates (see Render).
type EmailValue struct {
	To      string `json:"to"`
	Address string `json:"address,omitempty"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// CustomFieldValue is the value of a set_custom_field action; a nil Value
// removes the field.
type CustomFieldValue struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// SinceValue is the value of an hours_since condition: at least Hours (or
// Minutes) since Event, counted in business hours of the ticket's SLA
// calendar when Business is set.
type SinceValue struct {
	Event    string `json:"event"`
	Hours    int    `json:"hours,omitempty"`
	Minutes  int    `json:"minutes,omitempty"`
	Business bool   `json:"business,omitempty"`
}

// Duration is how long the condition waits.
func (v SinceValue) Duration() time.Duration {
	return time.Duration(v.Hours)*time.Hour + time.Duration(v.Minutes)*time.Minute
}

// Moments an hours_since condition counts from (keys of Facts.Since).
const (
	SincePending           = "status_pending"
	SinceCreated           = "created"
	SinceUnassigned        = "unassigned"
	SinceSolved            = "solved"
	SinceUpdated           = "updated"
	SinceLastCustomerReply = "last_customer_reply"
)

// SinceEvents lists the moments of SinceValue.Event.
var SinceEvents = []string{SincePending, SinceCreated, SinceUnassigned, SinceSolved, SinceUpdated, SinceLastCustomerReply}

// DueWithinValue is the value of an sla_due_within condition: the running
// SLA Metric ("first_reply", "next_reply", "resolution") is due in at most
// Minutes (or already overdue).
type DueWithinValue struct {
	Metric  string `json:"metric"`
	Minutes int    `json:"minutes"`
}
