// Package richtext turns what people type into what is stored and shown:
// Markdown to HTML, and any HTML through one sanitising policy.
package richtext

import (
	"bytes"
	stdhtml "html"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

var (
	md = goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
	policyOnce sync.Once
	policy     *bluemonday.Policy
)

func sanitizer() *bluemonday.Policy {
	policyOnce.Do(func() {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		policy = p
	})
	return policy
}

// Markdown renders Markdown (or plain text, which is valid Markdown) to
// sanitised HTML. Raw HTML in the input is dropped by goldmark's default and
// the result passes the sanitiser all the same.
func Markdown(src string) string {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return "<p>" + htmlEscape(src) + "</p>"
	}
	return Sanitize(buf.String())
}

// Sanitize keeps the safe subset of an HTML fragment.
func Sanitize(h string) string { return sanitizer().Sanitize(h) }

func htmlEscape(s string) string {
	return strings.ReplaceAll(stdhtml.EscapeString(s), "\n", "<br>")
}
