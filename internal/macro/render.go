package macro

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"tessera/internal/people"
	"tessera/internal/ticket"
)

// Placeholders a macro's text may use. Anything else between {{ and }} is
// refused when the macro is saved, so a typo shows up to its author rather
// than to a customer.
var Placeholders = []string{
	"ticket.number", "ticket.subject", "ticket.status", "ticket.priority",
	"requester.name", "requester.first_name", "requester.email",
	"organization.name", "agent.name", "agent.first_name",
}

// customFieldPrefix names a ticket's custom field by its key.
const customFieldPrefix = "ticket.custom_fields."

// placeholder matches {{ name }}; only names of dotted words are
// placeholders, so the text is never a template language: nothing runs,
// nothing else is interpreted.
var (
	placeholder = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
	fieldKey    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,49}$`)
)

// known reports whether name is a placeholder Render fills.
func known(name string) bool {
	if key, ok := strings.CutPrefix(name, customFieldPrefix); ok {
		return fieldKey.MatchString(key)
	}
	return slices.Contains(Placeholders, name)
}

// Unknown returns the placeholders of text that Render does not know, in
// the order they first appear.
func Unknown(text string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if !known(m[1]) && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// Render replaces the known placeholders of text by their values; a value
// that is missing renders empty. An unknown placeholder (one saved before
// the rules changed) stays as written, for the agent to see in the
// preview.
func Render(text string, values map[string]string) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		name := placeholder.FindStringSubmatch(m)[1]
		if !known(name) {
			return m
		}
		return values[name]
	})
}

// Subject is what a macro's placeholders are filled from: the ticket, its
// requester and their organization (either may be missing), and the agent
// applying the macro.
type Subject struct {
	Ticket       ticket.Ticket
	Requester    *people.Contact
	Organization *people.Organization
	AgentName    string
}

// Values are the placeholders' values for s.
func Values(s Subject) map[string]string {
	v := map[string]string{
		"ticket.number":    fmt.Sprint(s.Ticket.Number),
		"ticket.subject":   s.Ticket.Subject,
		"ticket.status":    s.Ticket.Status,
		"ticket.priority":  s.Ticket.Priority,
		"agent.name":       s.AgentName,
		"agent.first_name": firstName(s.AgentName),
	}
	if s.Ticket.Number == 0 {
		v["ticket.number"] = ""
	}
	if r := s.Requester; r != nil {
		v["requester.name"] = r.Name
		v["requester.first_name"] = firstName(r.Name)
		v["requester.email"] = r.Email
	} else if r := s.Ticket.Requester; r != nil {
		v["requester.name"] = r.Name
		v["requester.first_name"] = firstName(r.Name)
		v["requester.email"] = r.Email
	}
	if s.Organization != nil {
		v["organization.name"] = s.Organization.Name
	}
	for k, x := range s.Ticket.CustomFields {
		v[customFieldPrefix+k] = fieldText(x)
	}
	return v
}

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}

// fieldText writes a custom field's value as a reader expects it: lists
// joined with commas, whole numbers without a decimal point.
func fieldText(x any) string {
	switch v := x.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		if v == float64(int64(v)) {
			return fmt.Sprint(int64(v))
		}
		return fmt.Sprint(v)
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			parts = append(parts, fieldText(e))
		}
		return strings.Join(parts, ", ")
	case []string:
		return strings.Join(v, ", ")
	}
	return fmt.Sprint(x)
}

// Pick returns the text of m in lang, or in the nearest language it has
// (the same language of another region), falling back to m's own.
func Pick(m Macro, lang string) (text, locale string) {
	if lang == "" || strings.EqualFold(lang, m.Locale) {
		return m.Body, m.Locale
	}
	keys := make([]string, 0, len(m.Translations))
	for k := range m.Translations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.EqualFold(k, lang) && strings.TrimSpace(m.Translations[k]) != "" {
			return m.Translations[k], k
		}
	}
	base := func(l string) string { b, _, _ := strings.Cut(strings.ToLower(l), "-"); return b }
	if base(lang) == base(m.Locale) {
		return m.Body, m.Locale
	}
	for _, k := range keys {
		if base(k) == base(lang) && strings.TrimSpace(m.Translations[k]) != "" {
			return m.Translations[k], k
		}
	}
	return m.Body, m.Locale
}
