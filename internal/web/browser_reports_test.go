package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tessera/internal/auth"
	"tessera/internal/report"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/web/browsertest"
)

// TestBrowserReports: an admin opens Reports from the top bar, sees the
// figures and the charts, opens the table behind the volume chart, and
// moves to the dashboard; then a customer answers the survey.
func TestBrowserReports(t *testing.T) {
	s := newSite(t, browserEngine(t))
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	solved := "solved"
	for i := range 12 {
		at := now.Add(-time.Duration(i*9+2) * time.Hour)
		tk, err := s.Tickets.Create(ticket.WithNow(ctx, at), s.Agent, ticket.CreateInput{Subject: fmt.Sprintf("Report %d", i), Body: "Body",
			Requester: &ticket.RequesterInput{Email: fmt.Sprintf("c%d@example.com", i%3)}})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			continue
		}
		if _, err := s.Tickets.AddMessage(ticket.WithNow(ctx, at.Add(time.Duration(10+i*7)*time.Minute)), s.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindReply, Body: "Done"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Tickets.Update(ticket.WithNow(ctx, at.Add(time.Duration(30+i*11)*time.Minute)), s.Agent, tk.ID, ticket.UpdateInput{Status: &solved}); err != nil {
			t.Fatal(err)
		}
	}
	b := browsertest.Start(t)
	tab := b.Tab(t)
	signIn(t, tab, s.URL, "admin@example.com")
	tab.Run(chromedp.Click(`.topnav a[href="/reports"]`))
	tab.WaitText("h1", "Reports")
	if n := browsertest.Eval[int](tab, `document.querySelectorAll("svg.chart rect.bar-created").length`); n != 7 {
		t.Errorf("volume bars: %d, want 7 days", n)
	}
	tab.Run(chromedp.Click(`#vol-h ~ details summary`))
	if !browsertest.Eval[bool](tab, `document.querySelector("#vol-h ~ details table").offsetHeight > 0`) {
		t.Error("the table behind the chart does not open")
	}
	if wide := browsertest.Eval[bool](tab, `document.querySelector("#main").scrollWidth > document.querySelector("#main").clientWidth`); wide {
		t.Error("the reports page is wider than the screen")
	}
	tab.Screenshot("reports")
	tab.Run(chromedp.Click(`.topnav a[href="/dashboard"]`))
	tab.WaitText("h1", "Dashboard")
	tab.Screenshot("dashboard")

	// The customer's survey, signed out.
	var tok string
	list, err := s.Tickets.List(ctx, auth.System, ticket.Filter{Limit: 1})
	if err != nil || len(list.Items) == 0 {
		t.Fatal(err)
	}
	if err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		tok, err = report.OfferSurvey(ctx, tx, list.Items[0].ID, &s.Agent.ID, time.Now().UTC())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tab2 := b.Tab(t)
	tab2.Navigate(s.URL + "/help/survey/" + tok)
	tab2.WaitText("h1", "How did we do?")
	tab2.Run(chromedp.Click(`.survey-good input`), chromedp.SendKeys("#comment", "Quick and kind"), chromedp.Click(`.survey-form button[type="submit"]`))
	tab2.WaitText(".flash", "Thank you")
	tab2.Screenshot("survey")
}
