package api

import (
	"net/http"

	"tessera/internal/notify"
	"tessera/internal/people"
	"tessera/internal/ticket"
)

// Routes is the API's route table: method, path, who may call it, and the
// request and response types the OpenAPI document describes.
func (s *Server) Routes() []Route {
	listQuery := []QueryParam{
		{"status", "string", "comma-separated status categories or custom status keys"},
		{"priority", "string", "comma-separated priorities"},
		{"assignee_id", "integer", "agent id; 0 for unassigned"},
		{"assignee_email", "string", "agent email"},
		{"team_id", "integer", "team id; 0 for no team"},
		{"tag", "string", "a tag"},
		{"requester_id", "integer", "contact id"},
		{"organization_id", "integer", "organization id"},
		{"inbox_id", "integer", "the inbox the ticket came in through"},
		{"created_from", "string", "RFC 3339 time, inclusive"},
		{"created_to", "string", "RFC 3339 time, exclusive"},
		{"updated_from", "string", "RFC 3339 time, inclusive"},
		{"updated_to", "string", "RFC 3339 time, exclusive"},
		{"sort", "string", "updated (default), created, priority (desc: urgent first) or sla (next SLA due time; tickets without one last in either order)"},
		{"order", "string", "desc (default) or asc"},
		{"cursor", "string", "next_cursor of the previous page"},
		{"limit", "integer", "page size, 1 to 100 (default 25)"},
		// ticket list CSV (issue 8)
		{"format", "string", "csv for the whole list from the cursor on as CSV (as does Accept: text/csv), at most 100,000 rows, times in tz or the agent's zone"},
		{"tz", "string", "IANA time zone of the CSV's times"},
	}
	page := []QueryParam{{"cursor", "string", "next_cursor of the previous page"}, {"limit", "integer", "page size, 1 to 100"}}
	routes := []Route{
		{Method: "GET", Path: "/api/v1/openapi.json", Access: Public, Summary: "This API's OpenAPI 3.1 document", Status: 200, h: s.openapi},

		{Method: "GET", Path: "/api/v1/tickets", Access: Agent, Summary: "List tickets (a view): filters, sort, keyset pages; or the whole list as CSV", Response: List[ticket.Ticket]{}, Status: 200, Query: listQuery, h: s.listTickets},
		{Method: "POST", Path: "/api/v1/tickets", Access: Agent, Summary: "Create a ticket", Request: createTicketRequest{}, Response: ticket.Ticket{}, Status: 201, Idempotent: true, h: s.createTicket},
		{Method: "GET", Path: "/api/v1/tickets/{id}", Access: Agent, Summary: "Get a ticket", Response: ticket.Ticket{}, Status: 200, h: s.getTicket},
		{Method: "PATCH", Path: "/api/v1/tickets/{id}", Access: Agent, Summary: "Change a ticket's fields", Request: patchTicketRequest{}, Response: ticket.Ticket{}, Status: 200, h: s.patchTicket},
		{Method: "GET", Path: "/api/v1/tickets/{id}/messages", Access: Agent, Summary: "A ticket's thread, oldest first", Response: List[ticket.Message]{}, Status: 200, h: s.listMessages},
		{Method: "POST", Path: "/api/v1/tickets/{id}/messages", Access: Agent, Summary: "Add a public reply or an internal note (JSON, or multipart/form-data with files)", Request: messageRequest{}, Form: messageForm, Response: ticket.MessageResult{}, Status: 201, Idempotent: true, h: s.addMessage},
		{Method: "GET", Path: "/api/v1/tickets/{id}/events", Access: Agent, Summary: "A ticket's history of changes", Response: List[ticket.Event]{}, Status: 200, Query: []QueryParam{{"cursor", "string", "next_cursor of the previous page"}, {"limit", "integer", "page size, 1 to 500"}}, h: s.listEvents},
		{Method: "POST", Path: "/api/v1/tickets/{id}/merge", Access: Agent, Summary: "Merge this ticket into another", Request: mergeRequest{}, Response: ticket.Ticket{}, Status: 200, h: s.mergeTicket},
		{Method: "POST", Path: "/api/v1/tickets/{id}/links", Access: Agent, Summary: "Link a related ticket", Request: linkRequest{}, Response: ticket.Ticket{}, Status: 200, h: s.linkTicket},
		{Method: "GET", Path: "/api/v1/tickets/{id}/followers", Access: Agent, Summary: "List the contacts who get the ticket's public replies besides the requester", Response: List[ticket.Person]{}, Status: 200, h: s.listFollowers},
		{Method: "POST", Path: "/api/v1/tickets/{id}/followers", Access: Agent, Summary: "Add followers by contact id or email address (a new address becomes a contact)", Request: followersRequest{}, Response: List[ticket.Person]{}, Status: 200, h: s.addFollowers},
		{Method: "DELETE", Path: "/api/v1/tickets/{id}/followers/{contact_id}", Access: Agent, Summary: "Stop a contact following the ticket", Status: 204, h: s.removeFollower},
		{Method: "GET", Path: "/api/v1/attachments/{id}", Access: Agent, Summary: "Download an attachment", Status: 200, h: s.getAttachment},
		{Method: "GET", Path: "/api/v1/search", Access: Agent, Summary: "Full-text search over tickets and their messages", Response: ticket.SearchResult{}, Status: 200,
			Query: []QueryParam{{"q", "string", "words to find (accents and case ignored); #1042 finds by number"}, {"cursor", "string", "next_cursor of the previous page"}, {"limit", "integer", "1 to 50 (default 20)"}}, h: s.search},

		{Method: "GET", Path: "/api/v1/contacts", Access: Agent, Summary: "List contacts", Response: List[people.Contact]{}, Status: 200,
			Query: append([]QueryParam{{"q", "string", "name or identity prefix"}, {"organization_id", "integer", "organization"}}, page...), h: s.listContacts},
		{Method: "POST", Path: "/api/v1/contacts", Access: Agent, Summary: "Create a contact", Request: people.ContactInput{}, Response: people.Contact{}, Status: 201, Idempotent: true, h: s.createContact},
		{Method: "GET", Path: "/api/v1/contacts/{id}", Access: Agent, Summary: "Get a contact", Response: people.Contact{}, Status: 200, h: s.getContact},
		{Method: "PATCH", Path: "/api/v1/contacts/{id}", Access: Agent, Summary: "Change a contact's details (not its identities)", Request: contactPatchRequest{}, Response: people.Contact{}, Status: 200, h: s.patchContact},
		{Method: "GET", Path: "/api/v1/organizations", Access: Agent, Summary: "List organizations", Response: List[people.Organization]{}, Status: 200, Query: page, h: s.listOrganizations},
		{Method: "POST", Path: "/api/v1/organizations", Access: Agent, Summary: "Create an organization", Request: people.OrganizationInput{}, Response: people.Organization{}, Status: 201, Idempotent: true, h: s.createOrganization},
		{Method: "GET", Path: "/api/v1/organizations/{id}", Access: Agent, Summary: "Get an organization", Response: people.Organization{}, Status: 200, h: s.getOrganization},

		{Method: "GET", Path: "/api/v1/me", Access: Agent, Summary: "The agent behind the token", Response: people.Agent{}, Status: 200, h: s.me},
		{Method: "GET", Path: "/api/v1/notifications", Access: Agent, Summary: "Your notifications, newest first", Response: List[notify.Notification]{}, Status: 200, Query: page, h: s.notifications},
		{Method: "GET", Path: "/api/v1/agents", Access: Agent, Summary: "List agents", Response: List[people.Agent]{}, Status: 200, h: s.listAgents},
		{Method: "POST", Path: "/api/v1/agents", Access: Admin, Summary: "Create an agent", Request: people.AgentInput{}, Response: people.Agent{}, Status: 201, h: s.createAgent},
		{Method: "GET", Path: "/api/v1/agents/{id}", Access: Agent, Summary: "Get an agent", Response: people.Agent{}, Status: 200, h: s.getAgent},
		{Method: "PATCH", Path: "/api/v1/agents/{id}", Access: Agent, Summary: "Change an agent (admins; agents change their own profile)", Request: people.AgentInput{}, Response: people.Agent{}, Status: 200, h: s.patchAgent},
		{Method: "GET", Path: "/api/v1/teams", Access: Agent, Summary: "List teams", Response: List[people.Team]{}, Status: 200, h: s.listTeams},
		{Method: "POST", Path: "/api/v1/teams", Access: Admin, Summary: "Create a team", Request: people.TeamInput{}, Response: people.Team{}, Status: 201, h: s.createTeam},
		{Method: "GET", Path: "/api/v1/teams/{id}", Access: Agent, Summary: "Get a team", Response: people.Team{}, Status: 200, h: s.getTeam},
		{Method: "GET", Path: "/api/v1/tags", Access: Agent, Summary: "List tags", Response: List[string]{}, Status: 200,
			Query: []QueryParam{{"prefix", "string", "tags starting with this"}, {"limit", "integer", "1 to 500"}}, h: s.listTags},
		{Method: "GET", Path: "/api/v1/custom-fields", Access: Agent, Summary: "List custom field definitions", Response: List[ticket.FieldDef]{}, Status: 200, h: s.listFields},
		{Method: "POST", Path: "/api/v1/custom-fields", Access: Admin, Summary: "Define a custom field", Request: fieldRequest{}, Response: ticket.FieldDef{}, Status: 201, h: s.createField},
		{Method: "GET", Path: "/api/v1/statuses", Access: Agent, Summary: "List statuses", Response: List[ticket.Status]{}, Status: 200, h: s.listStatuses},
		{Method: "POST", Path: "/api/v1/statuses", Access: Admin, Summary: "Add a custom status inside a category", Request: statusRequest{}, Response: ticket.Status{}, Status: 201, h: s.createStatus},
	}
	routes = append(routes, s.portalRoutes()...)
	routes = append(routes, s.slaRoutes()...)
	routes = append(routes, s.kbRoutes()...)
	routes = append(routes, s.reportRoutes()...)
	routes = append(routes, s.routeHookRoutes()...) // routing and webhooks (issue 6)
	routes = append(routes, s.ruleRoutes()...)      // triggers and automations (issue 6)
	routes = append(routes, s.mailOutRoutes()...)   // email channel, outbound
	routes = append(routes, s.macroRoutes()...)     // feature kbmacros
	routes = append(routes, s.mailInRoutes()...)    // mail in (issue 4)
	return append(routes, s.inboxRoutes()...)
}

func ok(w http.ResponseWriter, status int, v any) error { return writeJSON(w, status, v) }
