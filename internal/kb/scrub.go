package kb

import (
	"regexp"
	"sort"
	"strings"
)

// Personal data an article written from a ticket must not carry: the
// people's names, addresses, phone numbers and long numbers (documents,
// cards, orders). What is left is the question and the answer.
var (
	emailRE  = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}`)
	phoneRE  = regexp.MustCompile(`\+?\(?\d[\d\s().-]{7,}\d`)
	numberRE = regexp.MustCompile(`\b\d{5,}\b`)
	urlRE    = regexp.MustCompile(`https?://\S+`)
)

// Scrub removes personal data from text: e-mail addresses, URLs (they
// often carry tokens), phone and other long numbers, and the given names
// (whole words, longest first, case-insensitive).
func Scrub(text string, names []string) string {
	text = emailRE.ReplaceAllString(text, "[e-mail]")
	text = urlRE.ReplaceAllString(text, "[link]")
	text = phoneRE.ReplaceAllString(text, "[number]")
	text = numberRE.ReplaceAllString(text, "[number]")
	var parts []string
	for _, n := range names {
		for _, p := range strings.Fields(n) {
			if len([]rune(p)) >= 3 {
				parts = append(parts, regexp.QuoteMeta(p))
			}
		}
	}
	if len(parts) > 0 {
		sort.Slice(parts, func(i, j int) bool { return len(parts[i]) > len(parts[j]) })
		re := regexp.MustCompile(`(?i)(^|[^\p{L}])(` + strings.Join(parts, "|") + `)([^\p{L}]|$)`)
		// Twice: adjacent names share the separator between them.
		for range 2 {
			text = re.ReplaceAllString(text, "${1}[name]${3}")
		}
	}
	return text
}

// FromConversation drafts an article from a solved ticket: the subject as
// title, the customer's question and the agent's answer as body, without
// personal data.
func FromConversation(subject, question, answer string, names []string) (title, body string) {
	title = Scrub(strings.TrimSpace(subject), names)
	var b strings.Builder
	b.WriteString("## Question\n\n")
	b.WriteString(strings.TrimSpace(Scrub(question, names)))
	b.WriteString("\n\n## Answer\n\n")
	b.WriteString(strings.TrimSpace(Scrub(answer, names)))
	b.WriteString("\n")
	return title, b.String()
}
