package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tessera/internal/auth"
	"tessera/internal/macro"
	"tessera/internal/web/browsertest"
)

// TestBrowserMacroInComposer: an agent opens a ticket, searches a macro in
// the composer's picker, previews it, applies it, and finds its text in
// the composer and the ticket's status changed.
func TestBrowserMacroInComposer(t *testing.T) {
	s := newSite(t, browserEngine(t))
	ctx := context.Background()
	name, body, shared := "Asking for details", "Hi {{requester.first_name}}, could you send a screenshot of #{{ticket.number}}?", true
	m, err := s.Macros.Create(ctx, auth.System, macro.MacroInput{Name: &name, Body: &body, Shared: &shared,
		Actions: &[]macro.MacroAction{{Type: macro.SetStatus, Value: "pending"}}})
	if err != nil {
		t.Fatal(err)
	}
	tk := s.ticket(t, "The export fails", "Export gives an error.", "nina@example.com")
	b := browsertest.Start(t)
	tab := b.Tab(t)
	signIn(t, tab, s.URL, "agent@example.com")
	tab.Navigate(s.URL + "/tickets/" + strconv.FormatInt(tk.ID, 10))
	tab.Run(chromedp.Click(chromedp.CSS(`#macros > summary`)), chromedp.WaitVisible(chromedp.CSS(`#macro-q`)),
		chromedp.SendKeys(chromedp.CSS(`#macro-q`), "details"), chromedp.Click(chromedp.CSS(`.macro-search button`)))
	link := `#macros a[data-macro="` + strconv.FormatInt(m.ID, 10) + `"]`
	// The results may be swapped in more than once (the search, then a live
	// refresh of the ticket): click the link that is there at the moment.
	tab.Run(chromedp.WaitVisible(chromedp.CSS(link)))
	browsertest.Eval[bool](tab, `(() => { document.querySelector(`+strconv.Quote(link)+`).click(); return true; })()`)
	want := "Hi nina, could you send a screenshot of #" + strconv.FormatInt(tk.Number, 10) + "?"
	tab.WaitText("[data-macro-preview]", want)
	tab.Screenshot("macro-preview")
	if got, _ := s.Tickets.Get(ctx, auth.System, tk.ID); got.Status == "pending" {
		t.Fatal("the preview changed the ticket")
	}
	tab.Run(chromedp.Click(chromedp.CSS(`[data-macro-apply]`)))
	deadline := time.Now().Add(5 * time.Second)
	for {
		v := browsertest.Eval[string](tab, `(document.querySelector("#compose-body") || {}).value || ""`)
		if strings.Contains(v, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("composer body %q, want %q", v, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	tab.Screenshot("macro-applied")
	if got, _ := s.Tickets.Get(ctx, auth.System, tk.ID); got.Status != "pending" {
		t.Fatalf("status after apply: %s", got.Status)
	}
	tab.WaitText("#properties", "Pending")
}
