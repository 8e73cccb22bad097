package agent

import (
	"html"
	"html/template"
	"strings"
)

// marked turns a highlight from the search service into HTML that keeps
// only its <mark> tags. The service escapes the text and adds the marks;
// this does not trust that: every piece between marks is unescaped and
// escaped again, and marks are re-balanced, so nothing but text and
// <mark>…</mark> reaches the page whatever the string holds.
func marked(s string) template.HTML {
	var b strings.Builder
	open := false
	for s != "" {
		i := strings.Index(s, "<mark>")
		j := strings.Index(s, "</mark>")
		var text, tag string
		switch {
		case i < 0 && j < 0:
			text, s = s, ""
		case j < 0 || (i >= 0 && i < j):
			text, tag, s = s[:i], "<mark>", s[i+len("<mark>"):]
		default:
			text, tag, s = s[:j], "</mark>", s[j+len("</mark>"):]
		}
		b.WriteString(html.EscapeString(html.UnescapeString(text)))
		switch {
		case tag == "<mark>" && !open:
			b.WriteString(tag)
			open = true
		case tag == "</mark>" && open:
			b.WriteString(tag)
			open = false
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}
