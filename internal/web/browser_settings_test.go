package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"tessera/internal/web/browsertest"
)

// TestBrowserProfile: an agent opens their profile from their name in the
// top bar, switches to Hebrew and away, and the workspace turns right to
// left at once; a refused time zone keeps what was typed.
func TestBrowserProfile(t *testing.T) {
	s := newSite(t, browserEngine(t))
	b := browsertest.Start(t)
	tab := b.Tab(t)
	signIn(t, tab, s.URL, "agent@example.com")
	tab.Run(chromedp.Click(chromedp.CSS(`.topbar a.me`)))
	tab.WaitText("h1", "My profile")

	tab.Run(chromedp.SetValue("#time_zone", "Mars/Olympus"), chromedp.Click(chromedp.CSS(`form[action="/profile"] button[type="submit"]`)))
	tab.WaitText("#form-errors", "time_zone")
	if got := browsertest.Eval[string](tab, `document.querySelector("#time_zone").value`); got != "Mars/Olympus" {
		t.Errorf("typed time zone lost: %q", got)
	}
	tab.Screenshot("profile-refused")

	tab.Run(chromedp.SetValue("#time_zone", "Asia/Jerusalem"), chromedp.SetValue("#language", "he"), chromedp.SetValue("#availability", "away"),
		chromedp.Click(chromedp.CSS(`form[action="/profile"] button[type="submit"]`)))
	tab.WaitText(".flash", "נשמר")
	if dir := tab.Attr("html", "dir"); dir != "rtl" {
		t.Errorf("dir = %q after saving Hebrew", dir)
	}
	tab.Screenshot("profile-hebrew")
	if wide := browsertest.Eval[bool](tab, `document.querySelector("#main").scrollWidth > document.querySelector("#main").clientWidth`); wide {
		t.Error("the profile page is wider than the screen")
	}
	a, err := s.People.GetAgent(context.Background(), s.Agent.ID)
	if err != nil || a.Language != "he" || a.Availability != "away" || a.TimeZone != "Asia/Jerusalem" {
		t.Errorf("saved %+v %v", a, err)
	}
}

// TestBrowserPortalSettings: an admin reaches the portal settings from the
// settings navigation and turns on priorities; the web form then offers
// them.
func TestBrowserPortalSettings(t *testing.T) {
	s := newSite(t, browserEngine(t))
	b := browsertest.Start(t)
	tab := b.Tab(t)
	signIn(t, tab, s.URL, "admin@example.com")
	tab.Navigate(s.URL + "/admin")
	tab.Run(chromedp.Click(chromedp.CSS(`.admin-nav a[href="/admin/portal"]`)))
	tab.WaitText("h1", "Customer portal")
	tab.Run(chromedp.Click(chromedp.CSS(`input[name="allow_priority"]`)), chromedp.Click(chromedp.CSS(`form[action="/admin/portal"] button[type="submit"]`)))
	tab.WaitText(".flash", "Saved")
	tab.Screenshot("admin-portal")
	if !browsertest.Eval[bool](tab, `document.querySelector('input[name="allow_priority"]').checked`) {
		t.Error("not ticked after saving")
	}
	customer := b.Tab(t)
	customer.Navigate(s.URL + "/help/requests/new")
	customer.WaitText("main", "How urgent is it?")
}
