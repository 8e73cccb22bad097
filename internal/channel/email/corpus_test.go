package email_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tessera/internal/channel/email"
	"tessera/internal/ticket"
)

// corpusWant is what a message of testdata/corpus must parse to: each
// NAME.eml has its NAME.json, written by hand with the message.
type corpusWant struct {
	Subject       string        `json:"subject"`
	From          email.Address `json:"from"`
	Text          string        `json:"text"` // the new text, exactly
	Attachments   []string      `json:"attachments"`
	Class         email.Class   `json:"class"`
	FullHas       []string      `json:"full_has"`
	HTMLHas       []string      `json:"html_has"` // in the sanitised HTML
	HTMLNot       []string      `json:"html_not"` // not in the sanitised HTML
	Warnings      bool          `json:"warnings"`
	NoDate        bool          `json:"no_date"`
	SubjectTicket int64         `json:"subject_ticket"`
}

// TestCorpus parses the tricky-message corpus: odd charsets, broken MIME,
// missing and huge headers, nested forwards, HTML with scripts and
// tracking pixels, TNEF, calendar invites, inline images, RTL text and
// loop-prone machine mail.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/corpus/*.eml")
	if err != nil || len(files) < 35 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := os.ReadFile(strings.TrimSuffix(file, ".eml") + ".json")
			if err != nil {
				t.Fatal(err)
			}
			var want corpusWant
			if err := json.Unmarshal(spec, &want); err != nil {
				t.Fatal(err)
			}
			m, err := email.Parse(raw, email.Options{MaxAttachmentBytes: 2000, Inboxes: []string{"support@acme.example"}})
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != want.Subject {
				t.Errorf("subject = %q, want %q", m.Subject, want.Subject)
			}
			if m.From != want.From {
				t.Errorf("from = %+v, want %+v", m.From, want.From)
			}
			if m.NewText != want.Text {
				t.Errorf("text =\n%q\nwant\n%q", m.NewText, want.Text)
			}
			got := []string{}
			for _, a := range m.Attachments {
				got = append(got, att(a))
			}
			if want.Attachments == nil {
				want.Attachments = []string{}
			}
			if !slices.Equal(got, want.Attachments) {
				t.Errorf("attachments = %q, want %q", got, want.Attachments)
			}
			if m.Class != want.Class {
				t.Errorf("class = %q, want %q", m.Class, want.Class)
			}
			for _, s := range want.FullHas {
				if !strings.Contains(m.Text, s) {
					t.Errorf("full text lacks %q: %q", s, m.Text)
				}
			}
			html := m.NewHTML
			if html == "" {
				html = m.HTML
			}
			safe := ticket.SanitizeMailHTML(html, nil)
			for _, s := range want.HTMLHas {
				if !strings.Contains(safe, s) {
					t.Errorf("sanitised html lacks %q: %s", s, safe)
				}
			}
			for _, s := range want.HTMLNot {
				if strings.Contains(safe, s) {
					t.Errorf("sanitised html still has %q: %s", s, safe)
				}
			}
			if want.Warnings && len(m.Warnings) == 0 {
				t.Error("no warnings for a damaged message")
			}
			if want.NoDate && !m.Date.IsZero() {
				t.Errorf("date = %s, want none", m.Date)
			}
			if m.SubjectTicket != want.SubjectTicket {
				t.Errorf("subject ticket = %d, want %d", m.SubjectTicket, want.SubjectTicket)
			}
		})
	}
}
