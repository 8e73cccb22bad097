package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"tessera/internal/automation"
	"tessera/internal/web/browsertest"
)

// TestBrowserRuleBuilder: an admin builds the trigger "subject contains
// pagamento → priority high, add tag billing" in the rule builder (the
// action row's type is changed in place, which posts the form back and
// shows the tags input), saves it, tests it against a ticket, and a new
// ticket with such a subject comes in with priority high.
func TestBrowserRuleBuilder(t *testing.T) {
	s := newSite(t, browserEngine(t))
	ctx := context.Background()
	b := browsertest.Start(t)
	tab := b.Tab(t)
	signIn(t, tab, s.URL, "admin@example.com")
	tab.Navigate(s.URL + "/admin/triggers")
	tab.WaitText("h1", "Triggers")
	tab.WaitText(".admin-nav", "Automations")
	tab.Navigate(s.URL + "/admin/triggers/new")
	tab.WaitText("h1", "New trigger")

	tab.Run(
		chromedp.SendKeys(chromedp.CSS(`#name`), "Pagamentos"),
		chromedp.SendKeys(chromedp.CSS(`input[name="all.0.text"]`), "pagamento"),
		chromedp.SetValue(chromedp.CSS(`select[name="act.0.value"]`), "high"),
		chromedp.Click(chromedp.CSS(`button[value="add_action"]`)),
	)
	// The new action row; changing its type re-renders it with a tags input.
	tab.Run(chromedp.WaitVisible(chromedp.CSS(`select[name="act.1.type"]`)))
	browsertest.Eval[bool](tab, `(() => { const s = document.querySelector('select[name="act.1.type"]'); s.value = "add_tags";
		s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`)
	tab.Run(chromedp.WaitVisible(chromedp.CSS(`input[name="act.1.value"][placeholder]`)))
	if got := browsertest.Eval[string](tab, `document.querySelector('input[name="all.0.text"]').value`); got != "pagamento" {
		t.Errorf("the condition's words were lost in the round trip: %q", got)
	}
	tab.Run(chromedp.SendKeys(chromedp.CSS(`input[name="act.1.value"]`), "billing"))
	tab.Screenshot("rule-builder")
	tab.Run(chromedp.Click(chromedp.CSS(`.rule-form .actions button.primary`)))
	tab.WaitText(".flash", "Trigger created")

	list, err := s.Rules.List(ctx, automation.KindTrigger)
	if err != nil || len(list) != 1 {
		t.Fatalf("triggers: %v %v", list, err)
	}
	if got := fmt.Sprint(list[0].Conditions.All, list[0].Actions); got != "[{subject contains_any [pagamento]}] [{set_priority high} {add_tags [billing]}]" {
		t.Errorf("saved %s", got)
	}

	tk := s.ticket(t, "Problema com o pagamento da fatura", "O cartão foi recusado.", "rita@example.com")
	tab.Run(chromedp.SetValue(chromedp.CSS(`#test-number`), fmt.Sprint(tk.Number)), chromedp.Click(chromedp.CSS(`#rule-test button[type="submit"]`)))
	tab.WaitText(".rule-verdict", "matches")
	tab.Screenshot("rule-dry-run")

	tab.Navigate(fmt.Sprintf("%s/tickets/%d", s.URL, tk.ID))
	tab.WaitText("main", "Problema com o pagamento")
	if got := browsertest.Eval[string](tab, `document.querySelector("#p-priority").value`); got != "high" {
		t.Errorf("priority of the new ticket: %q, want high", got)
	}
	if got := browsertest.Eval[string](tab, `document.querySelector(".ticket-head .badge.pr-high") ? "shown" : ""`); got != "shown" {
		t.Error("the ticket's head shows no high priority badge")
	}
	got, err := s.Tickets.Get(ctx, s.Admin, tk.ID)
	if err != nil || got.Priority != "high" || fmt.Sprint(got.Tags) != "[billing]" {
		t.Errorf("ticket after the trigger: %s %v %v", got.Priority, got.Tags, err)
	}
}
