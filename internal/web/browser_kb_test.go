package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tessera/internal/demo"
	"tessera/internal/web/browsertest"
)

// TestBrowserWebFormDeflection: while a customer types the subject of a
// request (with a typo), help centre articles are suggested; opening one
// and leaving without going back to the form is recorded as a deflection.
func TestBrowserWebFormDeflection(t *testing.T) {
	s := newSite(t, browserEngine(t))
	ctx := context.Background()
	if _, err := demo.HelpCentre(ctx, s.App, s.Admin); err != nil {
		t.Fatal(err)
	}
	b := browsertest.Start(t)
	tab := b.Tab(t)
	tab.Navigate(s.URL + "/help/requests/new?lang=pt-BR")
	tab.Run(chromedp.SendKeys(chromedp.CSS("#subject"), "quero reembolos"))
	tab.WaitText(".kb-suggest", "Como pedir reembolso")
	tab.Screenshot("kb-deflection-suggestions")
	tab.Run(chromedp.Click(chromedp.CSS(`.kb-suggest a`)))
	tab.WaitText("main", "Voltar à minha solicitação")
	tab.Run(chromedp.WaitVisible(chromedp.CSS(`[data-kb-print]`))) // the page's script has run
	if n, _ := s.KB.Deflections(ctx); n != 0 {
		t.Fatalf("deflection recorded before the customer left: %d", n)
	}
	tab.Navigate(s.URL + "/help?lang=pt-BR") // leaves the article
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := s.KB.Deflections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deflections: %d, want 1", n)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Going back to the form from the article is not a deflection.
	tab.Navigate(s.URL + "/help/requests/new?lang=pt-BR")
	tab.Run(chromedp.SendKeys(chromedp.CSS("#subject"), "pagamneto recusado"))
	tab.WaitText(".kb-suggest", "Formas de pagamento")
	tab.Run(chromedp.Click(chromedp.CSS(`.kb-suggest a`)))
	tab.WaitText("main", "Voltar à minha solicitação")
	tab.Run(chromedp.WaitVisible(chromedp.CSS(`[data-kb-print]`)))
	tab.Run(chromedp.Click(chromedp.CSS(`[data-kb-back]`)))
	tab.WaitText("main", "Assunto")
	tab.Navigate(s.URL + "/help?lang=pt-BR")
	time.Sleep(300 * time.Millisecond)
	if n, _ := s.KB.Deflections(ctx); n != 1 {
		t.Errorf("deflections after going back to the form: %d, want 1", n)
	}
	if strings.Contains(tab.Text("main"), "Erro") {
		t.Error("error page")
	}
}

// TestBrowserComposerInsertsArticleLink: an agent finds a help centre
// article from the composer (with a typo) and inserts its link.
func TestBrowserComposerInsertsArticleLink(t *testing.T) {
	s := newSite(t, browserEngine(t))
	if _, err := demo.HelpCentre(context.Background(), s.App, s.Admin); err != nil {
		t.Fatal(err)
	}
	tk := s.ticket(t, "Quero meu dinheiro", "Como faço para pedir reembolso?", "rita@example.com")
	b := browsertest.Start(t)
	tab := b.Tab(t)
	signIn(t, tab, s.URL, "agent@example.com")
	tab.Navigate(s.URL + "/tickets/" + strconv.FormatInt(tk.ID, 10))
	tab.Run(chromedp.WaitVisible(chromedp.CSS(`#kb-insert-q`)), chromedp.SendKeys(chromedp.CSS(`#kb-insert-q`), "reembolos"))
	tab.WaitText(".kb-insert ul", "reembolso")
	tab.Run(chromedp.Click(chromedp.CSS(`.kb-insert ul button`)))
	body := browsertest.Eval[string](tab, `document.querySelector("#compose-body").value`)
	if !strings.Contains(body, "reembolso](") || !strings.Contains(body, "/help/articles/") { // pt-BR or es: the composer searches every language
		t.Fatalf("composer body %q", body)
	}
	tab.Navigate(s.URL + "/kb")
	tab.WaitText("main", "Como pedir reembolso")
	tab.Screenshot("kb-workspace-list")
	tab.Run(chromedp.Click(`main table a`))
	tab.WaitText("main", "Markdown")
	tab.Screenshot("kb-workspace-edit")
}
