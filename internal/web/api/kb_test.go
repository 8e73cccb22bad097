package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestContractKnowledgeBase: an article written through the API is found
// by the public search, without a token, despite a typo; drafts and
// customers-only articles are not.
func TestContractKnowledgeBase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		var cat, art, draft struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
			HTML   string `json:"body_html"`
		}
		e.must(http.StatusCreated, "POST", "/api/v1/kb/categories", cAdmin, map[string]any{"name": "Cobrança", "locale": "pt-BR"}, &cat)
		e.must(http.StatusCreated, "POST", "/api/v1/articles", cAgent, map[string]any{"title": "Formas de pagamento", "body": "Aceitamos **Pix**, boleto e cartão.",
			"locale": "pt-BR", "category_id": cat.ID, "status": "published", "visibility": "public"}, &art)
		if art.Status != "published" || !strings.Contains(art.HTML, "<strong>Pix</strong>") {
			t.Fatalf("article %+v", art)
		}
		e.must(http.StatusCreated, "POST", "/api/v1/articles", cAgent, map[string]any{"title": "Pagamento interno", "body": "x",
			"locale": "pt-BR", "status": "draft", "visibility": "public"}, &draft)
		e.must(http.StatusCreated, "POST", "/api/v1/articles", cAgent, map[string]any{"title": "Pagamento para clientes", "body": "x",
			"locale": "pt-BR", "status": "published", "visibility": "customers"}, nil)
		var res struct {
			Items []struct {
				ID      int64  `json:"id"`
				Title   string `json:"title"`
				URL     string `json:"url"`
				Snippet string `json:"snippet"`
			} `json:"items"`
		}
		e.must(http.StatusOK, "GET", "/api/v1/kb/search?q=pagamneto&locale=pt-BR", cNone, nil, &res)
		if len(res.Items) != 1 || res.Items[0].ID != art.ID || !strings.HasSuffix(res.Items[0].URL, fmt.Sprintf("/help/articles/%d-formas-de-pagamento", art.ID)) || res.Items[0].Title != "Formas de pagamento" {
			t.Fatalf("search: %+v", res)
		}
		e.must(http.StatusOK, "GET", "/api/v1/kb/search?q=pix&locale=pt-BR", cNone, nil, &res)
		if len(res.Items) != 1 || !strings.Contains(res.Items[0].Snippet, "<mark>Pix</mark>") {
			t.Fatalf("snippet: %+v", res)
		}
		// Suggestions while typing are not counted among the gaps; searches are.
		var gaps struct {
			Items []struct {
				Query string `json:"query"`
			} `json:"items"`
		}
		e.must(http.StatusOK, "GET", "/api/v1/kb/search?q=qwzx&locale=pt&suggest=true", cNone, nil, nil)
		e.must(http.StatusOK, "GET", "/api/v1/kb/gaps", cAgent, nil, &gaps)
		if len(gaps.Items) != 0 {
			t.Fatalf("a suggestion was logged: %+v", gaps)
		}
		e.must(http.StatusOK, "GET", "/api/v1/kb/search?q=qwzx&locale=pt", cNone, nil, nil)
		e.must(http.StatusOK, "GET", "/api/v1/kb/gaps", cAgent, nil, &gaps)
		if len(gaps.Items) != 1 || gaps.Items[0].Query != "qwzx" {
			t.Fatalf("gaps %+v", gaps)
		}
		// Revisions: a PATCH keeps the previous version.
		e.must(http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/articles/%d", art.ID), cAgent, map[string]any{"title": "Pagamentos aceitos"}, nil)
		var revs struct {
			Items []struct {
				Title string `json:"title"`
			} `json:"items"`
		}
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/articles/%d/revisions", art.ID), cAgent, nil, &revs)
		if len(revs.Items) != 1 || revs.Items[0].Title != "Formas de pagamento" {
			t.Fatalf("revisions %+v", revs)
		}
		if r := e.do("POST", "/api/v1/articles", cAgent, map[string]any{"title": "x", "visibility": "everyone"}); r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad visibility: %s", r)
		}
	})
}
