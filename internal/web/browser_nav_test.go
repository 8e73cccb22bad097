package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"tessera/internal/web/browsertest"
)

// TestBrowserLongWalk: an agent clicks through many pages in one tab, as
// people do all day; every page must load.
func TestBrowserLongWalk(t *testing.T) {
	s := newSite(t, browserEngine(t))
	b := browsertest.Start(t)
	tab := b.Tab(t)
	signIn(t, tab, s.URL, "admin@example.com")
	tab.Navigate(s.URL + "/admin")
	for _, p := range []struct{ href, h1 string }{
		{"/admin/agents", "Agents"}, {"/admin/teams", "Teams"}, {"/admin/roles", "Roles"}, {"/admin/statuses", "Statuses"},
		{"/admin/fields", "Custom fields"}, {"/admin/tags", "Tags"}, {"/admin/inboxes", "Inboxes"}, {"/admin/agents", "Agents"},
		{"/admin/teams", "Teams"}, {"/admin/roles", "Roles"},
	} {
		tab.Run(chromedp.Click(chromedp.CSS(`.admin-nav a[href="` + p.href + `"]`)))
		tab.WaitText("h1", p.h1)
	}
}
