package web_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/web"
	"tessera/internal/web/api"
	"tessera/internal/web/browsertest"
)

// site is a whole Tessera behind a real HTTP server, with the live-event
// hub running, for the browser tests.
type site struct {
	*apptest.Fixture
	URL string
}

const testPassword = "correct horse battery"

func newSite(t *testing.T, engine store.Engine) *site {
	t.Helper()
	f := apptest.New(t, engine)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = f.Live.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-f.Live.Ready()
	log := slog.New(slog.DiscardHandler)
	srv, err := web.New(f.App, &api.Server{App: f.App, Log: log}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetReady(true)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	pw := testPassword
	for _, a := range []auth.Actor{f.Admin, f.Agent, f.Agent2, f.Light, f.TeamAgent} {
		if _, err := f.People.UpdateAgent(context.Background(), auth.System, a.ID, people.AgentInput{Password: &pw}); err != nil {
			t.Fatal(err)
		}
	}
	return &site{Fixture: f, URL: hs.URL}
}

func (s *site) ticket(t *testing.T, subject, body, email string) ticket.Ticket {
	t.Helper()
	tk, err := s.Tickets.Create(context.Background(), auth.System, ticket.CreateInput{
		Subject: subject, Body: body, Channel: "web",
		Requester: &ticket.RequesterInput{Email: email, Name: strings.Split(email, "@")[0]},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func signIn(t *testing.T, tab *browsertest.Tab, base, email string) {
	t.Helper()
	tab.Navigate(base + "/login")
	tab.Run(
		chromedp.SendKeys("#email", email),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#sidebar")),
	)
}

// browserEngines: the browser flows run on SQLite; the pages' queries are
// tested on both engines by the handler tests.
func browserEngine(t *testing.T) store.Engine {
	browsertest.Chromium(t)
	return store.SQLite
}

func TestBrowserSignInAndViews(t *testing.T) {
	s := newSite(t, browserEngine(t))
	tk := s.ticket(t, "Printer on fire", "It is really on fire.", "carla@example.com")
	b := browsertest.Start(t)
	tab := b.Tab(t)

	// A wrong password keeps the visitor on the form with a message.
	tab.Navigate(s.URL + "/login")
	tab.Run(chromedp.SendKeys(chromedp.CSS("#email"), "agent@example.com"), chromedp.SendKeys(chromedp.CSS("#password"), "nope"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	tab.WaitText(".flash.error", "Wrong email or password")

	signIn(t, tab, s.URL, "agent@example.com")
	tab.Navigate(s.URL + "/views/unassigned")
	tab.WaitText("#ticket-list", "Printer on fire")
	if got := tab.Text(`a[aria-current="page"]`); !strings.Contains(got, "Unassigned") {
		t.Errorf("active view %q", got)
	}

	// A ticket created elsewhere appears in the open list without reload.
	s.ticket(t, "Coffee machine leaks", "Water everywhere.", "dora@example.com")
	tab.WaitText("#ticket-list", "Coffee machine leaks")
	_ = tk

	// Signing out ends the session.
	tab.Run(chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	tab.WaitText("h1", "Sign in")
	tab.Navigate(s.URL + "/views/unassigned")
	tab.WaitText("h1", "Sign in")
}

func TestBrowserHebrewWorkspaceIsRightToLeft(t *testing.T) {
	s := newSite(t, browserEngine(t))
	b := browsertest.Start(t)
	tab := b.Tab(t)
	tab.Navigate(s.URL + "/login?lang=he")
	if dir := tab.Attr("html", "dir"); dir != "rtl" {
		t.Fatalf("dir=%q", dir)
	}
	signIn(t, tab, s.URL, "agent@example.com")
	tab.Navigate(s.URL + "/views/open?lang=he")
	if dir := tab.Attr("html", "dir"); dir != "rtl" {
		t.Errorf("workspace dir=%q", dir)
	}
	// The sidebar sits on the right in a right-to-left page.
	x := browsertest.Eval[float64](tab, `document.querySelector("#sidebar").getBoundingClientRect().left`)
	if x < 600 {
		t.Errorf("sidebar at x=%v, want it on the right", x)
	}
	tab.Screenshot("hebrew-workspace")
}

func TestBrowserReplyNoteAndPresence(t *testing.T) {
	s := newSite(t, browserEngine(t))
	tk := s.ticket(t, "Invoice shows the wrong VAT", "The VAT number on invoice 88 is not ours.", "erin@example.com")
	b := browsertest.Start(t)
	ticketURL := s.URL + "/tickets/" + strconv.FormatInt(tk.ID, 10)

	aldo := b.Tab(t)
	signIn(t, aldo, s.URL, "agent@example.com")
	aldo.Navigate(s.URL + "/views/unassigned")
	aldo.Run(chromedp.Click(`#ticket-list a[href="/tickets/` + strconv.FormatInt(tk.ID, 10) + `"]`))
	aldo.WaitText("#ticket-head", "Invoice shows the wrong VAT")

	bea := b.Tab(t)
	signIn(t, bea, s.URL, "agent2@example.com")
	bea.Navigate(ticketURL)
	bea.WaitText("#thread", "VAT number on invoice 88")

	// Each sees the other on the ticket.
	aldo.WaitText("#presence", "Bea Agent")
	bea.WaitText("#presence", "Aldo Agent")

	// Aldo types: Bea sees him typing.
	aldo.Run(chromedp.Click(chromedp.CSS(`label.mode-reply-tab`)), chromedp.SendKeys(chromedp.CSS("#compose-body"), "Hello Erin, we are fixing the invoice."))
	bea.WaitText("#presence", "typing")

	// Aldo sends the reply and sets the ticket pending; it shows in his
	// thread and, live, in Bea's.
	aldo.Run(chromedp.Click(chromedp.CSS(`button.send-as[value="pending"]`)))
	aldo.WaitText("#thread", "we are fixing the invoice")
	aldo.WaitText("#ticket-head", "Pending")
	bea.WaitText("#thread", "we are fixing the invoice")

	// Bea adds an internal note; it is marked as one.
	bea.Run(chromedp.Click(chromedp.CSS(`label.mode-note-tab`)), chromedp.SendKeys(chromedp.CSS("#compose-body"), "Finance says VAT id changed in May."))
	bea.Run(chromedp.Click(chromedp.CSS(`#composer button.primary[name="status"]`)))
	bea.WaitText("#thread .msg-note", "VAT id changed in May")
	aldo.WaitText("#thread .msg-note", "VAT id changed in May")

	msgs, err := s.Tickets.Messages(context.Background(), auth.System, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := []string{}
	for _, m := range msgs {
		kinds = append(kinds, m.Kind)
	}
	if strings.Join(kinds, ",") != "reply,reply,note" {
		t.Errorf("thread kinds %v", kinds)
	}
	got, _ := s.Tickets.Get(context.Background(), auth.System, tk.ID)
	if got.StatusCategory != ticket.StatusPending {
		t.Errorf("status %q, want pending", got.StatusCategory)
	}
}

func TestBrowserCustomerWebFormSeesReplyNotNote(t *testing.T) {
	s := newSite(t, browserEngine(t))
	ctx := context.Background()
	b := browsertest.Start(t)

	// A customer files a request through the web form.
	cust := b.Tab(t)
	cust.Navigate(s.URL + "/help/requests/new?lang=en")
	cust.Run(
		chromedp.SendKeys(chromedp.CSS("#name"), "Fiona Green"),
		chromedp.SendKeys(chromedp.CSS("#email"), "fiona@example.com"),
		chromedp.SendKeys(chromedp.CSS("#subject"), "Cannot export my data"),
		chromedp.SendKeys(chromedp.CSS("#body"), "The export button spins forever."),
		chromedp.Click(chromedp.CSS(`form button.primary[type="submit"]`)),
	)
	cust.WaitText(".ref-number", "#")
	num, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(cust.Text(".ref-number")), "#"), 10, 64)
	if err != nil {
		t.Fatalf("reference number: %v", err)
	}
	tk, err := s.Tickets.ByNumber(ctx, auth.System, num)
	if err != nil || tk.Subject != "Cannot export my data" || tk.Channel != "web" {
		t.Fatalf("ticket #%d: %+v %v", num, tk, err)
	}

	// An agent replies and adds an internal note.
	agent := b.Tab(t)
	signIn(t, agent, s.URL, "agent@example.com")
	agent.Navigate(s.URL + "/tickets/" + strconv.FormatInt(tk.ID, 10))
	agent.Run(chromedp.Click(chromedp.CSS(`label.mode-reply-tab`)), chromedp.SendKeys(chromedp.CSS("#compose-body"), "Fixed: please try the export again."))
	agent.Run(chromedp.Click(chromedp.CSS(`#composer button.primary[name="status"]`)))
	agent.WaitText("#thread", "please try the export again")
	agent.Run(chromedp.Click(chromedp.CSS(`label.mode-note-tab`)), chromedp.SendKeys(chromedp.CSS("#compose-body"), "Root cause was the stuck queue worker."))
	agent.Run(chromedp.Click(chromedp.CSS(`#composer button.primary[name="status"]`)))
	agent.WaitText("#thread .msg-note", "stuck queue worker")

	// The customer signs in through a one-time link (the one the portal
	// mails) and reads the reply, never the note.
	token, err := (&auth.Sessions{DB: s.App.DB}).CreateLink(ctx, tk.RequesterID, 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	cust.Navigate(s.URL + "/help/login/" + token)
	cust.Run(chromedp.Click(chromedp.CSS(`form[action^="/help/login/"] button`)))
	cust.WaitText("main", "Cannot export my data") // their requests
	cust.Navigate(s.URL + "/help/requests/" + strconv.FormatInt(num, 10))
	cust.WaitText("main", "please try the export again")
	if strings.Contains(cust.Text("main"), "stuck queue worker") {
		t.Error("the customer sees the internal note")
	}
}

func TestBrowserHebrewPortalIsRightToLeftAndFitsAPhone(t *testing.T) {
	s := newSite(t, browserEngine(t))
	b := browsertest.Start(t)
	tab := b.Tab(t, browsertest.Mobile())
	tab.Navigate(s.URL + "/help/requests/new?lang=he")
	if dir := tab.Attr("html", "dir"); dir != "rtl" {
		t.Fatalf("dir=%q", dir)
	}
	if lang := tab.Attr("html", "lang"); lang != "he" {
		t.Errorf("lang=%q", lang)
	}
	// The form's fields start at the right edge and nothing scrolls sideways.
	right := browsertest.Eval[float64](tab, `document.querySelector("#subject").getBoundingClientRect().right`)
	if right < 330 {
		t.Errorf("subject field ends at x=%v on a 375 px screen", right)
	}
	if w := browsertest.Eval[float64](tab, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("page is %v px wide on a 375 px screen", w)
	}
	tab.Screenshot("hebrew-portal-phone")
	// The language stays for the next page (cookie).
	tab.Navigate(s.URL + "/help")
	if dir := tab.Attr("html", "dir"); dir != "rtl" {
		t.Errorf("second page dir=%q", dir)
	}
}

func TestBrowserSLABreachNotice(t *testing.T) {
	s := newSite(t, browserEngine(t))
	ctx := context.Background()
	mine := s.ticket(t, "Server room too hot", "Temperature alarm.", "gus@example.com")
	agentID := s.Agent.ID
	if _, err := s.Tickets.Update(ctx, s.Agent, mine.ID, ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true, Value: &agentID}}); err != nil {
		t.Fatal(err)
	}
	b := browsertest.Start(t)
	tab := b.Tab(t)
	signIn(t, tab, s.URL, "agent@example.com")
	tab.Navigate(s.URL + "/views/mine")
	tab.WaitText("#ticket-list", "Server room too hot")
	tab.WaitLive()

	// The SLA job records a breach as a ticket event (tested with the
	// job); here the event's way to the screen is what is checked.
	if _, err := s.App.DB.Write().Exec(ctx, `INSERT INTO ticket_events (ticket_id, type, actor_kind, field, new_value, created_at)
		VALUES ($1, 'sla_breached', 'system', 'first_reply', 'breached', $2)`, mine.ID, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	tab.WaitText("#toasts", "SLA breached")
	if href := tab.Attr("#toasts a", "href"); !strings.HasSuffix(href, "/tickets/"+strconv.FormatInt(mine.ID, 10)) {
		t.Errorf("notice links to %q", href)
	}
}
