package automation

import (
	"regexp"
	"slices"
	"strings"

	"tessera/internal/validation"
)

// Placeholders a note or email template may use, written {{ticket.number}}.
var Placeholders = []string{
	"ticket.id", "ticket.number", "ticket.subject", "ticket.status", "ticket.priority", "ticket.type",
	"ticket.url", "requester.name", "requester.first_name", "requester.email",
	"assignee.name", "team.name", "rule.name",
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([a-z_]+(?:\.[a-z_]+)+)\s*\}\}`)

// checkTemplate reports placeholders that Render would not know, so a typo
// is caught when the rule is saved and not in a customer's inbox.
func checkTemplate(path, s string, c *validation.Collector) {
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(Placeholders, m[1]) {
			c.Add(path, "unknown placeholder {{%s}} (use %s)", m[1], strings.Join(Placeholders, ", "))
			return
		}
	}
}

// Render replaces the placeholders of a template with vars (keyed as
// Placeholders names them); a known placeholder without a value becomes
// empty text, anything else is left as written.
func Render(tmpl string, vars map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		key := placeholderRE.FindStringSubmatch(m)[1]
		if v, ok := vars[key]; ok {
			return v
		}
		if slices.Contains(Placeholders, key) {
			return ""
		}
		return m
	})
}
