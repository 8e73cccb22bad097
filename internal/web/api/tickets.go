package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

type createTicketRequest struct {
	Subject       string                   `json:"subject"`
	Body          string                   `json:"body"`
	Requester     *ticket.RequesterInput   `json:"requester"`
	Status        string                   `json:"status,omitempty"`
	Priority      string                   `json:"priority,omitempty"`
	Type          string                   `json:"type,omitempty"`
	Channel       string                   `json:"channel,omitempty"`
	AssigneeID    *int64                   `json:"assignee_id,omitempty"`
	AssigneeEmail string                   `json:"assignee_email,omitempty"`
	TeamID        *int64                   `json:"team_id,omitempty"`
	Tags          []string                 `json:"tags,omitempty"`
	CustomFields  map[string]any           `json:"custom_fields,omitempty"`
	Attachments   []ticket.AttachmentInput `json:"attachments,omitempty"`
	CreatedAt     *time.Time               `json:"created_at,omitempty"`
}

func (s *Server) assigneeByEmail(r *http.Request, email string) (*int64, error) {
	a, err := s.App.People.AgentByEmail(r.Context(), email)
	if errors.Is(err, store.ErrNotFound) {
		return nil, validation.Field("assignee_email", "no agent has the address %s", email)
	}
	if err != nil {
		if ve, ok := validation.As(err); ok {
			return nil, validation.Field("assignee_email", "%s", ve.Fields[0].Detail)
		}
		return nil, err
	}
	return &a.ID, nil
}

func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) error {
	var req createTicketRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	in := ticket.CreateInput{Subject: req.Subject, Body: req.Body, Requester: req.Requester, Status: req.Status, Priority: req.Priority,
		Type: req.Type, Channel: req.Channel, AssigneeID: req.AssigneeID, TeamID: req.TeamID, Tags: req.Tags, CustomFields: req.CustomFields, Attachments: req.Attachments,
		CreatedAt: req.CreatedAt}
	if req.AssigneeEmail != "" {
		if req.AssigneeID != nil {
			return validation.Field("assignee_email", "give assignee_id or assignee_email, not both")
		}
		id, err := s.assigneeByEmail(r, req.AssigneeEmail)
		if err != nil {
			return err
		}
		in.AssigneeID = id
	}
	t, err := s.App.Tickets.Create(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/tickets/%d", t.ID))
	return ok(w, http.StatusCreated, t)
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) error {
	return getAsActor(w, r, s.App.Tickets.Get)
}

// patchTicketRequest: absent fields stay; assignee_id and team_id may be
// null to clear them.
type patchTicketRequest struct {
	Subject       *string         `json:"subject,omitempty"`
	Status        *string         `json:"status,omitempty"`
	Priority      *string         `json:"priority,omitempty"`
	Type          *string         `json:"type,omitempty"`
	AssigneeID    json.RawMessage `json:"assignee_id,omitempty" openapi:"integer,nullable"`
	AssigneeEmail json.RawMessage `json:"assignee_email,omitempty" openapi:"string,nullable"`
	TeamID        json.RawMessage `json:"team_id,omitempty" openapi:"integer,nullable"`
	Tags          *[]string       `json:"tags,omitempty"`
	AddTags       []string        `json:"add_tags,omitempty"`
	RemoveTags    []string        `json:"remove_tags,omitempty"`
	CustomFields  map[string]any  `json:"custom_fields,omitempty"`
}

func optionalID(field string, raw json.RawMessage) (ticket.Optional[int64], error) {
	if len(raw) == 0 {
		return ticket.Optional[int64]{}, nil
	}
	if string(raw) == "null" {
		return ticket.Optional[int64]{Set: true}, nil
	}
	var id int64
	if err := json.Unmarshal(raw, &id); err != nil || id <= 0 {
		return ticket.Optional[int64]{}, validation.Field(field, "must be a positive integer or null")
	}
	return ticket.Optional[int64]{Set: true, Value: &id}, nil
}

func (s *Server) patchTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req patchTicketRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	in := ticket.UpdateInput{Subject: req.Subject, Status: req.Status, Priority: req.Priority, Type: req.Type, Tags: req.Tags,
		AddTags: req.AddTags, RemoveTags: req.RemoveTags, CustomFields: req.CustomFields}
	if in.AssigneeID, err = optionalID("assignee_id", req.AssigneeID); err != nil {
		return err
	}
	if in.TeamID, err = optionalID("team_id", req.TeamID); err != nil {
		return err
	}
	byEmail := len(req.AssigneeEmail) > 0
	if byEmail {
		if in.AssigneeID.Set {
			return validation.Field("assignee_email", "give assignee_id or assignee_email, not both")
		}
		if string(req.AssigneeEmail) == "null" {
			in.AssigneeID = ticket.Optional[int64]{Set: true} // unassign
		} else {
			var email string
			if err := json.Unmarshal(req.AssigneeEmail, &email); err != nil {
				return validation.Field("assignee_email", "must be an email address or null")
			}
			a, err := s.assigneeByEmail(r, email)
			if err != nil {
				return err
			}
			in.AssigneeID = ticket.Optional[int64]{Set: true, Value: a}
		}
	}
	t, err := s.App.Tickets.Update(r.Context(), actorOf(r), id, in)
	if ve, ok := validation.As(err); ok && byEmail {
		for i := range ve.Fields {
			if ve.Fields[i].Field == "assignee_id" {
				ve.Fields[i].Field = "assignee_email" // name the field the caller sent
			}
		}
	}
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, t)
}

func splitList(v string) []string {
	if v == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func queryID(r *http.Request, name string) (*int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return nil, validation.Field(name, "must be a non-negative integer")
	}
	return &id, nil
}

func queryTime(r *http.Request, name string) (*time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if d, err2 := time.Parse("2006-01-02", v); err2 == nil {
			return &d, nil
		}
		return nil, validation.Field(name, "must be an RFC 3339 time or a date (YYYY-MM-DD)")
	}
	return &t, nil
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := ticket.Filter{Status: splitList(q.Get("status")), Priority: splitList(q.Get("priority")), Tag: q.Get("tag"), Sort: q.Get("sort"), Cursor: q.Get("cursor")}
	var err error
	if f.Limit, err = queryInt(r, "limit", 25, 1, 100); err != nil {
		return err
	}
	switch q.Get("order") {
	case "", "desc":
	case "asc":
		f.Ascending = true
	default:
		return validation.Field("order", "must be asc or desc")
	}
	if f.AssigneeID, err = queryID(r, "assignee_id"); err != nil {
		return err
	}
	if e := q.Get("assignee_email"); e != "" {
		if f.AssigneeID, err = s.assigneeByEmail(r, e); err != nil {
			return err
		}
	}
	if f.TeamID, err = queryID(r, "team_id"); err != nil {
		return err
	}
	for name, dst := range map[string]*int64{"requester_id": &f.RequesterID, "organization_id": &f.OrganizationID} {
		id, err := queryID(r, name)
		if err != nil {
			return err
		}
		if id != nil {
			*dst = *id
		}
	}
	if id, err := queryID(r, "inbox_id"); err != nil {
		return err
	} else if id != nil {
		f.InboxIDs = []int64{*id}
	}
	for name, dst := range map[string]**time.Time{"created_from": &f.CreatedFrom, "created_to": &f.CreatedTo, "updated_from": &f.UpdatedFrom, "updated_to": &f.UpdatedTo} {
		if *dst, err = queryTime(r, name); err != nil {
			return err
		}
	}
	if wantsCSV(r) {
		// The whole list from the cursor on, streamed, up to
		// report.ExportMax rows.
		loc, err := s.zone(r)
		if err != nil {
			return err
		}
		return s.App.Reports.TicketListCSV(r.Context(), s.App.Tickets, actorOf(r), f, loc, 0, &csvResponse{w: w, name: "tickets.csv"})
	}
	page, err := s.App.Tickets.List(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, page)
}

type messageRequest struct {
	Kind        string                   `json:"kind"`
	Body        string                   `json:"body"`
	Status      string                   `json:"status,omitempty"`
	Channel     string                   `json:"channel,omitempty"`
	Attachments []ticket.AttachmentInput `json:"attachments,omitempty"`
}

func (s *Server) addMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req messageRequest
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if req, err = multipartMessage(r); err != nil {
			return err
		}
	} else if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.App.Tickets.AddMessage(r.Context(), actorOf(r), id, ticket.MessageInput{Kind: req.Kind, Body: req.Body, Status: req.Status, Channel: req.Channel, Attachments: req.Attachments})
	if err != nil {
		return err
	}
	return ok(w, http.StatusCreated, res)
}

// Form documents a multipart/form-data request body: its text fields,
// and the name of the parts that carry files.
type Form struct {
	Fields []string
	Files  string
}

// messageForm is the form a message may be sent as instead of JSON.
var messageForm = &Form{Fields: []string{"kind", "body", "status", "channel"}, Files: "attachments"}

// multipartMessage reads a message from a form: kind, body, status,
// channel and any number of files in parts named "attachments".
func multipartMessage(r *http.Request) (messageRequest, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return messageRequest{}, &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: err.Error()}
	}
	var req messageRequest
	text := map[string]*string{"kind": &req.Kind, "body": &req.Body, "status": &req.Status, "channel": &req.Channel}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return req, err
			}
			return req, &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: "malformed multipart body: " + err.Error()}
		}
		name := part.FormName()
		dst, isText := text[name]
		isText = isText && slices.Contains(messageForm.Fields, name) // only what the document says
		switch {
		case part.FileName() != "" && name == messageForm.Files:
		case part.FileName() == "" && isText:
		case part.FileName() != "":
			return req, validation.Field(name, "is not a field of this request; send files as %s", messageForm.Files)
		default:
			return req, validation.Field(name, "is not a field of this request")
		}
		data, err := io.ReadAll(part)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return req, err
			}
			return req, &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: "malformed multipart body: " + err.Error()}
		}
		if isText && part.FileName() == "" {
			*dst = string(data)
			continue
		}
		req.Attachments = append(req.Attachments, ticket.AttachmentInput{Filename: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data})
	}
	return req, nil
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	msgs, err := s.App.Tickets.Messages(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(msgs, ""))
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 200, 1, 500)
	if err != nil {
		return err
	}
	var after int64
	if c := r.URL.Query().Get("cursor"); c != "" {
		if after, err = strconv.ParseInt(c, 10, 64); err != nil || after < 0 {
			return validation.Field("cursor", "is not a cursor from this API")
		}
	}
	ev, err := s.App.Tickets.Events(r.Context(), actorOf(r), id, after, limit+1)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, pageOf(ev, limit, func(e ticket.Event) int64 { return e.ID }))
}

type mergeRequest struct {
	Into int64 `json:"into"`
}

func (s *Server) mergeTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req mergeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Into <= 0 {
		return validation.Field("into", "must be the id of the ticket to merge into")
	}
	t, err := s.App.Tickets.Merge(r.Context(), actorOf(r), id, req.Into)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, t)
}

type linkRequest struct {
	TicketID int64 `json:"ticket_id"`
}

func (s *Server) linkTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req linkRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.TicketID <= 0 {
		return validation.Field("ticket_id", "must be the id of the ticket to link")
	}
	t, err := s.App.Tickets.Link(r.Context(), actorOf(r), id, req.TicketID)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, t)
}

func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, data, err := s.App.Tickets.AttachmentData(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	// Never render uploaded content inline as a page of ours.
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("ETag", `"`+a.SHA256+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, err = w.Write(data)
	return err
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 20, 1, 50)
	if err != nil {
		return err
	}
	res, err := s.App.Tickets.Search(r.Context(), actorOf(r), r.URL.Query().Get("q"), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, res)
}

type fieldRequest struct {
	Key      string   `json:"key"`
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Options  []string `json:"options,omitempty"`
	Required bool     `json:"required,omitempty"`
	Portal   bool     `json:"portal,omitempty"`
	Position int      `json:"position,omitempty"`
}

func (s *Server) listFields(w http.ResponseWriter, r *http.Request) error {
	return listAll(w, r, s.App.Tickets.Fields)
}

func (s *Server) createField(w http.ResponseWriter, r *http.Request) error {
	var req fieldRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	f, err := s.App.Tickets.CreateField(r.Context(), actorOf(r), ticket.FieldDef{Key: req.Key, Name: req.Name, Kind: req.Kind, Options: req.Options, Required: req.Required, Portal: req.Portal, Position: req.Position})
	if err != nil {
		return err
	}
	return ok(w, http.StatusCreated, f)
}

type statusRequest struct {
	Key      string `json:"key"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Position int    `json:"position,omitempty"`
}

func (s *Server) listStatuses(w http.ResponseWriter, r *http.Request) error {
	return listAll(w, r, s.App.Tickets.Statuses)
}

func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) error {
	var req statusRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	st, err := s.App.Tickets.CreateStatus(r.Context(), actorOf(r), ticket.Status{Key: req.Key, Name: req.Name, Category: req.Category, Position: req.Position})
	if err != nil {
		return err
	}
	return ok(w, http.StatusCreated, st)
}

func (s *Server) listTags(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	tags, err := s.App.Tickets.Tags(r.Context(), r.URL.Query().Get("prefix"), limit)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(tags, ""))
}
