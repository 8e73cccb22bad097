package agent_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tessera/internal/auth"
	"tessera/internal/kb"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

// TestKnowledgeBasePages: every agent lists, searches, writes and edits
// articles; light agents write drafts only (publishing comes back as the
// status field's error, 422, with the input kept); signed out, it is the
// sign-in page. Every save keeps a revision.
func TestKnowledgeBasePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		ctx := context.Background()
		name, locale := "Cobrança", "pt-BR"
		cat, err := e.f.KB.CreateCategory(ctx, e.f.Admin, kb.CategoryInput{Name: &name, Locale: &locale})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.f.KB.Search(ctx, kb.Anonymous, kb.SearchOptions{Query: "fatura atrasada", Locale: "pt-BR"}); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{asAdmin, asAgent, asLight, asTeam} {
			t.Run(who, func(t *testing.T) {
				r := e.do("GET", "/kb", who, nil)
				if r.Code != http.StatusOK || !strings.Contains(r.Body, "fatura atrasada") {
					t.Fatalf("list: %d %s", r.Code, excerpt(r.Body))
				}
				r = e.do("GET", "/kb/new", who, nil)
				if r.Code != http.StatusOK || !strings.Contains(r.Body, `name="visibility"`) {
					t.Fatalf("new: %d %s", r.Code, excerpt(r.Body))
				}
				title := "Segunda via do boleto " + who
				form := url.Values{"title": {title}, "body": {"Abra **Cobrança**."}, "locale": {"pt-BR"}, "category_id": {fmt.Sprint(cat.ID)},
					"status": {"published"}, "visibility": {"customers"}, "tags": {"boleto, fatura"}}
				r = e.do("POST", "/kb", who, form)
				if who == asLight {
					if r.Code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(r.Body), title) {
						t.Fatalf("light agent published: %d %s", r.Code, excerpt(r.Body))
					}
					form.Set("status", "draft")
					r = e.do("POST", "/kb", who, form)
				}
				if r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Loc, "/kb/") {
					t.Fatalf("create: %d %s %s", r.Code, r.Loc, excerpt(r.Body))
				}
				edit := r.Loc
				r = e.do("GET", edit, who, nil)
				if r.Code != http.StatusOK || !strings.Contains(html.UnescapeString(r.Body), title) {
					t.Fatalf("edit: %d %s", r.Code, excerpt(r.Body))
				}
				form.Set("title", title+" (2)")
				r = e.do("POST", edit, who, form)
				if r.Code != http.StatusSeeOther {
					t.Fatalf("update: %d %s", r.Code, excerpt(r.Body))
				}
				form.Set("title", "")
				if r = e.do("POST", edit, who, form); r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `aria-invalid="true"`) {
					t.Fatalf("empty title: %d %s", r.Code, excerpt(r.Body))
				}
				r = e.do("GET", edit, who, nil)
				if !strings.Contains(html.UnescapeString(r.Body), title+" (2)") || !strings.Contains(html.UnescapeString(r.Body), "<bdi>"+title+"</bdi>") {
					t.Errorf("revision not shown: %s", excerpt(r.Body))
				}
				if r = e.do("GET", "/kb?q=segnda+via&locale=pt-BR", who, nil); !strings.Contains(html.UnescapeString(r.Body), title+" (2)") {
					t.Errorf("search with a typo: %s", excerpt(r.Body))
				}
			})
		}
		for _, path := range []string{"/kb/999999", "/kb/x"} {
			if r := e.do("GET", path, asAgent, nil); r.Code != http.StatusNotFound {
				t.Errorf("%s: %d", path, r.Code)
			}
		}
		for _, c := range []struct{ method, path string }{{"GET", "/kb"}, {"GET", "/kb/new"}, {"POST", "/kb"}, {"GET", "/kb/1"}, {"POST", "/kb/1"}} {
			var form url.Values
			if c.method == "POST" {
				form = url.Values{"title": {"x"}}
			}
			if r := e.do(c.method, c.path, asNone, form); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Loc, "/login") {
				t.Errorf("signed out %s %s: %d %s", c.method, c.path, r.Code, r.Loc)
			}
		}
	})
}

// TestKnowledgeBaseFromTicket: a solved ticket offers an article with its
// question and answer, without the people's names, addresses and numbers;
// an agent who may not see the ticket gets "not found".
func TestKnowledgeBaseFromTicket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		ctx := context.Background()
		tk, err := e.f.Tickets.Create(ctx, auth.System, ticket.CreateInput{Subject: "Reembolso do pedido 88812345", Body: "Oi, sou Rita Lopes (rita@example.com). Quero o reembolso do pedido 88812345.",
			Channel: "web", TeamID: &e.f.Support.ID, Requester: &ticket.RequesterInput{Email: "rita@example.com", Name: "Rita Lopes"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.f.Tickets.AddMessage(ctx, e.f.Agent, tk.ID, ticket.MessageInput{Body: "Olá Rita, abra Pedidos e escolha Solicitar reembolso.", Status: "solved"}); err != nil {
			t.Fatal(err)
		}
		r := e.do("GET", fmt.Sprintf("/tickets/%d", tk.ID), asAgent, nil)
		if !strings.Contains(r.Body, fmt.Sprintf(`href="/kb/new?ticket=%d"`, tk.ID)) {
			t.Fatalf("solved ticket offers no article: %s", excerpt(r.Body))
		}
		// Replies that link an article count for "most linked".
		title, locale, status := "Como pedir reembolso", "pt-BR", kb.Published
		art, err := e.f.KB.Create(ctx, e.f.Agent, kb.ArticleInput{Title: &title, Locale: &locale, Status: &status})
		if err != nil {
			t.Fatal(err)
		}
		tk2, err := e.f.Tickets.Create(ctx, e.f.Agent, ticket.CreateInput{Subject: "Outro", Body: "x", Requester: &ticket.RequesterInput{Email: "ze@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.f.Tickets.AddMessage(ctx, e.f.Agent, tk2.ID, ticket.MessageInput{Body: fmt.Sprintf("Veja [o artigo](http://x/help/articles/%d-como-pedir-reembolso).", art.ID)}); err != nil {
			t.Fatal(err)
		}
		r = e.do("GET", "/kb", asAgent, nil)
		if !strings.Contains(r.Body, fmt.Sprintf(`<li><a href="/kb/%d" dir="auto">Como pedir reembolso</a> <span class="muted">×1</span>`, art.ID)) {
			t.Errorf("most linked: %s", excerpt(r.Body))
		}
		r = e.do("GET", fmt.Sprintf("/kb/new?ticket=%d", tk.ID), asAgent, nil)
		body := html.UnescapeString(r.Body)
		if r.Code != http.StatusOK || !strings.Contains(body, "Quero o reembolso do pedido [number]") || !strings.Contains(body, "abra Pedidos e escolha Solicitar reembolso") {
			t.Fatalf("draft: %d %s", r.Code, excerpt(body))
		}
		for _, leak := range []string{"Rita", "rita@example.com", "88812345"} {
			if strings.Contains(body[strings.Index(body, `id="title"`):], leak) {
				t.Errorf("%q in the draft", leak)
			}
		}
		if r := e.do("GET", fmt.Sprintf("/kb/new?ticket=%d", tk.ID), asTeam, nil); r.Code != http.StatusNotFound {
			t.Errorf("team agent: %d", r.Code)
		}
	})
}
