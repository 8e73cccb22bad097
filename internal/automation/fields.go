package automation

import (
	"slices"
	"strings"

	"tessera/internal/people"
	"tessera/internal/sla"
	"tessera/internal/ticket"
)

// FieldType decides which operators a field takes and how its value is
// compared.
type FieldType string

// Field types.
const (
	// TypeText is free text matched by words and phrases (subject, body).
	TypeText FieldType = "text"
	// TypeEnum is one value of a set, compared case-insensitively.
	TypeEnum FieldType = "enum"
	// TypeID is the id of a record (inbox, contact, team, agent); 0 is unset.
	TypeID FieldType = "id"
	// TypePriority is an enum with an order (raised, lowered, greater_than).
	TypePriority FieldType = "priority"
	// TypeList is a set of words (tags).
	TypeList FieldType = "list"
	// TypeCustom is a custom field: text, number, date or choice.
	TypeCustom FieldType = "custom"
	// TypeState is a state of the ticket at the moment (business hours, SLA).
	TypeState FieldType = "state"
	// TypeTime is a time condition of automations.
	TypeTime FieldType = "time"
)

// FieldSpec describes one field a condition may test.
type FieldSpec struct {
	Name string    `json:"name"`
	Type FieldType `json:"type"`
	Ops  []string  `json:"ops"`
	// Values are the allowed values when the set is fixed; nil means free.
	Values []string `json:"values,omitempty"`
	// Only restricts the field to one kind of rule ("" for both).
	Only Kind `json:"only,omitempty"`
}

// Field names.
const (
	FieldEvent          = "event"
	FieldSubject        = "subject"
	FieldBody           = "body"
	FieldStatus         = "status"
	FieldStatusCategory = "status_category"
	FieldPriority       = "priority"
	FieldTicketType     = "type"
	FieldChannel        = "channel"
	FieldInboxID        = "inbox_id"
	FieldRequesterID    = "requester_id"
	FieldOrganizationID = "organization_id"
	FieldContactTier    = "contact_tier"
	FieldTags           = "tags"
	FieldLanguage       = "language"
	FieldTeamID         = "team_id"
	FieldAssigneeID     = "assignee_id"
	FieldBusinessHours  = "business_hours"
	FieldSLA            = "sla"
	FieldHoursSince     = "hours_since"
	FieldSLADueWithin   = "sla_due_within"
	// CustomPrefix starts the name of a custom field condition:
	// "custom_fields.KEY".
	CustomPrefix = "custom_fields."
)

// Values of the state fields.
const (
	Inside   = "inside"
	Outside  = "outside"
	Warning  = "warning"
	Breached = "breached"
)

var (
	textOps     = []string{OpContainsAny, OpContainsAll, OpContainsNone, OpIs, OpIsNot, OpIsSet, OpNotSet, OpChanged}
	enumOps     = []string{OpIs, OpIsNot, OpIn, OpNotIn, OpIsSet, OpNotSet, OpChanged, OpChangedTo, OpChangedFrom}
	idOps       = enumOps
	priorityOps = append(slices.Clone(enumOps), OpGreaterThan, OpLessThan, OpRaised, OpLowered)
	listOps     = []string{OpContainsAny, OpContainsAll, OpContainsNone, OpIsSet, OpNotSet, OpChanged, OpChangedTo, OpChangedFrom}
	customOps   = append(slices.Clone(enumOps), OpContainsAny, OpContainsAll, OpContainsNone, OpGreaterThan, OpLessThan)
)

func metricNames() []string {
	out := make([]string, len(sla.Metrics))
	for i, m := range sla.Metrics {
		out[i] = string(m)
	}
	return out
}

var fields = []FieldSpec{
	{Name: FieldEvent, Type: TypeEnum, Ops: []string{OpIs, OpIsNot}, Values: []string{OnCreated, OnUpdated}, Only: KindTrigger},
	{Name: FieldSubject, Type: TypeText, Ops: textOps},
	{Name: FieldBody, Type: TypeText, Ops: textOps[:len(textOps)-1]},
	{Name: FieldStatus, Type: TypeEnum, Ops: enumOps},
	{Name: FieldStatusCategory, Type: TypeEnum, Ops: enumOps, Values: ticket.Categories},
	{Name: FieldPriority, Type: TypePriority, Ops: priorityOps, Values: ticket.Priorities},
	{Name: FieldTicketType, Type: TypeEnum, Ops: enumOps, Values: ticket.Types},
	{Name: FieldChannel, Type: TypeEnum, Ops: enumOps, Values: ticket.Channels},
	{Name: FieldInboxID, Type: TypeID, Ops: idOps},
	{Name: FieldRequesterID, Type: TypeID, Ops: idOps},
	{Name: FieldOrganizationID, Type: TypeID, Ops: idOps},
	{Name: FieldContactTier, Type: TypeEnum, Ops: enumOps[:6]},
	{Name: FieldTags, Type: TypeList, Ops: listOps},
	{Name: FieldLanguage, Type: TypeEnum, Ops: enumOps[:6], Values: people.Languages},
	{Name: FieldTeamID, Type: TypeID, Ops: idOps},
	{Name: FieldAssigneeID, Type: TypeID, Ops: idOps},
	{Name: FieldBusinessHours, Type: TypeState, Ops: []string{OpIs}, Values: []string{Inside, Outside}},
	{Name: FieldSLA, Type: TypeState, Ops: []string{OpIs, OpIsNot, OpChangedTo}, Values: []string{Warning, Breached}},
	{Name: FieldHoursSince, Type: TypeTime, Ops: []string{OpAtLeast}, Values: SinceEvents, Only: KindAutomation},
	{Name: FieldSLADueWithin, Type: TypeTime, Ops: []string{OpAtLeast}, Values: metricNames(), Only: KindAutomation},
}

// customSpec describes every "custom_fields.KEY" condition.
var customSpec = FieldSpec{Name: CustomPrefix + "*", Type: TypeCustom, Ops: customOps}

// Fields lists the fields conditions may test, in the order a rule builder
// offers them, followed by the pattern of custom fields.
func Fields() []FieldSpec {
	return append(slices.Clone(fields), customSpec)
}

// LookupField returns the spec of a condition's field; a custom field's
// spec carries its full name.
func LookupField(name string) (FieldSpec, bool) {
	if key, ok := strings.CutPrefix(name, CustomPrefix); ok {
		if key == "" {
			return FieldSpec{}, false
		}
		s := customSpec
		s.Name = name
		return s, true
	}
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return FieldSpec{}, false
}

// ValueKind says what an action's value is.
type ValueKind string

// Value kinds of actions.
const (
	ValueEnum        ValueKind = "enum"         // one of Values (status keys are free)
	ValueID          ValueKind = "id"           // a positive integer
	ValueTags        ValueKind = "tags"         // a list of tag names
	ValueText        ValueKind = "text"         // a template (see Render)
	ValueCustomField ValueKind = "custom_field" // CustomFieldValue
	ValueEmail       ValueKind = "email"        // EmailValue
)

// ActionSpec describes one action type.
type ActionSpec struct {
	Type   string    `json:"type"`
	Value  ValueKind `json:"value"`
	Values []string  `json:"values,omitempty"`
}

var actions = []ActionSpec{
	{Type: ActSetStatus, Value: ValueEnum},
	{Type: ActSetPriority, Value: ValueEnum, Values: ticket.Priorities},
	{Type: ActSetType, Value: ValueEnum, Values: ticket.Types},
	{Type: ActAssignTeam, Value: ValueID},
	{Type: ActAssignAgent, Value: ValueID},
	{Type: ActRoute, Value: ValueEnum, Values: Strategies},
	{Type: ActAddTags, Value: ValueTags},
	{Type: ActRemoveTags, Value: ValueTags},
	{Type: ActSetCustomField, Value: ValueCustomField},
	{Type: ActSetSLAPolicy, Value: ValueID},
	{Type: ActAddNote, Value: ValueText},
	{Type: ActSendEmail, Value: ValueEmail, Values: Recipients},
	{Type: ActCallWebhook, Value: ValueID},
}

// Actions lists the action types in the order a rule builder offers them.
func Actions() []ActionSpec { return slices.Clone(actions) }

// LookupAction returns the spec of an action type.
func LookupAction(typ string) (ActionSpec, bool) {
	for _, a := range actions {
		if a.Type == typ {
			return a, true
		}
	}
	return ActionSpec{}, false
}
