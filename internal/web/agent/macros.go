package agent

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/macro"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
	"tessera/internal/web/page"
)

// Macros in the workspace (feature kbmacros): the list of the macros an
// agent may use (shared ones, and their own), the form that writes one
// with its translations and actions, and the picker in the ticket's
// composer. Who may write what is the macro service's rule: an agent's
// attempt to share a macro comes back as an error on the form.

func (h *Handler) registerMacros(mux *http.ServeMux) {
	s := h.Site
	mux.HandleFunc("GET /macros", s.Agent(h.macroList))
	mux.HandleFunc("GET /macros/new", s.Agent(h.macroNew))
	mux.HandleFunc("POST /macros", s.Agent(h.macroCreate))
	mux.HandleFunc("GET /macros/{id}", s.Agent(h.macroEdit))
	mux.HandleFunc("POST /macros/{id}", s.Agent(h.macroUpdate))
	mux.HandleFunc("POST /macros/{id}/delete", s.Agent(h.macroDelete))
	mux.HandleFunc("POST /tickets/{id}/macros/{mid}/apply", s.Agent(h.macroApply))
	mux.HandleFunc("POST /macros/{id}/files/upload", s.Agent(h.macroFileUpload))
	mux.HandleFunc("POST /macros/{id}/files/{fid}/delete", s.Agent(h.macroFileDelete))
	mux.HandleFunc("GET /macros/{id}/files/{fid}", s.Agent(h.macroFileGet))
}

type macroListPage struct {
	Query   string
	Shared  []macro.Macro
	Mine    []macro.Macro
	IsAdmin bool
}

func (h *Handler) macroList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	p := macroListPage{Query: strings.TrimSpace(r.URL.Query().Get("q")), IsAdmin: v.Actor.IsAdmin()}
	all, err := h.Site.App.Macros.List(ctx, v.Actor, macro.ListOptions{Query: p.Query})
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	for _, m := range all {
		if m.Shared {
			p.Shared = append(p.Shared, m)
		} else {
			p.Mine = append(p.Mine, m)
		}
	}
	h.renderMacros(w, r, http.StatusOK, "agent/macros", "macros.title", p)
}

func (h *Handler) renderMacros(w http.ResponseWriter, r *http.Request, status int, name, title string, p any) {
	ctx := r.Context()
	d := h.Site.NewData(r, "")
	d.Title = d.T(title)
	d.Nav = "macros"
	var err error
	if d.Sidebar, err = h.sidebar(ctx, page.ViewerFrom(ctx), ""); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.Site.TakeFlash(w, r, d)
	d.Page = p
	h.Site.Render(w, status, name, d)
}

// macroFormPage is the macro editor. The actions are a fixed set of
// inputs, one per kind of action, so the form works without a script.
type macroFormPage struct {
	Macro    *macro.Macro // nil for a new one
	Form     *adminForm
	Refused  *adminForm
	Locales  []string
	Statuses []ticket.Status
	// Priorities, Agents and Teams fill the actions' choices.
	Priorities []string
	Agents     []people.Agent
	Teams      []people.Team
	IsAdmin    bool
	CanAct     bool // light agents write macros without actions
	// Placeholders are listed under the text, for the author to copy.
	Placeholders []string
	Files        []macro.File
}

func (h *Handler) renderMacroForm(w http.ResponseWriter, r *http.Request, m *macro.Macro, f *adminForm) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	app := h.Site.App
	p := macroFormPage{Macro: m, Form: f, Refused: f, Locales: macro.Locales, Priorities: ticket.Priorities, IsAdmin: v.Actor.IsAdmin(),
		CanAct: v.Actor.CanEditTickets(), Placeholders: append(slices.Clone(macro.Placeholders), "ticket.custom_fields.KEY")}
	var err error
	if p.Statuses, err = app.Tickets.Statuses(ctx); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	p.Statuses = slices.DeleteFunc(p.Statuses, func(s ticket.Status) bool { return !s.Active || s.Category == ticket.StatusNew })
	agents, err := app.People.ListAgents(ctx)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	for _, a := range agents {
		if a.Active && a.Role != auth.RoleLight {
			p.Agents = append(p.Agents, a)
		}
	}
	if p.Teams, err = app.People.ListTeams(ctx); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	title := "macros.new"
	if m != nil {
		title = "macros.edit"
		if p.Files, err = h.Site.App.Macros.Files(ctx, v.Actor, m.ID); err != nil {
			h.Site.Fail(w, r, err)
			return
		}
	}
	status := http.StatusOK
	if f.Invalid() {
		status = http.StatusUnprocessableEntity
	}
	h.renderMacros(w, r, status, "agent/macro_form", title, p)
}

// macroValues puts a macro on the form: its text per language, and each
// action in its input.
func macroValues(m macro.Macro) *adminForm {
	f := newAdminForm(nil)
	f.Values.Set("name", m.Name)
	f.Values.Set("locale", m.Locale)
	f.Values.Set("body", m.Body)
	for l, t := range m.Translations {
		f.Values.Set("translations."+l, t)
	}
	f.Values.Set("shared", boolValue(m.Shared))
	f.Values.Set("active", boolValue(m.Active))
	for _, a := range m.Actions {
		switch v := a.Value.(type) {
		case string:
			f.Values.Set(a.Type, v)
		case []string:
			f.Values.Set(a.Type, strings.Join(v, ", "))
		case int64:
			f.Values.Set(a.Type, strconv.FormatInt(v, 10))
		case nil:
			f.Values.Set(a.Type, unassign)
		}
	}
	return f
}

// unassign is the choice of an assign action that takes the assignee or
// team away.
const unassign = "none"

// macroInput reads the form: the text in the macro's language is the
// body; the other languages' are translations.
func macroInput(f *adminForm, isAdmin bool) macro.MacroInput {
	name, locale, body := f.Get("name"), f.Get("locale"), f.Get("body")
	tr := map[string]string{}
	for _, l := range macro.Locales {
		if t := f.Get("translations." + l); l != locale && strings.TrimSpace(t) != "" {
			tr[l] = t
		}
	}
	actions := []macro.MacroAction{}
	for _, typ := range macro.ActionTypes {
		v := strings.TrimSpace(f.Get(typ))
		switch {
		case v == "":
		case (typ == macro.AssignAgent || typ == macro.AssignTeam) && v == unassign:
			actions = append(actions, macro.MacroAction{Type: typ})
		default:
			actions = append(actions, macro.MacroAction{Type: typ, Value: v})
		}
	}
	active := f.On("active")
	in := macro.MacroInput{Name: &name, Locale: &locale, Body: &body, Translations: &tr, Actions: &actions, Active: &active}
	if isAdmin {
		shared := f.On("shared")
		in.Shared = &shared
	}
	return in
}

// macroAlias shows an error where its input is: actions[2].value is the
// input of the third action's type.
func macroAlias(in macro.MacroInput) func(field, detail string) (string, string) {
	return func(field, detail string) (string, string) {
		if rest, ok := strings.CutPrefix(field, "actions["); ok {
			n, _, _ := strings.Cut(rest, "]")
			if i, err := strconv.Atoi(n); err == nil && in.Actions != nil && i < len(*in.Actions) {
				return (*in.Actions)[i].Type, detail
			}
		}
		return field, detail
	}
}

// macroRefused puts a refusal on the form: field errors under their
// inputs, and a forbidden share on the shared checkbox.
func (h *Handler) macroRefused(w http.ResponseWriter, r *http.Request, f *adminForm, in macro.MacroInput, err error) bool {
	if errors.Is(err, auth.ErrForbidden) {
		f.add("shared", h.Site.NewData(r, "").T("macros.forbidden"))
		return true
	}
	return f.refused(err, macroAlias(in))
}

func (h *Handler) macroNew(w http.ResponseWriter, r *http.Request) {
	f := newAdminForm(nil)
	f.Values.Set("locale", h.Site.NewData(r, "").Lang())
	f.Values.Set("active", "1")
	h.renderMacroForm(w, r, nil, f)
}

func (h *Handler) macroCreate(w http.ResponseWriter, r *http.Request) {
	actor := page.ViewerFrom(r.Context()).Actor
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	in := macroInput(f, actor.IsAdmin())
	m, err := h.Site.App.Macros.Create(r.Context(), actor, in)
	if err != nil {
		if !h.macroRefused(w, r, f, in, err) {
			h.Site.Fail(w, r, err)
			return
		}
		h.renderMacroForm(w, r, nil, f)
		return
	}
	adminDone(w, r, "macros.saved", "/macros/"+strconv.FormatInt(m.ID, 10))
}

func (h *Handler) macroByPath(w http.ResponseWriter, r *http.Request) (*macro.Macro, bool) {
	actor := page.ViewerFrom(r.Context()).Actor
	return byPathID(h, w, r, func(ctx context.Context, id int64) (macro.Macro, error) {
		return h.Site.App.Macros.Get(ctx, actor, id)
	})
}

func (h *Handler) macroEdit(w http.ResponseWriter, r *http.Request) {
	m, ok := h.macroByPath(w, r)
	if !ok {
		return
	}
	h.renderMacroForm(w, r, m, macroValues(*m))
}

func (h *Handler) macroUpdate(w http.ResponseWriter, r *http.Request) {
	actor := page.ViewerFrom(r.Context()).Actor
	m, ok := h.macroByPath(w, r)
	if !ok {
		return
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	in := macroInput(f, actor.IsAdmin())
	if _, err := h.Site.App.Macros.Update(r.Context(), actor, m.ID, in); err != nil {
		if !h.macroRefused(w, r, f, in, err) {
			h.Site.Fail(w, r, err)
			return
		}
		h.renderMacroForm(w, r, m, f)
		return
	}
	adminDone(w, r, "macros.saved", "/macros/"+strconv.FormatInt(m.ID, 10))
}

func (h *Handler) macroDelete(w http.ResponseWriter, r *http.Request) {
	actor := page.ViewerFrom(r.Context()).Actor
	m, ok := h.macroByPath(w, r)
	if !ok {
		return
	}
	if err := h.Site.App.Macros.Delete(r.Context(), actor, m.ID); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, "macros.deleted", "/macros")
}

// macroPicker is the composer's macro search: the macros found, and the
// one chosen, rendered for this ticket, before it is applied.
type macroPicker struct {
	Open    bool
	Query   string
	Found   []macro.Macro
	Chosen  *macro.Applied
	Actions []string // the chosen macro's actions, in words
}

// loadMacroPicker fills the picker from the page's query: macro_q searches,
// macro chooses (a preview), compose_macro puts an applied macro's text
// in the composer.
func (h *Handler) loadMacroPicker(r *http.Request, d *page.Data, tv *ticketView) error {
	ctx := r.Context()
	actor := page.ViewerFrom(ctx).Actor
	q := r.URL.Query()
	svc := h.Site.App.Macros
	p := &macroPicker{Query: strings.TrimSpace(q.Get("macro_q"))}
	tv.Macros = p
	if !tv.CanWrite {
		return nil
	}
	found, err := svc.List(ctx, actor, macro.ListOptions{Query: p.Query, ActiveOnly: true, TextOnly: !actor.CanEditTickets()})
	if err != nil {
		return err
	}
	p.Found = found[:min(len(found), 15)]
	p.Open = q.Has("macro_q") || q.Has("macro")
	if id, err := strconv.ParseInt(q.Get("macro"), 10, 64); err == nil && id > 0 {
		res, err := svc.Apply(ctx, actor, tv.T.ID, id, true)
		if err != nil && !gone(err) {
			return err
		}
		if err == nil {
			p.Chosen = &res
			p.Actions = describeActions(d, tv, res.Actions)
		}
	}
	if id, err := strconv.ParseInt(q.Get("compose_macro"), 10, 64); err == nil && id > 0 {
		res, err := svc.Apply(ctx, actor, tv.T.ID, id, true)
		if err != nil && !gone(err) {
			return err
		}
		if err != nil {
			return nil
		}
		tv.Compose.Body = res.Body
		if len(res.Files) > 0 {
			tv.Compose.MacroFiles, tv.Compose.Files = id, res.Files
		}
	}
	return nil
}

// gone reports whether a macro named in the address cannot be used any
// more (deleted, deactivated, not the viewer's): the ticket page shows
// without it rather than failing.
func gone(err error) bool {
	_, invalid := validation.As(err)
	return invalid || errors.Is(err, store.ErrNotFound) || errors.Is(err, auth.ErrForbidden)
}

// describeActions says what each action does, in the viewer's language.
func describeActions(d *page.Data, tv *ticketView, actions []macro.MacroAction) []string {
	out := make([]string, 0, len(actions))
	for _, a := range actions {
		value := ""
		switch v := a.Value.(type) {
		case string:
			value = v
			if a.Type == macro.SetStatus {
				value = tv.StatusLabel(d, v)
			} else if a.Type == macro.SetPriority {
				value = d.T("priority." + v)
			}
		case []string:
			value = strings.Join(v, ", ")
		case int64:
			value = "#" + strconv.FormatInt(v, 10)
			if a.Type == macro.AssignAgent {
				for _, ag := range tv.Assignees {
					if ag.ID == v {
						value = ag.Name
					}
				}
			} else {
				for _, tm := range tv.Teams {
					if tm.ID == v {
						value = tm.Name
					}
				}
			}
		case nil:
			value = d.T("macros.nobody")
		}
		out = append(out, d.T("macros.action."+a.Type, value))
	}
	return out
}

// macroApply runs a macro's actions on the ticket and returns to the page
// with its text in the composer; the agent reads it and sends it.
func (h *Handler) macroApply(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	actor := page.ViewerFrom(ctx).Actor
	id, ok1 := pathInt(r, "id")
	mid, ok2 := pathInt(r, "mid")
	if !ok1 || !ok2 {
		h.Site.NotFound(w, r)
		return
	}
	res, err := h.Site.App.Macros.Apply(ctx, actor, id, mid, false)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	to := "/tickets/" + strconv.FormatInt(id, 10)
	if strings.TrimSpace(res.Body) != "" || len(res.Files) > 0 {
		to += "?" + url.Values{"compose_macro": {strconv.FormatInt(mid, 10)}}.Encode()
	}
	adminDone(w, r, "macros.applied", to+"#composer")
}

func (h *Handler) macroFileUpload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	actor := page.ViewerFrom(ctx).Actor
	m, ok := h.macroByPath(w, r)
	if !ok {
		return
	}
	p, err := readMessagePost(w, r, h.messageLimit())
	if err == nil {
		_, err = h.Site.App.Macros.Attach(ctx, actor, m.ID, p.Files)
	}
	if err != nil {
		f := macroValues(*m)
		switch ve, ok := validation.As(err); {
		case ok:
			for _, fe := range ve.Fields {
				f.add("files", fe.Field+": "+fe.Detail)
			}
		case errors.Is(err, errTooLarge):
			f.add("files", h.Site.NewData(r, "").T("ticket.err_too_large"))
		case errors.Is(err, auth.ErrForbidden):
			f.add("files", h.Site.NewData(r, "").T("macros.forbidden"))
		default:
			h.Site.Fail(w, r, err)
			return
		}
		h.renderMacroForm(w, r, m, f)
		return
	}
	adminDone(w, r, "macros.files_saved", "/macros/"+strconv.FormatInt(m.ID, 10)+"#files")
}

func (h *Handler) macroFileDelete(w http.ResponseWriter, r *http.Request) {
	actor := page.ViewerFrom(r.Context()).Actor
	m, ok := h.macroByPath(w, r)
	if !ok {
		return
	}
	fid, ok := pathInt(r, "fid")
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	if err := h.Site.App.Macros.DeleteFile(r.Context(), actor, m.ID, fid); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, "macros.file_deleted", "/macros/"+strconv.FormatInt(m.ID, 10)+"#files")
}

// macroFileGet downloads a macro's file; it is never shown as a page.
func (h *Handler) macroFileGet(w http.ResponseWriter, r *http.Request) {
	actor := page.ViewerFrom(r.Context()).Actor
	id, ok1 := pathInt(r, "id")
	fid, ok2 := pathInt(r, "fid")
	if !ok1 || !ok2 {
		h.Site.NotFound(w, r)
		return
	}
	f, data, err := h.Site.App.Macros.FileData(r.Context(), actor, id, fid)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Filename}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
