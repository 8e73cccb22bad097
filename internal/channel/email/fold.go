package email

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"

	"github.com/inbucket/html2text"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Folding is heuristic by nature: it looks for the markers mail clients
// put in front of the mail they quote (an attribution line, Outlook's
// header block, Gmail's and Apple's HTML wrappers) and for signatures,
// and keeps what comes before. It never folds a message down to nothing:
// when the marker is the first thing in the mail (a forward, a reply
// written below the quote) the whole text is kept.

const (
	// maxAttribution bounds how long an attribution line may be, so that
	// a long paragraph that happens to end in "wrote:" is not taken for one.
	maxAttribution = 400
	// maxFoldLines bounds the lines folding looks at, so that a hostile
	// message costs linear time in a bounded window.
	maxFoldLines = 20000
	// htmlBudget bounds the nodes FoldHTML's text heuristics visit.
	htmlBudget = 200000
)

var attribution = []*regexp.Regexp{
	regexp.MustCompile(`(?i)^on\s.{4,}\swrote\s*:$`),
	regexp.MustCompile(`(?i)^em\s.{4,}\sescreveu\s*:$`),
	regexp.MustCompile(`(?i)^el\s.{4,}\sescribi[oó]\s*:$`),
	regexp.MustCompile(`(?i)^le\s.{4,}\sa\s[ée]crit\s*:$`),
	regexp.MustCompile(`(?i)^am\s.{4,}\sschrieb.{0,80}:$`),
	// Hebrew: Gmail's "בתאריך ... מאת ...:", Apple's and Outlook's
	// "ב-... כתב/ה:", and "... נכתב:".
	regexp.MustCompile(`^בתאריך\s.{4,}\sמאת\s.+:$`),
	regexp.MustCompile(`^.{4,}\s(כתב|כתבה|כתב/ה|כתב\(ה\)|נכתב)\s*:$`),
}

// attributionNeeds is what an attribution line always has: a date (a
// digit) or an address. "On the other hand she wrote:" has neither.
func attributionNeeds(s string) bool {
	return strings.ContainsAny(s, "0123456789@")
}

var (
	separator = regexp.MustCompile(`(?i)^-{2,}\s*(original message|mensagem original|mensaje original|message d'origine|ursprüngliche nachricht|הודעה מקורית)\s*-{2,}$`)
	underline = regexp.MustCompile(`^_{10,}$`)
	fromKey   = regexp.MustCompile(`(?i)^\*?(from|de|von|מאת)\s*:\*?\s*\S`)
	sentKey   = regexp.MustCompile(`(?i)^\*?(sent|date|enviado|enviado el|enviado em|enviada em|enviada|fecha|data|gesendet|נשלח|תאריך)\s*:`)
	forwarded = regexp.MustCompile(`(?i)(forwarded message|begin forwarded message|mensagem encaminhada|mensaje reenviado|início da mensagem encaminhada|comienzo del mensaje reenviado|הודעה שהועברה|הודעה מועברת)`)
)

// mobile are how the signatures phones and mail apps append start.
var mobile = []string{
	"sent from my ", "sent from outlook", "sent from mail for windows", "sent from yahoo mail", "sent from samsung",
	"sent from proton mail", "sent with proton mail", "get outlook for ", "sent via ", "sent from the all new aol app",
	"enviado do meu ", "enviado de meu ", "enviado do outlook", "enviado do email", "obter o outlook para", "baixe o outlook",
	"enviado desde mi ", "enviado desde outlook", "enviado desde correo", "obtener outlook para",
	"נשלח מה-", "נשלח מ-", "נשלח מה", "נשלח מהאייפון", "נשלח מהטלפון", "קבל את outlook",
}

func isMobileSignature(s string) bool {
	s = strings.ToLower(strings.TrimSpace(stripBidi(s)))
	if len(s) > 120 {
		return false
	}
	for _, p := range mobile {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// stripBidi drops the invisible direction marks Gmail and Outlook wrap
// around Hebrew attribution lines and addresses.
func stripBidi(s string) string {
	if !strings.ContainsFunc(s, isBidi) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBidi(r) {
			return -1
		}
		return r
	}, s)
}

func isBidi(r rune) bool {
	switch {
	case r == '\u200e', r == '\u200f', r == '\u061c', r == '\ufeff':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

func clean(line string) string {
	return strings.TrimSpace(strings.ReplaceAll(stripBidi(line), "\u00a0", " "))
}

func isAttribution(s string) bool {
	if len(s) > maxAttribution || !attributionNeeds(s) {
		return false
	}
	for _, re := range attribution {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

func isQuoted(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(stripBidi(line), " "), ">")
}

// FoldText splits a plain-text mail into what the author newly wrote and
// the quoted earlier mail and signature after it. It returns the new part
// and whether anything was folded; when folding would leave nothing, it
// returns the whole text, trimmed, and false.
func FoldText(text string) (string, bool) {
	text = normaliseText(text)
	lines := strings.Split(text, "\n")
	if len(lines) > maxFoldLines {
		lines = lines[:maxFoldLines]
	}
	cut := quoteStart(lines)
	cut = trailingQuotes(lines, cut)
	cut = signatureStart(lines, cut)
	out := strings.TrimRightFunc(strings.Join(lines[:cut], "\n"), unicode.IsSpace)
	out = strings.TrimLeft(out, "\n")
	full := strings.TrimSpace(text)
	if strings.TrimSpace(out) == "" {
		return full, false
	}
	return out, out != full
}

// quoteStart is the index of the line where the quoted earlier mail
// starts, or len(lines).
func quoteStart(lines []string) int {
	for i := 0; i < len(lines); i++ {
		c := clean(lines[i])
		if c == "" || isQuoted(lines[i]) {
			continue
		}
		// An attribution line, wrapped over up to four lines by the
		// sender's client.
		joined := c
		for j := i; j < len(lines) && j < i+4; j++ {
			if j > i {
				n := clean(lines[j])
				if n == "" {
					break
				}
				joined += " " + n
			}
			if isAttribution(joined) {
				return i
			}
		}
		if separator.MatchString(c) {
			return i
		}
		if underline.MatchString(c) && i+1 < len(lines) && outlookBlock(lines, nextNonBlank(lines, i+1)) {
			return i
		}
		if outlookBlock(lines, i) && !afterForwardMarker(lines, i) {
			return i
		}
	}
	return len(lines)
}

func nextNonBlank(lines []string, i int) int {
	for i < len(lines) && clean(lines[i]) == "" {
		i++
	}
	return i
}

// outlookBlock says whether lines[i] starts Outlook's "From: / Sent:"
// header block (in any of the languages): a From line with a Sent or
// Date line among the next few.
func outlookBlock(lines []string, i int) bool {
	if i >= len(lines) || !fromKey.MatchString(clean(lines[i])) {
		return false
	}
	for j := i + 1; j < len(lines) && j <= i+5; j++ {
		if sentKey.MatchString(clean(lines[j])) {
			return true
		}
	}
	return false
}

// afterForwardMarker says whether the header block at i belongs to a
// forwarded message, which is content, not a quote.
func afterForwardMarker(lines []string, i int) bool {
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		if c := clean(lines[j]); c != "" {
			return forwarded.MatchString(c)
		}
	}
	return false
}

// trailingQuotes moves cut up over a block of "> " lines that ends the
// new part: quoted mail without an attribution line. Quotes between the
// author's own lines (an inline answer) stay.
func trailingQuotes(lines []string, cut int) int {
	i := cut
	sawQuote := false
	for i > 0 {
		l := lines[i-1]
		if isQuoted(l) {
			sawQuote = true
		} else if clean(l) != "" {
			break
		}
		i--
	}
	if sawQuote {
		return i
	}
	return cut
}

// signatureStart finds a signature at the end of lines[:cut]: the "-- "
// delimiter (followed by a short block) or a phone's "Sent from my ...".
func signatureStart(lines []string, cut int) int {
	// Mobile signature among the last three non-blank lines.
	seen := 0
	for i := cut - 1; i >= 0 && seen < 3; i-- {
		c := clean(lines[i])
		if c == "" {
			continue
		}
		seen++
		if isMobileSignature(c) {
			cut = i
			break
		}
	}
	for i := cut - 1; i >= 0 && i >= cut-15; i-- {
		if l := strings.TrimRight(lines[i], "\r"); l == "-- " || l == "--" || l == "—" {
			return i
		}
	}
	return cut
}

// FoldHTML folds the quoted earlier mail and signature out of an HTML
// body; run it before sanitising. It returns the new part (the body's
// content) and whether anything was folded; when folding would leave
// nothing, or the HTML cannot be read, it returns the HTML unchanged and
// false.
func FoldHTML(src string) (string, bool) {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return src, false
	}
	body := findBody(doc)
	if body == nil {
		return src, false
	}
	folded := false
	// The text heuristics may visit this many nodes in all; past it only
	// the markup markers (classes, ids) count.
	budget := htmlBudget
	if n := findQuote(body, &budget); n != nil {
		truncateFrom(n, body)
		folded = true
	}
	if removeSignatures(body, &budget) {
		folded = true
	}
	if !folded {
		return src, false
	}
	if !hasContent(body) {
		return src, false
	}
	var buf bytes.Buffer
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&buf, c); err != nil {
			return src, false
		}
	}
	return strings.TrimSpace(buf.String()), true
}

func findBody(n *html.Node) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == atom.Body {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if b := findBody(c); b != nil {
			return b
		}
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, classes ...string) bool {
	for _, c := range strings.Fields(strings.ToLower(attr(n, "class"))) {
		for _, want := range classes {
			if c == want {
				return true
			}
		}
	}
	return false
}

// quoteIDs are the ids Outlook (desktop, web, new) gives the block that
// starts the quoted mail.
var quoteIDs = map[string]bool{"divrplyfwdmsg": true, "appendonsend": true, "mail-editor-reference-message-container": true, "olk_src_body_section": true}

// isQuoteNode says whether n starts the quoted earlier mail.
func isQuoteNode(n *html.Node, budget *int) bool {
	if n.Type != html.ElementNode {
		return false
	}
	if hasClass(n, "gmail_quote", "gmail_quote_container", "gmail_attr", "moz-cite-prefix", "yahoo_quoted", "outlookmessageheader", "protonmail_quote", "zmail_extra") {
		return true
	}
	if n.DataAtom == atom.Blockquote && strings.EqualFold(attr(n, "type"), "cite") {
		return true
	}
	if quoteIDs[strings.ToLower(attr(n, "id"))] {
		return true
	}
	if n.DataAtom == atom.Hr {
		// Outlook's rule above its header block.
		for s := n.NextSibling; s != nil; s = s.NextSibling {
			if s.Type == html.ElementNode {
				return quoteIDs[strings.ToLower(attr(s, "id"))]
			}
		}
		return false
	}
	switch n.DataAtom {
	case atom.Div, atom.P, atom.Span, atom.Font, atom.Table:
	default:
		return false
	}
	if *budget <= 0 {
		return false
	}
	t := clean(collapse(textOf(n, 2000, budget)))
	if t == "" || len(t) >= 2000 {
		return false
	}
	if isAttribution(t) {
		return true
	}
	// Outlook desktop's header block: a bordered div whose text reads
	// "From: ... Sent: ... To: ... Subject: ...".
	if fromKey.MatchString(t) && len(t) < 1500 {
		lines := strings.Split(blockText(n), "\n")
		for i, l := range lines {
			if clean(l) != "" {
				return outlookBlock(lines, i) || sentInline(t)
			}
		}
	}
	return false
}

var sentInline = regexp.MustCompile(`(?i)\s(sent|enviado|enviado el|enviada em|enviado em|gesendet|נשלח)\s*:`).MatchString

// findQuote is the first node, in document order, that starts the quote.
func findQuote(n *html.Node, budget *int) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if isQuoteNode(c, budget) {
			return c
		}
		if q := findQuote(c, budget); q != nil {
			return q
		}
	}
	return nil
}

// truncateFrom removes n and everything after it in document order, up
// to the end of root.
func truncateFrom(n, root *html.Node) {
	cur, first := n, n
	for cur != nil && cur != root {
		parent := cur.Parent
		if parent == nil {
			return
		}
		for s := first; s != nil; {
			next := s.NextSibling
			parent.RemoveChild(s)
			s = next
		}
		cur, first = parent, parent.NextSibling
	}
}

func isSignatureNode(n *html.Node, budget *int) bool {
	if n.Type != html.ElementNode {
		return false
	}
	if hasClass(n, "gmail_signature", "gmail_signature_prefix", "moz-signature", "signature") {
		return true
	}
	switch strings.ToLower(attr(n, "id")) {
	case "signature", "applemailsignature", "ms-outlook-mobile-signature", "ms-outlook-ios-signature":
		return true
	}
	switch n.DataAtom {
	case atom.Div, atom.P, atom.Span:
		if *budget <= 0 {
			return false
		}
		t := clean(collapse(textOf(n, 200, budget)))
		return t != "" && len(t) < 200 && isMobileSignature(t)
	}
	return false
}

func removeSignatures(n *html.Node, budget *int) bool {
	removed := false
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if isSignatureNode(c, budget) {
			n.RemoveChild(c)
			removed = true
		} else if removeSignatures(c, budget) {
			removed = true
		}
		c = next
	}
	return removed
}

// hasContent says whether anything visible is left.
func hasContent(n *html.Node) bool {
	if n.Type == html.TextNode && strings.TrimSpace(stripBidi(strings.ReplaceAll(n.Data, "\u00a0", " "))) != "" {
		return true
	}
	if n.Type == html.ElementNode && (n.DataAtom == atom.Img || n.DataAtom == atom.Table) {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if hasContent(c) {
			return true
		}
	}
	return false
}

// textOf is n's text, at most limit bytes (a little over, at most). Each
// node it visits costs one from budget, so that the text heuristics cost
// linear time overall even on hostile, deeply nested HTML.
func textOf(n *html.Node, limit int, budget *int) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if b.Len() > limit || *budget <= 0 {
			return
		}
		*budget--
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Head:
				return
			case atom.Br, atom.P, atom.Div:
				b.WriteByte(' ')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// blockText is n's text with a line break for each <br> and block.
func blockText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if b.Len() > 4000 {
			return
		}
		switch n.Type {
		case html.TextNode:
			b.WriteString(strings.ReplaceAll(n.Data, "\n", " "))
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Br, atom.P, atom.Div, atom.Tr, atom.Li:
				b.WriteByte('\n')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func collapse(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
}

// HTMLToText is a readable plain text of an HTML body.
func HTMLToText(src string) string {
	t, err := html2text.FromString(src)
	if err != nil {
		return ""
	}
	return t
}
