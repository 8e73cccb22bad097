// Package live serves the browser workspace's live events: a server-sent
// event stream of ticket changes and presence, and the presence heartbeat.
// Who is signed in is the caller's business; these handlers read the actor
// from the request context.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"tessera/internal/auth"
	"tessera/internal/notify"
	"tessera/internal/store"
)

const (
	// pingEvery keeps proxies from closing an idle stream and lets the
	// server notice a client that went away without closing.
	pingEvery = 20 * time.Second
	// writeTimeout bounds one write: a client that stops reading is
	// dropped instead of holding its stream open for ever.
	writeTimeout = 30 * time.Second
	maxForm      = 4 << 10
)

// Handler serves the live endpoints.
type Handler struct {
	Hub *notify.Hub
	Log *slog.Logger
	// Visible, when set, decides whether the actor may see a ticket; Events
	// asks it before streaming the presence of ?ticket=ID and answers 404
	// on an error. Leave it nil only when the route is checked already.
	Visible func(ctx context.Context, actor auth.Actor, ticketID int64) error
}

func (h *Handler) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

func agentFrom(r *http.Request) (auth.Actor, bool) {
	a, ok := auth.ActorFrom(r.Context())
	return a, ok && a.Kind == auth.KindAgent
}

// maySee mirrors the ticket service's visibility rule on the fields a
// signal carries. The former team and assignee count too: a screen that
// listed the ticket must learn that it left.
func maySee(a auth.Actor, s notify.Signal) bool {
	if a.SeesAllTickets() {
		return true
	}
	for _, team := range []*int64{s.TeamID, s.FormerTeamID} {
		if team != nil && slices.Contains(a.TeamIDs, *team) {
			return true
		}
	}
	for _, agent := range []*int64{s.AssigneeID, s.FormerAssigneeID} {
		if agent != nil && *agent == a.ID {
			return true
		}
	}
	return false
}

type ticketEvent struct {
	TicketID  int64  `json:"ticket_id"`
	Type      string `json:"type"`
	ActorKind string `json:"actor_kind"`
	ActorID   int64  `json:"actor_id"`
	// AssigneeID lets a screen single out changes to its agent's own
	// tickets (an SLA breach there deserves a notice; elsewhere, a refresh).
	AssigneeID *int64 `json:"assignee_id"`
}

type viewer struct {
	AgentID int64  `json:"agent_id"`
	Name    string `json:"name"`
	Typing  bool   `json:"typing"`
}

type presenceEvent struct {
	TicketID int64    `json:"ticket_id"`
	Viewers  []viewer `json:"viewers"`
}

// Events streams GET /events[?ticket=ID]: ticket changes the agent may see,
// and the viewers of the ticket named, until the client goes away.
func (h *Handler) Events(w http.ResponseWriter, r *http.Request) {
	actor, ok := agentFrom(r)
	if !ok {
		http.Error(w, "live events are for agents", http.StatusForbidden)
		return
	}
	var ticketID int64
	if v := r.URL.Query().Get("ticket"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			http.Error(w, "ticket: not a ticket id", http.StatusBadRequest)
			return
		}
		ticketID = id
	}
	ctx := r.Context()
	if ticketID != 0 && h.Visible != nil {
		if err := h.Visible(ctx, actor, ticketID); err != nil {
			http.Error(w, "ticket not found", http.StatusNotFound)
			return
		}
	}
	// Subscribe before the first presence is read, so that a change in
	// between is not lost.
	signals, unsubscribe := h.Hub.Subscribe()
	defer unsubscribe()

	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	// nginx buffers responses unless told otherwise.
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The server's write timeout is renewed per write (see stream.send).
	st := &stream{w: w, rc: http.NewResponseController(w)}
	log := h.log().With("agent_id", actor.ID)

	if err := st.send("retry: 3000\n\n"); err != nil {
		log.Debug("live events: stream ended", "err", err)
		return
	}
	if ticketID != 0 {
		if err := h.sendPresence(ctx, st, ticketID); err != nil {
			h.ended(ctx, log, err)
			return
		}
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			err = st.send(": ping\n\n")
		case s, open := <-signals:
			if !open {
				return // the hub stopped: the server is shutting down
			}
			switch s.Kind {
			case notify.KindTicket:
				if maySee(actor, s) {
					err = st.event("ticket", ticketEvent{TicketID: s.TicketID, Type: s.EventType, ActorKind: s.ActorKind, ActorID: s.ActorID, AssigneeID: s.AssigneeID})
				}
			case notify.KindPresence:
				if s.TicketID == ticketID {
					err = h.sendPresence(ctx, st, ticketID)
				}
			case notify.KindResync:
				// Presence may have been among the dropped signals too.
				err = st.event("resync", struct{}{})
				if err == nil && ticketID != 0 {
					err = h.sendPresence(ctx, st, ticketID)
				}
			}
		}
		if err != nil {
			h.ended(ctx, log, err)
			return
		}
	}
}

// ended logs why a stream stopped; a client that left is no news.
func (h *Handler) ended(ctx context.Context, log *slog.Logger, err error) {
	if ctx.Err() != nil {
		return
	}
	log.Debug("live events: stream ended", "err", err)
}

func (h *Handler) sendPresence(ctx context.Context, st *stream, ticketID int64) error {
	vs, err := h.Hub.Viewers(ctx, ticketID)
	if err != nil {
		err = fmt.Errorf("presence of ticket %d: %w", ticketID, err)
		// Unlike a write error this is ours, not the client leaving; the
		// stream ends and the browser reconnects in three seconds.
		if ctx.Err() == nil {
			h.log().Warn("live events", "err", err)
		}
		return err
	}
	ev := presenceEvent{TicketID: ticketID, Viewers: make([]viewer, len(vs))}
	for i, v := range vs {
		ev.Viewers[i] = viewer{AgentID: v.AgentID, Name: v.Name, Typing: v.Typing}
	}
	return st.event("presence", ev)
}

// stream writes server-sent events and flushes each at once.
type stream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// send renews the write deadline first: the server's WriteTimeout counts
// from the start of the request and would otherwise cut a long stream.
func (st *stream) send(text string) error {
	if err := st.rc.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("write deadline: %w", err)
	}
	if _, err := st.w.Write([]byte(text)); err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	if err := st.rc.Flush(); err != nil {
		return fmt.Errorf("flush event: %w", err)
	}
	return nil
}

// event writes one named event; JSON has no raw newlines, so the data
// fits one data: line.
func (st *stream) event(name string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", name, err)
	}
	return st.send("event: " + name + "\ndata: " + string(b) + "\n\n")
}

var clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Presence handles POST /tickets/{id}/presence: a browser tab's heartbeat
// (client_id, typing=1|0) or its leaving (leave=1). The caller checks that
// the agent may see the ticket.
func (h *Handler) Presence(w http.ResponseWriter, r *http.Request) {
	actor, ok := agentFrom(r)
	if !ok {
		http.Error(w, "presence is for agents", http.StatusForbidden)
		return
	}
	ticketID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || ticketID <= 0 {
		http.Error(w, "not a ticket id", http.StatusBadRequest)
		return
	}
	// Only those who may see a ticket announce themselves on it.
	if h.Visible != nil {
		if err := h.Visible(r.Context(), actor, ticketID); err != nil {
			http.NotFound(w, r)
			return
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	// Browsers send FormData as multipart and URLSearchParams (or a
	// beacon of them) url-encoded; take either.
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		err = r.ParseMultipartForm(maxForm)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		http.Error(w, "unreadable form", http.StatusBadRequest)
		return
	}
	clientID := r.PostForm.Get("client_id")
	if !clientIDPattern.MatchString(clientID) {
		http.Error(w, "client_id: 1 to 64 letters, digits, _ or -", http.StatusBadRequest)
		return
	}
	typing, ok1 := flag(r.PostForm.Get("typing"))
	leave, ok2 := flag(r.PostForm.Get("leave"))
	if !ok1 || !ok2 {
		http.Error(w, "typing and leave: 1 or 0", http.StatusBadRequest)
		return
	}
	if leave {
		err = h.Hub.Leave(r.Context(), ticketID, actor.ID, clientID)
	} else {
		err = h.Hub.Heartbeat(r.Context(), ticketID, actor.ID, clientID, typing)
	}
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, store.ErrReference):
		http.Error(w, "ticket not found", http.StatusNotFound)
	case r.Context().Err() != nil:
		// The tab went away; nobody is left to answer.
	default:
		h.log().Error("presence", "ticket_id", ticketID, "agent_id", actor.ID, "err", err)
		http.Error(w, "presence not recorded", http.StatusInternalServerError)
	}
}

func flag(v string) (on, ok bool) {
	switch v {
	case "1":
		return true, true
	case "", "0":
		return false, true
	}
	return false, false
}
