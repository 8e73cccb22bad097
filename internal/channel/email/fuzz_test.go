package email_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"tessera/internal/channel/email"
)

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte("From: a@b\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: message/rfc822\n\n--x"))
	f.Add([]byte("Subject: =?utf-8?q?=E2=80?=\nFrom: =?x-unknown?b?AAAA?= <a@b>\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := email.Parse(raw, email.Options{MaxAttachmentBytes: 64, MaxMessageBytes: 1 << 20})
		if err != nil {
			if m != nil {
				t.Fatal("a message and an error")
			}
			return
		}
		for _, a := range m.Attachments {
			if a.OverSize != (a.Data == nil) || a.Size > 64 && !a.OverSize {
				t.Fatalf("attachment %q: size %d, over-size %v, %d bytes kept", a.Filename, a.Size, a.OverSize, len(a.Data))
			}
		}
		if strings.TrimSpace(m.Text) != "" && strings.TrimSpace(m.NewText) == "" {
			t.Fatalf("folded %q down to nothing", m.Text)
		}
	})
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{
		"Yes.\n\nOn Mon, 20 Nov 2026, Bob <bob@x.example> wrote:\n> q",
		"Done.\n\nDe: Bob <bob@x.example>\nEnviado el: lunes\n\nold",
		"כן.\n\nב-20.11.2026 10:00 נכתב:\n> ש",
		"Answer.\n\n-- \nBob",
		"> a\n> b\n\n--\n",
		`<div>New</div><div class="gmail_quote">Old</div>`,
		`<div>New</div><blockquote type="cite">Old</blockquote><div id="divRplyFwdMsg">x</div>`,
		`<table><tr><td><div>From: a Sent: b</div></td></tr></table><p>x`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, folded := email.FoldText(s)
		if strings.TrimSpace(s) != "" && strings.TrimSpace(out) == "" {
			t.Fatalf("FoldText(%q) = %q", s, out)
		}
		if folded && len(out) > len(s)+len(s)/2 {
			t.Fatalf("FoldText grew %d → %d", len(s), len(out))
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("FoldText made invalid UTF-8 of %q", s)
		}
		h, folded := email.FoldHTML(s)
		if !folded && h != s {
			t.Fatalf("FoldHTML changed %q without folding", s)
		}
	})
}
