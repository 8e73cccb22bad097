package agent

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/ticket"
	"tessera/internal/web/page"
)

// foldAt is how many consecutive changes the thread shows before folding
// them into one collapsed line.
const foldAt = 4

// threadItem is one entry of the thread: a message, or a run of changes.
type threadItem struct {
	Message *ticket.Message
	Events  []eventLine
	Fold    bool // the run is long: collapsed by default
}

// eventLine is one recorded change, described for people.
type eventLine struct {
	ID       int64
	At       time.Time
	Actor    string
	Text     string // "Ana set status to Pending"
	Old, New string // values, for the history
	Kind     string // a CSS hint: status, sla, merge...
	inThread bool
}

// describer turns events into sentences in the viewer's language; every
// name comes from data already read for the page (the directory, the
// statuses, the fields, the links), so describing costs no query.
type describer struct {
	d       *page.Data
	tv      *ticketView
	numbers map[int64]int64 // ticket id → number, from the links
	fields  map[string]string
}

func newDescriber(d *page.Data, tv *ticketView) *describer {
	ds := &describer{d: d, tv: tv, numbers: map[int64]int64{}, fields: map[string]string{}}
	for _, l := range tv.T.Links {
		ds.numbers[l.TicketID] = l.Number
	}
	for _, f := range tv.Fields {
		ds.fields[f.Key] = f.Name
	}
	return ds
}

func (ds *describer) actor(e ticket.Event) string {
	switch e.ActorKind {
	case auth.KindAgent:
		if e.ActorID != nil {
			if a, ok := ds.tv.Dir.Agents[*e.ActorID]; ok {
				return a.Name
			}
		}
		return ds.d.T("ticket.someone")
	case auth.KindContact:
		if e.ActorID != nil && *e.ActorID == ds.tv.T.RequesterID && ds.tv.T.Requester != nil {
			return ds.tv.T.Requester.Name
		}
		return ds.d.T("ticket.customer")
	}
	return ds.d.T("ticket.system")
}

func (ds *describer) ticketRef(idStr string) string {
	id, _ := strconv.ParseInt(idStr, 10, 64)
	if n, ok := ds.numbers[id]; ok {
		return "#" + strconv.FormatInt(n, 10)
	}
	return ds.d.T("ticket.another_ticket")
}

func (ds *describer) idName(field, v string) string {
	if v == "" {
		return ds.d.T("common.none")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return v
	}
	if field == "assignee_id" {
		if a, ok := ds.tv.Dir.Agents[id]; ok {
			return a.Name
		}
	} else if t, ok := ds.tv.Dir.Teams[id]; ok {
		return t.Name
	}
	return "#" + v
}

// value shows a field's value.
// contact names a follower by id: by name and address while they follow,
// by number once they no longer do.
func (ds *describer) contact(id string) string {
	for _, p := range ds.tv.Followers {
		if fmt.Sprint(p.ID) == id {
			if p.Name == "" {
				return p.Email
			}
			return p.Name + " <" + p.Email + ">"
		}
	}
	return ds.d.T("ticket.contact_ref", id)
}

func (ds *describer) value(field, v string) string {
	switch {
	case field == "status":
		return statusLabel(ds.d, ds.tv.Statuses, v)
	case field == "priority":
		return ds.d.T("priority." + v)
	case field == "type":
		if v == "" {
			return ds.d.T("common.none")
		}
		return ds.d.T("ticket.type." + v)
	case field == "assignee_id" || field == "team_id":
		return ds.idName(field, v)
	case strings.HasPrefix(field, "custom_fields."):
		switch v {
		case "true":
			return ds.d.T("common.yes")
		case "false":
			return ds.d.T("common.no")
		}
	case strings.HasPrefix(field, "sla."):
		if v == "" {
			return ""
		}
		return ds.d.T("ticket.sla_state." + v)
	}
	return v
}

func (ds *describer) metric(field string) string {
	return ds.d.T("ticket.sla_metric." + strings.TrimPrefix(field, "sla."))
}

// describe returns the sentence of an event and whether it belongs in the
// thread (the history shows every event).
func (ds *describer) describe(e ticket.Event) eventLine {
	T := ds.d.T
	who := ds.actor(e)
	l := eventLine{ID: e.ID, At: e.CreatedAt, Actor: who, Old: ds.value(e.Field, e.OldValue), New: ds.value(e.Field, e.NewValue), inThread: true}
	switch e.Type {
	case ticket.EventCreated:
		l.Text, l.inThread, l.Kind = T("ticket.ev.created", who), false, "created"
		l.Old = ""
		l.New = statusLabel(ds.d, ds.tv.Statuses, e.NewValue)
	case ticket.EventReply:
		l.Text, l.inThread, l.Kind = T("ticket.ev.reply", who), false, "reply"
	case ticket.EventNote:
		l.Text, l.inThread, l.Kind = T("ticket.ev.note", who), false, "note"
	case ticket.EventMerged:
		l.Text, l.Kind, l.Old, l.New = T("ticket.ev.merged_into", who, ds.ticketRef(e.NewValue)), "merge", "", ds.ticketRef(e.NewValue)
	case ticket.EventMergedFrom:
		l.Text, l.Kind, l.Old, l.New = T("ticket.ev.merged_from", who, ds.ticketRef(e.NewValue)), "merge", "", ds.ticketRef(e.NewValue)
	case ticket.EventLinked:
		l.Text, l.Kind, l.Old, l.New = T("ticket.ev.linked", who, ds.ticketRef(e.NewValue)), "link", "", ds.ticketRef(e.NewValue)
	case ticket.EventFollowUp:
		l.Text, l.Kind, l.Old, l.New = T("ticket.ev.follow_up", "#"+e.NewValue), "link", "", "#"+e.NewValue
	case ticket.EventReopened:
		// The status change recorded with it already shows in the thread.
		l.Text, l.Kind, l.inThread = T("ticket.ev.reopened", who), "status", false
		l.Old, l.New = statusLabel(ds.d, ds.tv.Statuses, e.OldValue), statusLabel(ds.d, ds.tv.Statuses, e.NewValue)
	case ticket.EventPriorityRule:
		l.Text, l.Kind = T("ticket.ev.priority_rule", e.OldValue, ds.d.T("priority."+e.NewValue)), "priority"
		l.Old, l.New = "", ds.d.T("priority."+e.NewValue)
	case ticket.EventSLABreached:
		l.Text, l.Kind = T("ticket.ev.sla_breached", ds.metric(e.Field)), "sla-breached"
	case ticket.EventSLAWarning:
		l.Text, l.Kind, l.Old, l.New = T("ticket.ev.sla_warning", ds.metric(e.Field)), "sla-warn", "", ds.d.Time(parseTime(e.NewValue))
	case ticket.EventSLA:
		l.Kind = "sla"
		switch e.NewValue {
		case "":
			l.Text = T("ticket.ev.sla_removed", ds.metric(e.Field))
		default:
			l.Text = T("ticket.ev.sla_state", ds.metric(e.Field), ds.value(e.Field, e.NewValue))
		}
		// Clocks starting, pausing and resuming follow from other
		// changes already in the thread; only their outcome is news.
		l.inThread = e.NewValue == "achieved"
	case ticket.EventFollower:
		l.Kind, l.inThread = "follower", false
		if e.NewValue != "" {
			l.Text, l.Old, l.New = T("ticket.ev.follower_added", who, ds.contact(e.NewValue)), "", ds.contact(e.NewValue)
		} else {
			l.Text, l.Old, l.New = T("ticket.ev.follower_removed", who, ds.contact(e.OldValue)), ds.contact(e.OldValue), ""
		}
	case ticket.EventField:
		l.Kind = e.Field
		ds.fieldChange(e, &l)
	default:
		l.Text = T("ticket.ev.other", who, e.Type)
	}
	return l
}

func (ds *describer) fieldChange(e ticket.Event, l *eventLine) {
	T, who := ds.d.T, l.Actor
	switch {
	case e.Field == "status":
		l.Text = T("ticket.ev.status", who, l.New)
	case e.Field == "priority":
		l.Text = T("ticket.ev.priority", who, l.New)
	case e.Field == "type":
		l.Text = T("ticket.ev.type", who, l.New)
	case e.Field == "subject":
		l.Text = T("ticket.ev.subject", who, e.NewValue)
	case e.Field == "assignee_id" && e.NewValue == "":
		l.Text = T("ticket.ev.unassigned", who)
	case e.Field == "assignee_id":
		l.Text = T("ticket.ev.assigned", who, l.New)
	case e.Field == "team_id" && e.NewValue == "":
		l.Text = T("ticket.ev.no_team", who)
	case e.Field == "team_id":
		l.Text = T("ticket.ev.team", who, l.New)
	case e.Field == "tags" && e.NewValue != "":
		l.Text, l.Old = T("ticket.ev.tag_added", who, e.NewValue), ""
	case e.Field == "tags":
		l.Text, l.New = T("ticket.ev.tag_removed", who, e.OldValue), ""
	case e.Field == "first_reply_at":
		l.Text, l.inThread, l.Kind = T("ticket.ev.first_reply"), false, "sla"
		l.Old, l.New = "", ds.d.Time(parseTime(e.NewValue))
	case strings.HasPrefix(e.Field, "custom_fields."):
		key := strings.TrimPrefix(e.Field, "custom_fields.")
		name := ds.fields[key]
		if name == "" {
			name = key
		}
		if e.NewValue == "" {
			l.Text = T("ticket.ev.field_cleared", who, name)
		} else {
			l.Text = T("ticket.ev.field", who, name, l.New)
		}
		l.Kind = "field"
	default:
		l.Text = T("ticket.ev.field", who, e.Field, e.NewValue)
	}
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// history describes every event, newest first.
func (ds *describer) history(events []ticket.Event) []eventLine {
	out := make([]eventLine, 0, len(events))
	for i := len(events) - 1; i >= 0; i-- {
		out = append(out, ds.describe(events[i]))
	}
	return out
}

// thread folds the changes worth seeing into the messages by time; a
// message and the changes made with it ("send and set Pending") share an
// instant, and the message comes first. Long runs of changes fold.
func (ds *describer) thread(msgs []ticket.Message, events []ticket.Event) []threadItem {
	type entry struct {
		at  time.Time
		msg *ticket.Message
		ev  *eventLine
		seq int
	}
	var all []entry
	for i := range msgs {
		all = append(all, entry{at: msgs[i].CreatedAt, msg: &msgs[i], seq: i})
	}
	for i, e := range events {
		l := ds.describe(e)
		if l.inThread {
			all = append(all, entry{at: e.CreatedAt, ev: &l, seq: len(msgs) + i})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		if (a.msg != nil) != (b.msg != nil) {
			return a.msg != nil
		}
		return a.seq < b.seq
	})
	var out []threadItem
	for _, e := range all {
		if e.msg != nil {
			out = append(out, threadItem{Message: e.msg})
			continue
		}
		if n := len(out); n > 0 && out[n-1].Message == nil {
			out[n-1].Events = append(out[n-1].Events, *e.ev)
			continue
		}
		out = append(out, threadItem{Events: []eventLine{*e.ev}})
	}
	for i := range out {
		out[i].Fold = len(out[i].Events) >= foldAt
	}
	return out
}
