package kb_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/kb"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// pngBytes is a 1×1 PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func TestArticleFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		ctx := context.Background()
		s := f.KB
		article := func(vis, status string) kb.Article {
			a, err := s.Create(ctx, f.Agent, kb.ArticleInput{Title: ptr("Files " + vis + " " + status), Status: ptr(status), Visibility: ptr(vis)})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		public, customers, agents := article(kb.Public, kb.Published), article(kb.Customers, kb.Published), article(kb.Agents, kb.Published)
		files := []ticket.AttachmentInput{{Filename: "screen.png", Data: pngBytes}, {Filename: `C:\docs\guide.pdf`, ContentType: "application/pdf", Data: []byte("%PDF-1.4 guide")}}
		got, err := s.Attach(ctx, f.Agent, public.ID, files)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !got[0].Image || got[0].ContentType != "image/png" || got[1].Image || got[1].Filename != "guide.pdf" ||
			!strings.HasPrefix(got[0].URL, "/help/kb-files/") || got[0].AuthorID == nil || *got[0].AuthorID != f.Agent.ID {
			t.Fatalf("attached: %+v", got)
		}
		// The limits of ticket attachments apply.
		if _, err := s.Attach(ctx, f.Agent, public.ID, []ticket.AttachmentInput{{Filename: "run.exe", Data: []byte("MZ")}}); err == nil {
			t.Fatal("a program was attached")
		} else if _, ok := validation.As(err); !ok {
			t.Fatalf("want a field error: %v", err)
		}
		if _, err := s.Attach(ctx, f.Agent, public.ID, nil); err == nil {
			t.Fatal("nothing attached without an error")
		}
		// Light agents do not change published articles.
		if _, err := s.Attach(ctx, f.Light, public.ID, files[:1]); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("light agent attached to a published article: %v", err)
		}
		cf, err := s.Attach(ctx, f.Agent, customers.ID, files[:1])
		if err != nil {
			t.Fatal(err)
		}
		af, err := s.Attach(ctx, f.Agent, agents.ID, files[:1])
		if err != nil {
			t.Fatal(err)
		}
		contact := auth.Actor{Kind: auth.KindContact, ID: 1}
		// Who reads each file: whoever may read its article.
		for _, tc := range []struct {
			name  string
			actor auth.Actor
			id    int64
			ok    bool
		}{
			{"anonymous, public", kb.Anonymous, got[0].ID, true},
			{"anonymous, customers", kb.Anonymous, cf[0].ID, false},
			{"contact, customers", contact, cf[0].ID, true},
			{"contact, agents", contact, af[0].ID, false},
			{"light agent, agents", f.Light, af[0].ID, true},
		} {
			a, data, err := s.AttachmentData(ctx, tc.actor, tc.id)
			if tc.ok && (err != nil || len(data) == 0 || a.ID != tc.id) {
				t.Errorf("%s: %v", tc.name, err)
			}
			if !tc.ok && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: want not found, got %v", tc.name, err)
			}
		}
		// A draft's files are the agents'.
		draft := article(kb.Public, kb.Draft)
		df, err := s.Attach(ctx, f.Light, draft.ID, files[:1])
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AttachmentData(ctx, kb.Anonymous, df[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("draft's file served: %v", err)
		}
		if list, err := s.Attachments(ctx, kb.Anonymous, public.ID); err != nil || len(list) != 2 {
			t.Fatalf("list: %+v %v", list, err)
		}
		if err := s.DeleteAttachment(ctx, f.Agent, customers.ID, got[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted through another article: %v", err)
		}
		if err := s.DeleteAttachment(ctx, f.Agent, public.ID, got[0].ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.Attachments(ctx, f.Agent, public.ID); len(list) != 1 || list[0].ID != got[1].ID {
			t.Fatalf("after delete: %+v", list)
		}
		// The bytes stay for the other article that shares them.
		if _, data, err := s.AttachmentData(ctx, f.Agent, cf[0].ID); err != nil || len(data) != len(pngBytes) {
			t.Fatalf("shared blob: %v", err)
		}
	})
}

func TestRestoreRevision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		ctx := context.Background()
		s := f.KB
		a, err := s.Create(ctx, f.Agent, kb.ArticleInput{Title: ptr("Reset your password"), Body: ptr("Step one.\nStep two."), Tags: ptr([]string{"login"}), Status: ptr(kb.Published)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(ctx, f.Agent2, a.ID, kb.ArticleInput{Title: ptr("Reset a password"), Body: ptr("Step one.\nStep 2.\nStep three."), Tags: ptr([]string{"password"})}); err != nil {
			t.Fatal(err)
		}
		revs, err := s.Revisions(ctx, f.Agent, a.ID)
		if err != nil || len(revs) != 1 || revs[0].Title != "Reset your password" || strings.Join(revs[0].Tags, ",") != "login" {
			t.Fatalf("revisions: %+v %v", revs, err)
		}
		first := revs[0]
		if _, err := s.Restore(ctx, f.Light, a.ID, first.ID); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("light agent restored a published article: %v", err)
		}
		if _, err := s.Restore(ctx, kb.Anonymous, a.ID, first.ID); err == nil {
			t.Fatal("anonymous restore")
		}
		restored, err := s.Restore(ctx, f.Admin, a.ID, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if restored.Title != "Reset your password" || restored.Body != "Step one.\nStep two." || strings.Join(restored.Tags, ",") != "login" ||
			restored.Status != kb.Published || restored.AuthorID == nil || *restored.AuthorID != f.Admin.ID {
			t.Fatalf("restored: %+v", restored)
		}
		revs, _ = s.Revisions(ctx, f.Agent, a.ID)
		if len(revs) != 2 || revs[0].Title != "Reset a password" || revs[0].RestoredFrom == nil || *revs[0].RestoredFrom != first.ID ||
			revs[0].AuthorID == nil || *revs[0].AuthorID != f.Agent2.ID {
			t.Fatalf("revisions after restore: %+v", revs)
		}
		if _, err := s.Revision(ctx, f.Agent, a.ID+1000, first.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revision of another article: %v", err)
		}
	})
}

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want string
	}{
		{"x\ny", "x\ny", "=x =y"},
		{"x\ny", "x\nz", "=x -y +z"},
		{"", "a", "- +a"},
		{"a\nb\nc", "a\nc", "=a -b =c"},
		{"a\nc", "a\nb\nc", "=a +b =c"},
	} {
		var parts []string
		for _, d := range kb.Diff(tc.a, tc.b) {
			parts = append(parts, d.Op+d.Text)
		}
		if got := strings.Join(parts, " "); got != tc.want {
			t.Errorf("Diff(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCategoryNesting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		ctx := context.Background()
		s := f.KB
		top, err := s.CreateCategory(ctx, f.Admin, kb.CategoryInput{Name: ptr("Billing"), Position: ptr(2)})
		if err != nil {
			t.Fatal(err)
		}
		sec, err := s.CreateCategory(ctx, f.Admin, kb.CategoryInput{Name: ptr("Refunds"), ParentID: &top.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateCategory(ctx, f.Admin, top.ID, kb.CategoryInput{ParentID: &sec.ID}); err == nil {
			t.Fatal("a category became a section of its own section")
		}
		if _, err := s.CreateCategory(ctx, f.Agent, kb.CategoryInput{Name: ptr("x")}); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("agent created a category: %v", err)
		}
		moved, err := s.UpdateCategory(ctx, f.Admin, sec.ID, kb.CategoryInput{ParentID: ptr(int64(0)), Name: ptr("Refunds and returns"), Position: ptr(1), Locale: ptr("es")})
		if err != nil || moved.ParentID != nil || moved.Name != "Refunds and returns" || moved.Position != 1 || moved.Locale != "es" {
			t.Fatalf("moved: %+v %v", moved, err)
		}
		// A translation names the category it translates.
		es, err := s.CreateCategory(ctx, f.Admin, kb.CategoryInput{Name: ptr("Facturación"), Locale: ptr("es"), TranslationOf: &top.ID})
		if err != nil || es.TranslationOf == nil || *es.TranslationOf != top.ID {
			t.Fatalf("translation: %+v %v", es, err)
		}
		if _, err := s.CreateCategory(ctx, f.Admin, kb.CategoryInput{Name: ptr("x"), TranslationOf: ptr(int64(99999))}); err == nil {
			t.Fatal("translation of nothing accepted")
		} else if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "translation_of" {
			t.Fatalf("want a field error on translation_of: %v", err)
		}
		if _, err := s.UpdateCategory(ctx, f.Admin, es.ID, kb.CategoryInput{TranslationOf: &es.ID}); err == nil {
			t.Fatal("a category translates itself")
		}
		if un, err := s.UpdateCategory(ctx, f.Admin, es.ID, kb.CategoryInput{TranslationOf: ptr(int64(0))}); err != nil || un.TranslationOf != nil {
			t.Fatalf("unlinked: %+v %v", un, err)
		}
	})
}
