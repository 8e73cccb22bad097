package portal

import (
	"errors"
	"net/http"
	"time"

	"tessera/internal/report"
	"tessera/internal/validation"
	"tessera/internal/web/page"
)

// registerSurvey mounts the satisfaction survey: a signed link mailed when
// a ticket is solved, answered without signing in.
func (h *Handler) registerSurvey(mux *http.ServeMux, p func(http.HandlerFunc) http.HandlerFunc) {
	mux.HandleFunc("GET /help/survey/{token}", p(h.surveyForm))
	mux.HandleFunc("POST /help/survey/{token}", p(h.surveyAnswer))
}

type surveyPage struct {
	report.Survey
	Token   string
	Rating  string
	Comment string
	Errors  map[string]string
}

// Err is a field's error message.
func (p surveyPage) Err(field string) string { return p.Errors[field] }

func (h *Handler) surveyForm(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	v, err := h.Site.App.Reports.Survey(r.Context(), tok, time.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rating := v.Rating
	if q := r.URL.Query().Get("rating"); rating == "" && (q == report.Good || q == report.Bad) {
		rating = q // the mail's one-click links preselect the answer
	}
	d := h.data(w, r, "csat.survey.title", "")
	d.Page = surveyPage{Survey: v, Token: tok, Rating: rating, Comment: v.Comment}
	h.render(w, http.StatusOK, "portal/survey", d)
}

func (h *Handler) surveyAnswer(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	rating, comment := r.PostFormValue("rating"), r.PostFormValue("comment")
	v, err := h.Site.App.Reports.Answer(r.Context(), tok, rating, comment, time.Now())
	if ve, ok := validation.As(err); ok {
		cur, err := h.Site.App.Reports.Survey(r.Context(), tok, time.Now())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d := h.data(w, r, "csat.survey.title", "")
		p := surveyPage{Survey: cur, Token: tok, Rating: rating, Comment: comment, Errors: map[string]string{}}
		for _, f := range ve.Fields {
			p.Errors[f.Field] = d.T("csat.survey.error." + f.Field)
		}
		d.Page = p
		h.render(w, http.StatusUnprocessableEntity, "portal/survey", d)
		return
	}
	if errors.Is(err, report.ErrSurveyClosed) {
		d := h.data(w, r, "csat.survey.title", "")
		d.Error = d.T("csat.survey.closed")
		d.Page = surveyPage{Survey: v, Token: tok, Rating: v.Rating, Comment: v.Comment}
		h.render(w, http.StatusConflict, "portal/survey", d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page.SetFlash(w, "csat.survey.thanks")
	page.Redirect(w, r, "/help/survey/"+tok)
}
