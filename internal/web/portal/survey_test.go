package portal_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"tessera/internal/report"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

// TestSurvey solves a ticket, follows the mailed survey link signed out,
// answers, changes the answer, and finds the rating in the reports.
func TestSurvey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		c := e.contact("rita@example.com", "Rita", "pt-BR")
		tk := e.ticketFor(c, "Impressora")
		solved := "solved"
		if _, err := e.f.Tickets.Update(ctx, e.f.Agent, tk.ID, ticket.UpdateInput{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		var link string
		for _, m := range e.mails() {
			if m.To == "rita@example.com" && strings.Contains(m.Link, "/help/survey/tss_") {
				link = m.Link
				if !strings.Contains(m.Subject, "Como foi") || !strings.Contains(m.Text, link) {
					t.Errorf("survey mail not in the customer's language or without its link: %+v", m)
				}
			}
		}
		if link == "" {
			t.Fatalf("no survey mail: %+v", e.mails())
		}
		u, _ := url.Parse(link)
		path := u.Path

		r := e.get(path+"?rating=good", "")
		if r.Code != 200 || !strings.Contains(r.Body, "Impressora") || !strings.Contains(r.Body, `value="good" required checked`) {
			t.Fatalf("survey page: %s", r)
		}
		if r := e.get("/help/survey/tss_nope", ""); r.Code != 404 {
			t.Errorf("unknown survey: %d", r.Code)
		}
		if r := e.post(path, "", url.Values{"rating": {"meh"}, "comment": {"keep me"}}); r.Code != 422 || !strings.Contains(r.Body, "keep me") || !strings.Contains(r.Body, `id="rating-error"`) {
			t.Errorf("bad rating: %s", r)
		}
		if r := e.post(path, "", url.Values{"rating": {"good"}}); r.Code != http.StatusSeeOther {
			t.Fatalf("answer: %s", r)
		}
		if r := e.post(path, "", url.Values{"rating": {"bad"}, "comment": {"Demorou"}}); r.Code != http.StatusSeeOther {
			t.Fatalf("change: %s", r)
		}
		rt, err := e.f.Reports.Rating(ctx, tk.ID)
		if err != nil || rt == nil || rt.Rating != "bad" || rt.Comment != "Demorou" || rt.AgentID == nil || *rt.AgentID != e.f.Agent.ID {
			t.Fatalf("rating: %+v %v", rt, err)
		}
		today := time.Now().UTC()
		s, err := e.f.Reports.Summary(ctx, report.Filter{From: today.AddDate(0, 0, -1), To: today.AddDate(0, 0, 1)})
		if err != nil || s.CSAT.Bad != 1 || s.CSAT.Good != 0 {
			t.Errorf("csat in reports: %+v %v", s.CSAT, err)
		}
		ac, err := e.f.Reports.AgentCSAT(ctx, e.f.Agent.ID)
		if err != nil || ac.Bad != 1 {
			t.Errorf("agent csat: %+v %v", ac, err)
		}

		// After the window the answer stays but cannot change.
		if _, err := e.f.DB.Write().Exec(ctx, `UPDATE surveys SET expires_at = $1`, time.Now().Add(-time.Minute).UTC()); err != nil {
			t.Fatal(err)
		}
		if r := e.post(path, "", url.Values{"rating": {"good"}}); r.Code != http.StatusConflict {
			t.Errorf("answer after the window: %s", r)
		}
		if r := e.get(path, ""); r.Code != 200 || strings.Contains(r.Body, "<form class=\"portal-form") {
			t.Errorf("closed survey still offers the form: %s", r)
		}
	})
}

// TestSurveyInline: the signed-in requester of a solved request rates it
// on the request's page, and can change the answer while it is open;
// someone else sharing the request sees no prompt and cannot answer.
func TestSurveyInline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		c := e.contact("rita@example.com", "Rita", "en")
		other := e.contact("otto@example.com", "Otto", "en")
		tk := e.ticketFor(c, "Printer jammed")
		sess := e.signIn(c)
		page := "/help/requests/" + strconv.FormatInt(tk.Number, 10)
		if r := e.get(page, sess); r.Code != 200 || strings.Contains(r.Body, `id="survey"`) {
			t.Fatalf("an open request offers the survey: %s", r)
		}
		solved := "solved"
		if _, err := e.f.Tickets.Update(ctx, e.f.Agent, tk.ID, ticket.UpdateInput{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		r := e.get(page, sess)
		if r.Code != 200 || !strings.Contains(r.Body, `action="`+page+`/rating"`) || !strings.Contains(r.Body, "How did we do?") || strings.Contains(r.Body, "checked") {
			t.Fatalf("solved request without the prompt: %s", r)
		}
		if r := e.post(page+"/rating", sess, url.Values{"rating": {"meh"}, "comment": {"keep me"}}); r.Code != 422 || !strings.Contains(r.Body, "keep me") || !strings.Contains(r.Body, `id="survey-rating-error"`) {
			t.Errorf("bad rating: %s", r)
		}
		if r := e.post(page+"/rating", sess, url.Values{"rating": {"good"}, "comment": {"Quick!"}}); r.Code != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "#survey") {
			t.Fatalf("answer: %s", r)
		}
		r = e.get(page, sess)
		if !strings.Contains(r.Body, `value="good" required checked`) || !strings.Contains(r.Body, "Quick!") || !strings.Contains(r.Body, "Change my answer") {
			t.Errorf("the page does not show the answer to change: %s", r)
		}
		if r := e.post(page+"/rating", sess, url.Values{"rating": {"bad"}}); r.Code != http.StatusSeeOther {
			t.Fatalf("change: %s", r)
		}
		if rt, err := e.f.Reports.Rating(ctx, tk.ID); err != nil || rt == nil || rt.Rating != "bad" || rt.Comment != "" {
			t.Fatalf("rating: %+v %v", rt, err)
		}
		// Not the requester: no prompt, no answer (and no request at all
		// for a contact who cannot see it).
		if r := e.post(page+"/rating", e.signIn(other), url.Values{"rating": {"good"}}); r.Code != 404 {
			t.Errorf("another contact rated: %s", r)
		}
		if r := e.post(page+"/rating", "", url.Values{"rating": {"good"}}); r.Code == http.StatusSeeOther && !strings.Contains(r.Header.Get("Location"), "login") {
			t.Errorf("signed out rated: %s", r)
		}
		// After the window the answer shows, without the form.
		if _, err := e.f.DB.Write().Exec(ctx, `UPDATE surveys SET expires_at = $1`, time.Now().Add(-time.Minute).UTC()); err != nil {
			t.Fatal(err)
		}
		r = e.get(page, sess)
		if strings.Contains(r.Body, page+"/rating") || !strings.Contains(r.Body, "Your answer:") {
			t.Errorf("closed survey: %s", r)
		}
		if r := e.post(page+"/rating", sess, url.Values{"rating": {"good"}}); r.Code != http.StatusConflict {
			t.Errorf("answer after the window: %s", r)
		}
	})
}
