package portal_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tessera/internal/demo"
	"tessera/internal/kb"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestHelpCentre: browsing, searching (with a typo), reading an article in
// the visitor's language, feedback and deflection, for a visitor who is
// signed out and a signed-in customer; articles for customers only are
// hidden from the first.
func TestHelpCentre(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		ids, err := demo.HelpCentre(ctx, e.f.App, e.f.Admin)
		if err != nil {
			t.Fatal(err)
		}
		title, body, locale, vis, status := "Pagamento para clientes", "Só para clientes.", "pt-BR", kb.Customers, kb.Published
		private, err := e.f.KB.Create(ctx, e.f.Agent, kb.ArticleInput{Title: &title, Body: &body, Locale: &locale, Visibility: &vis, Status: &status})
		if err != nil {
			t.Fatal(err)
		}
		c := e.contact("cora@example.com", "Cora", "pt-BR")
		signedIn := e.signIn(c)
		contains := func(r interface{ String() string }, body, want string) {
			t.Helper()
			if !strings.Contains(html.UnescapeString(body), want) {
				t.Errorf("want %q in %s", want, r)
			}
		}
		for _, session := range []string{"", signedIn} {
			who := "signed out"
			if session != "" {
				who = "signed in"
			}
			t.Run(who, func(t *testing.T) {
				r := e.get("/help?lang=pt-BR", session)
				if r.Code != http.StatusOK {
					t.Fatalf("home: %s", r)
				}
				contains(r, r.Body, `action="/help/search"`)
				r = e.get("/help/articles?lang=pt-BR", session)
				if r.Code != http.StatusOK {
					t.Fatalf("index: %s", r)
				}
				contains(r, r.Body, "Cobrança e pagamentos")
				contains(r, r.Body, "Como pedir reembolso")
				if strings.Contains(r.Body, "Request a refund") {
					t.Errorf("index in pt-BR shows English articles")
				}
				r = e.get("/help/search?lang=pt-BR&q=reembolos", session)
				if r.Code != http.StatusOK {
					t.Fatalf("search: %s", r)
				}
				contains(r, r.Body, fmt.Sprintf(`href="/help/articles/%d-como-pedir-reembolso"`, ids["refund/pt-BR"]))
				r = e.get("/help/search?lang=pt-BR&q=xyzzyq", session)
				contains(r, r.Body, "Nenhum artigo corresponde")

				id := ids["refund/pt-BR"]
				r = e.get(fmt.Sprintf("/help/articles/%d?lang=pt-BR", id), session)
				if r.Code != http.StatusMovedPermanently || r.Header.Get("Location") != fmt.Sprintf("/help/articles/%d-como-pedir-reembolso?lang=pt-BR", id) {
					t.Fatalf("short address: %s", r)
				}
				r = e.get(fmt.Sprintf("/help/articles/%d-como-pedir-reembolso?lang=pt-BR&from=form", id), session)
				if r.Code != http.StatusOK {
					t.Fatalf("article: %s", r)
				}
				contains(r, r.Body, "<strong>Pedidos</strong>")
				contains(r, r.Body, "Este artigo foi útil?")
				contains(r, r.Body, "Artigos relacionados")
				contains(r, r.Body, "data-kb-back")
				r = e.post(fmt.Sprintf("/help/articles/%d/feedback", id), session, url.Values{"helpful": {"yes"}})
				if r.Code != http.StatusSeeOther {
					t.Fatalf("feedback: %s", r)
				}
				r = e.post(fmt.Sprintf("/help/articles/%d/deflect", id), session, url.Values{"q": {"reembolso"}})
				if r.Code != http.StatusNoContent {
					t.Fatalf("deflect: %s", r)
				}
				for _, bad := range []string{"/help/articles/999999-x", "/help/articles/abc"} {
					if r := e.get(bad, session); r.Code != http.StatusNotFound {
						t.Errorf("%s: %s", bad, r)
					}
				}
				want := http.StatusNotFound
				if session != "" {
					want = http.StatusOK
				}
				if r := e.get(fmt.Sprintf("/help/articles/%d-pagamento-para-clientes", private.ID), session); r.Code != want {
					t.Errorf("customers' article: %s, want %d", r, want)
				}
				if r := e.post(fmt.Sprintf("/help/articles/%d/feedback", private.ID), session, url.Values{"helpful": {"no"}}); r.Code != want && r.Code != http.StatusSeeOther {
					t.Errorf("feedback on customers' article: %s", r)
				}
			})
		}
		if yes, _, err := e.f.KB.Votes(ctx, ids["refund/pt-BR"]); err != nil || yes != 2 {
			t.Errorf("votes %d %v", yes, err)
		}
		if n, err := e.f.KB.Deflections(ctx); err != nil || n != 2 {
			t.Errorf("deflections %d %v", n, err)
		}
		// An article in another language points to the visitor's.
		he, err := e.f.KB.Get(ctx, kb.Anonymous, ids["refund/he"])
		if err != nil {
			t.Fatal(err)
		}
		r := e.get(fmt.Sprintf("/help/articles/%d-%s?lang=pt-BR", he.ID, he.Slug), "")
		if r.Code != http.StatusOK {
			t.Fatalf("hebrew article: %s", r)
		}
		contains(r, r.Body, fmt.Sprintf(`class="kb-yours panel no-print"><a href="/help/articles/%d-como-pedir-reembolso"`, ids["refund/pt-BR"]))
		r = e.get("/help/requests/new?lang=pt-BR", "")
		contains(r, r.Body, `data-kb-suggest="Estes artigos podem responder`)
	})
}
