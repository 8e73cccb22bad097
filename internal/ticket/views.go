package ticket

import "tessera/internal/auth"

// View is a named filter of the workspace. The built-in views are the
// queues every help desk starts with; agents add their own (saved views).
type View struct {
	Key    string // URL name: /views/{key}
	Label  string // message key of its name
	Filter Filter
}

// Unsolved are the status categories still needing work.
var Unsolved = []string{StatusNew, StatusOpen, StatusPending, StatusOnHold}

// BuiltinViews are the standard views for an agent, in sidebar order.
func BuiltinViews(actor auth.Actor) []View {
	me := actor.ID
	none := int64(0)
	teams := actor.TeamIDs
	if len(teams) == 0 {
		teams = []int64{-1} // no team: the view is empty, not "all"
	}
	return []View{
		{Key: "mine", Label: "view.mine", Filter: Filter{AssigneeID: &me, Status: Unsolved}},
		{Key: "unassigned", Label: "view.unassigned", Filter: Filter{AssigneeID: &none, Status: Unsolved}},
		{Key: "teams", Label: "view.teams", Filter: Filter{TeamIDs: teams, Status: Unsolved}},
		{Key: "open", Label: "view.open", Filter: Filter{Status: []string{StatusNew, StatusOpen}}},
		{Key: "pending", Label: "view.pending", Filter: Filter{Status: []string{StatusPending}}},
		{Key: "on_hold", Label: "view.on_hold", Filter: Filter{Status: []string{StatusOnHold}}},
		{Key: "solved", Label: "view.solved", Filter: Filter{Status: []string{StatusSolved}}},
	}
}

// BuiltinView returns the built-in view named key.
func BuiltinView(actor auth.Actor, key string) (View, bool) {
	for _, v := range BuiltinViews(actor) {
		if v.Key == key {
			return v, true
		}
	}
	return View{}, false
}
