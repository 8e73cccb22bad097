package bench

import (
	"html"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"tessera/internal/search"
)

// A word and its index form (search.Document of it), computed once so the
// generator can build a message's index text as it writes the message,
// without folding megabytes of text again.
type word struct {
	text, doc, title string
}

type language struct {
	code     string
	function []word // frequent words, drawn with a skew
	content  []word // topic words
	subjects []string
	// subjectTopic lists, per subject, the content words it contains.
	subjectTopic [][]int
	greet        []word
	close        []word
}

func newLanguage(code string, vocabulary, subjects, greet, close []string) *language {
	i := slices.Index(vocabulary, "|")
	l := &language{code: code, function: words(vocabulary[:i]), content: words(vocabulary[i+1:]), subjects: subjects,
		greet: words(greet), close: words(close)}
	for _, s := range subjects {
		toks := search.Tokens(s)
		var topic []int
		for j, w := range l.content {
			if slices.Contains(toks, w.doc) {
				topic = append(topic, j)
			}
		}
		l.subjectTopic = append(l.subjectTopic, topic)
	}
	return l
}

// topic is the content words a ticket's thread draws on: those of its
// subject and eight more.
func (l *language) topic(r *rand.Rand, subject int, into []int) []int {
	into = append(into[:0], l.subjectTopic[subject]...)
	for range 8 {
		into = append(into, r.IntN(len(l.content)))
	}
	return into
}

func words(list []string) []word {
	out := make([]word, 0, len(list))
	for _, w := range list {
		r, n := utf8.DecodeRuneInString(w)
		out = append(out, word{text: w, doc: search.Document(w), title: string(unicode.ToUpper(r)) + w[n:]})
	}
	return out
}

var languages = []*language{
	newLanguage("en", wordsEN, subjectsEN, greetingsEN, closingsEN),
	newLanguage("pt-BR", wordsPT, subjectsPT, greetingsPT, closingsPT),
	newLanguage("es", wordsES, subjectsES, greetingsES, closingsES),
}

// pickLanguage: half the customers write English, 30% Portuguese, 20% Spanish.
func pickLanguage(r *rand.Rand) int {
	switch x := r.IntN(10); {
	case x < 5:
		return 0
	case x < 8:
		return 1
	}
	return 2
}

// skewed returns an index below n, small ones far more often (u³: half the
// draws fall in the first eighth).
func skewed(r *rand.Rand, n int) int {
	u := r.Float64()
	return min(n-1, int(float64(n)*u*u*u))
}

// mild returns an index below n, small ones more often (u^1.5).
func mild(r *rand.Rand, n int) int {
	u := r.Float64()
	return min(n-1, int(float64(n)*u*math.Sqrt(u)))
}

// bodyLength draws a message length in characters: 100 to 2,000, most
// between 200 and 600 (log-normal), mean about 450.
func bodyLength(r *rand.Rand) int {
	l := 100 + int(math.Exp(5.5+0.8*r.NormFloat64()))
	return min(l, 2000)
}

// text accumulates one message: its plain text and its index document.
type text struct {
	b   strings.Builder
	doc strings.Builder
}

func (t *text) reset() {
	t.b.Reset()
	t.doc.Reset()
}

func (t *text) addDoc(d string) {
	if d == "" {
		return
	}
	if t.doc.Len() > 0 {
		t.doc.WriteByte(' ')
	}
	t.doc.WriteString(d)
}

func (t *text) word(w word, title bool) {
	if title {
		t.b.WriteString(w.title)
	} else {
		t.b.WriteString(w.text)
	}
	t.addDoc(w.doc)
}

// message writes a message of about n characters in language l on a topic
// (content word indexes): a greeting, paragraphs of sentences, a closing
// and the signer's first name.
func (t *text) message(r *rand.Rand, l *language, n int, signer word, topic []int) {
	t.reset()
	if r.IntN(4) > 0 {
		t.word(l.greet[r.IntN(len(l.greet))], false)
		t.b.WriteString("\n\n")
	}
	sentences := 0
	for t.b.Len() < n {
		if sentences > 0 {
			if sentences%4 == 0 {
				t.b.WriteString("\n\n")
			} else {
				t.b.WriteByte(' ')
			}
		}
		words := 5 + r.IntN(14)
		for i := range words {
			if i > 0 {
				if i == words/2 && r.IntN(3) == 0 {
					t.b.WriteString(", ")
				} else {
					t.b.WriteByte(' ')
				}
			}
			var w word
			switch x := r.IntN(100); {
			case x < 62 || len(topic) == 0 && x < 95:
				w = l.function[skewed(r, len(l.function))]
			case x < 95:
				w = l.content[topic[r.IntN(len(topic))]]
			default:
				w = l.content[r.IntN(len(l.content))]
			}
			t.word(w, i == 0)
		}
		if r.IntN(25) == 0 {
			num := strconv.Itoa(10000 + r.IntN(90000))
			t.b.WriteString(" #")
			t.b.WriteString(num)
			t.addDoc(num)
		}
		if r.IntN(8) == 0 {
			t.b.WriteByte('?')
		} else {
			t.b.WriteByte('.')
		}
		sentences++
	}
	t.b.WriteString("\n\n")
	t.word(l.close[r.IntN(len(l.close))], false)
	t.b.WriteByte('\n')
	t.word(signer, false)
}

// htmlOf renders generated plain text as the HTML the service stores:
// paragraphs, with line breaks kept.
func htmlOf(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8 + 32)
	for i, p := range strings.Split(s, "\n\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(p), "\n", "<br>\n"))
		b.WriteString("</p>")
	}
	return b.String()
}

// messageCount draws the length of a thread: 1 to 20, mostly 2 to 5, mean
// about 4.2; one ticket in a hundred has a long thread of 20.
var messageWeights = []float64{0, 8, 22, 22, 16, 11, 6, 4, 3, 2, 1.5, .25, .25, .25, .25, .25, .25, .25, .25, .25, 1}
var messageCDF = func() []float64 {
	cdf := make([]float64, len(messageWeights))
	sum := 0.0
	for _, w := range messageWeights {
		sum += w
	}
	acc := 0.0
	for i, w := range messageWeights {
		acc += w / sum
		cdf[i] = acc
	}
	return cdf
}()

func messageCount(r *rand.Rand) int {
	u := r.Float64()
	for i, c := range messageCDF {
		if u < c {
			return max(i, 1)
		}
	}
	return len(messageCDF) - 1
}

// pick draws an index by weight.
func pick(r *rand.Rand, weights []int) int {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	x := r.IntN(sum)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range search.Fold(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.Trim(b.String(), "-")
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }
