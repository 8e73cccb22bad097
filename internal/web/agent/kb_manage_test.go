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
)

var onePixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// TestKBFilesPages: an agent uploads files from the editor; the editor
// offers their Markdown; the help centre serves them to whoever may read
// the article (images inline, other files as downloads, never sniffed) and
// lists them under the article.
func TestKBFilesPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		ctx := context.Background()
		mk := func(title, vis string) kb.Article {
			st := kb.Published
			a, err := e.f.KB.Create(ctx, e.f.Agent, kb.ArticleInput{Title: &title, Status: &st, Visibility: &vis})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		pub, internal := mk("Printer setup", kb.Public), mk("Internal runbook", kb.Agents)
		edit := fmt.Sprintf("/kb/%d", pub.ID)
		r := e.postMultipart(rAgent, edit+"/files/upload", nil, upload{"screen.png", "image/png", onePixelPNG}, upload{"manual.html", "text/html", []byte("<script>alert(1)</script>")})
		wantCode(t, "upload", r, http.StatusSeeOther)
		files, err := e.f.KB.Attachments(ctx, auth.System, pub.ID)
		if err != nil || len(files) != 2 {
			t.Fatalf("files: %+v %v", files, err)
		}
		img, doc := files[0], files[1]
		r = e.get(rAgent, edit)
		wantBody(t, "editor", r, html.EscapeString("![screen.png]("+img.URL+")"), html.EscapeString("[manual.html]("+doc.URL+")"))
		// A program is refused on the form.
		r = e.postMultipart(rAgent, edit+"/files/upload", nil, upload{"setup.exe", "application/octet-stream", []byte("MZ")})
		wantCode(t, "program", r, http.StatusUnprocessableEntity)
		// Light agents do not change a published article.
		wantCode(t, "light upload", e.postMultipart(rLight, edit+"/files/upload", nil, upload{"a.png", "image/png", onePixelPNG}), http.StatusUnprocessableEntity)

		r = e.get(rNone, img.URL)
		wantCode(t, "public image", r, http.StatusOK)
		if r.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "inline") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("image headers: %v", r.Header)
		}
		r = e.get(rNone, doc.URL)
		wantCode(t, "public download", r, http.StatusOK)
		if r.Header.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") ||
			!strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("download headers: %v", r.Header)
		}
		// The article page lists the files.
		wantBody(t, "portal article", e.get(rNone, fmt.Sprintf("/help/articles/%d-%s", pub.ID, pub.Slug)), `class="kb-files"`, "manual.html")
		// An internal article's file: agents only.
		r = e.postMultipart(rAgent, fmt.Sprintf("/kb/%d/files/upload", internal.ID), nil, upload{"runbook.png", "image/png", onePixelPNG})
		wantCode(t, "internal upload", r, http.StatusSeeOther)
		ifiles, _ := e.f.KB.Attachments(ctx, auth.System, internal.ID)
		wantCode(t, "internal, signed out", e.get(rNone, ifiles[0].URL), http.StatusNotFound)
		wantCode(t, "internal, agent", e.get(rLight, ifiles[0].URL), http.StatusOK)
		// Delete.
		wantCode(t, "delete", e.post(rAgent, fmt.Sprintf("%s/files/%d/delete", edit, doc.ID), url.Values{}), http.StatusSeeOther)
		wantCode(t, "deleted file", e.get(rNone, doc.URL), http.StatusNotFound)
	})
}

// TestKBRevisionPages: an earlier version shows with what changed since,
// and restoring it makes it current again, as a new revision.
func TestKBRevisionPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		ctx := context.Background()
		title, body := "Reset a password", "Open Settings.\nChoose Password."
		a, err := e.f.KB.Create(ctx, e.f.Agent, kb.ArticleInput{Title: &title, Body: &body})
		if err != nil {
			t.Fatal(err)
		}
		body2 := "Open Settings.\nChoose Security."
		if _, err := e.f.KB.Update(ctx, e.f.Agent2, a.ID, kb.ArticleInput{Body: &body2}); err != nil {
			t.Fatal(err)
		}
		revs, _ := e.f.KB.Revisions(ctx, auth.System, a.ID)
		path := fmt.Sprintf("/kb/%d/revisions/%d", a.ID, revs[0].ID)
		wantBody(t, "editor links it", e.get(rAgent, fmt.Sprintf("/kb/%d", a.ID)), path)
		r := e.get(rLight, path)
		wantBody(t, "revision", r, "<del>Choose Password.</del>", "<ins>Choose Security.</ins>", "1 lines added and 1 removed")
		wantCode(t, "restore", e.post(rLight, path+"/restore", url.Values{}), http.StatusSeeOther)
		got, _ := e.f.KB.Get(ctx, auth.System, a.ID)
		if got.Body != body || got.AuthorID == nil || *got.AuthorID != e.f.Light.ID {
			t.Fatalf("restored: %+v", got)
		}
		wantCode(t, "signed out", e.get(rNone, path), http.StatusSeeOther)
		wantCode(t, "wrong article", e.get(rAgent, fmt.Sprintf("/kb/%d/revisions/%d", a.ID, revs[0].ID+999)), http.StatusNotFound)
	})
}

// TestKBCategoryPages: admins create, nest, reorder, rename and delete
// categories; deleting one that is not empty is refused with the reason;
// other agents get the forbidden page.
func TestKBCategoryPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		ctx := context.Background()
		for _, role := range []string{rAgent, rLight, rTeam} {
			wantCode(t, role, e.get(role, "/kb/categories"), http.StatusForbidden)
			wantCode(t, role, e.post(role, "/kb/categories", url.Values{"name": {"x"}}), http.StatusForbidden)
		}
		r := e.post(rAdmin, "/kb/categories", url.Values{"name": {"Pagamentos"}, "locale": {"pt-BR"}, "position": {"2"}})
		wantCode(t, "create", r, http.StatusSeeOther)
		cats, _ := e.f.KB.Categories(ctx, "pt-BR")
		if len(cats) != 1 {
			t.Fatalf("categories: %+v", cats)
		}
		top := cats[0]
		wantCode(t, "section", e.post(rAdmin, "/kb/categories", url.Values{"name": {"Reembolsos"}, "locale": {"pt-BR"}, "parent_id": {fmt.Sprint(top.ID)}}), http.StatusSeeOther)
		wantCode(t, "bad position", e.post(rAdmin, "/kb/categories", url.Values{"name": {"X"}, "locale": {"en"}, "position": {"first"}}), http.StatusUnprocessableEntity)
		wantCode(t, "no name", e.post(rAdmin, "/kb/categories", url.Values{"name": {" "}, "locale": {"en"}}), http.StatusUnprocessableEntity)
		r = e.get(rAdmin, "/kb/categories")
		wantBody(t, "tree", r, "Pagamentos", `class="kb-section-row"`, "Reembolsos")
		edit := fmt.Sprintf("/kb/categories/%d", top.ID)
		wantCode(t, "rename", e.post(rAdmin, edit, url.Values{"name": {"Cobrança"}, "locale": {"pt-BR"}, "position": {"1"}}), http.StatusSeeOther)
		if c, _ := e.f.KB.Category(ctx, top.ID); c.Name != "Cobrança" || c.Position != 1 {
			t.Fatalf("renamed: %+v", c)
		}
		// Translating starts from the category, in another language.
		r = e.get(rAdmin, fmt.Sprintf("/kb/categories?translate=%d", top.ID))
		wantBody(t, "translate form", r, fmt.Sprintf(`<option value="%d" selected>Cobrança (pt-BR)</option>`, top.ID))
		wantCode(t, "translation", e.post(rAdmin, "/kb/categories", url.Values{"name": {"Facturación"}, "locale": {"es"}, "translation_of": {fmt.Sprint(top.ID)}}), http.StatusSeeOther)
		if es, _ := e.f.KB.Categories(ctx, "es"); len(es) != 1 || es[0].TranslationOf == nil || *es[0].TranslationOf != top.ID {
			t.Fatalf("translation: %+v", es)
		}
		r = e.post(rAdmin, edit+"/delete", url.Values{})
		wantCode(t, "not empty", r, http.StatusUnprocessableEntity)
		wantBody(t, "reason", r, "1 sections and 0 articles")
		cats, _ = e.f.KB.Categories(ctx, "pt-BR")
		for _, c := range cats {
			if c.ParentID != nil {
				wantCode(t, "delete section", e.post(rAdmin, fmt.Sprintf("/kb/categories/%d/delete", c.ID), url.Values{}), http.StatusSeeOther)
			}
		}
		wantCode(t, "delete", e.post(rAdmin, edit+"/delete", url.Values{}), http.StatusSeeOther)
		wantCode(t, "deleted", e.get(rAdmin, edit), http.StatusNotFound)
	})
}
