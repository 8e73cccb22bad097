package api

import (
	"net/http"
	"time"

	"tessera/internal/sla"
	"tessera/internal/sla/clocks"
	"tessera/internal/validation"
)

func (s *Server) slaRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/calendars", Access: Agent, Summary: "List business-hours calendars", Response: List[clocks.Calendar]{}, Status: 200, h: s.listCalendars},
		{Method: "POST", Path: "/api/v1/calendars", Access: Admin, Summary: "Create a business-hours calendar", Request: clocks.CalendarInput{}, Response: clocks.Calendar{}, Status: 201, h: s.createCalendar},
		{Method: "GET", Path: "/api/v1/calendars/{id}", Access: Agent, Summary: "Get a calendar", Response: clocks.Calendar{}, Status: 200, h: s.getCalendar},
		{Method: "PUT", Path: "/api/v1/calendars/{id}", Access: Admin, Summary: "Replace a calendar", Request: clocks.CalendarInput{}, Response: clocks.Calendar{}, Status: 200, h: s.putCalendar},
		{Method: "GET", Path: "/api/v1/sla-policies", Access: Agent, Summary: "List SLA policies in the order they are tried", Response: List[clocks.Policy]{}, Status: 200, h: s.listPolicies},
		{Method: "POST", Path: "/api/v1/sla-policies", Access: Admin, Summary: "Create an SLA policy", Request: clocks.PolicyInput{}, Response: clocks.Policy{}, Status: 201, h: s.createPolicy},
		{Method: "GET", Path: "/api/v1/sla-policies/{id}", Access: Agent, Summary: "Get an SLA policy", Response: clocks.Policy{}, Status: 200, h: s.getPolicy},
		{Method: "PUT", Path: "/api/v1/sla-policies/{id}", Access: Admin, Summary: "Replace an SLA policy", Request: clocks.PolicyInput{}, Response: clocks.Policy{}, Status: 200, h: s.putPolicy},
		{Method: "GET", Path: "/api/v1/priority-rules", Access: Agent, Summary: "List the rules that set the priority of new tickets", Response: List[sla.PriorityRule]{}, Status: 200, h: s.listPriorityRules},
		{Method: "POST", Path: "/api/v1/priority-rules", Access: Admin, Summary: "Create a priority rule (keywords in any language, tier, organization, channel)", Request: clocks.PriorityRuleInput{}, Response: sla.PriorityRule{}, Status: 201, h: s.createPriorityRule},
		{Method: "PUT", Path: "/api/v1/priority-rules/{id}", Access: Admin, Summary: "Replace a priority rule", Request: clocks.PriorityRuleInput{}, Response: sla.PriorityRule{}, Status: 200, h: s.putPriorityRule},
		{Method: "POST", Path: "/api/v1/sla-policies/preview", Access: Agent, Summary: "When would a ticket created now (or at a given time) with these properties be due?",
			Request: previewRequest{}, Response: clocks.Preview{}, Status: 200, h: s.previewPolicy},
	}
}

func (s *Server) listCalendars(w http.ResponseWriter, r *http.Request) error {
	return listAll(w, r, s.App.SLA.Calendars)
}

func (s *Server) createCalendar(w http.ResponseWriter, r *http.Request) error {
	return createFrom(w, r, s.App.SLA.CreateCalendar)
}

func (s *Server) getCalendar(w http.ResponseWriter, r *http.Request) error {
	return getByID(w, r, s.App.SLA.GetCalendar)
}

func (s *Server) putCalendar(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.App.SLA.UpdateCalendar)
}

func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request) error {
	return listAll(w, r, s.App.SLA.Policies)
}

func (s *Server) createPolicy(w http.ResponseWriter, r *http.Request) error {
	return createFrom(w, r, s.App.SLA.CreatePolicy)
}

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) error {
	return getByID(w, r, s.App.SLA.GetPolicy)
}

func (s *Server) putPolicy(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.App.SLA.UpdatePolicy)
}

// previewRequest describes a hypothetical ticket.
type previewRequest struct {
	Priority       string     `json:"priority"`
	Channel        string     `json:"channel,omitempty"`
	Inbox          string     `json:"inbox,omitempty"`
	Type           string     `json:"type,omitempty"`
	Tier           string     `json:"tier,omitempty"`
	TeamID         *int64     `json:"team_id,omitempty"`
	OrganizationID *int64     `json:"organization_id,omitempty"`
	Tags           []string   `json:"tags,omitempty"`
	At             *time.Time `json:"at,omitempty"`
}

func (s *Server) previewPolicy(w http.ResponseWriter, r *http.Request) error {
	var in previewRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Priority == "" {
		return validation.Field("priority", "must be urgent, high, normal or low")
	}
	at := time.Now().UTC().Truncate(time.Second)
	if in.At != nil {
		at = in.At.UTC()
	}
	p, err := s.App.SLA.PreviewFor(r.Context(), sla.Facts{Priority: in.Priority, Channel: in.Channel, Inbox: in.Inbox, Type: in.Type, Tier: in.Tier,
		TeamID: in.TeamID, OrganizationID: in.OrganizationID, Tags: in.Tags}, at)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, p)
}

func (s *Server) listPriorityRules(w http.ResponseWriter, r *http.Request) error {
	return listAll(w, r, s.App.SLA.PriorityRules)
}

func (s *Server) createPriorityRule(w http.ResponseWriter, r *http.Request) error {
	return createFrom(w, r, s.App.SLA.CreatePriorityRule)
}

func (s *Server) putPriorityRule(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.App.SLA.UpdatePriorityRule)
}
