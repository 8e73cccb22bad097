package kb_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/demo"
	"tessera/internal/kb"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestSearchLatency measures the public search over a large help centre:
// the demo's 40 articles among TESSERA_KB_BENCH synthetic ones (written
// from the demo's sentences with rare words of their own, so the
// vocabulary grows as a real one does), answering the quality test set.
// It runs only when TESSERA_KB_BENCH is set (docs/BENCHMARKS.md).
func TestSearchLatency(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TESSERA_KB_BENCH"))
	if n <= 0 {
		t.Skip("set TESSERA_KB_BENCH=10000 to measure")
	}
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		ctx := context.Background()
		if _, err := demo.HelpCentre(ctx, f.App, f.Admin); err != nil {
			t.Fatal(err)
		}
		seed, err := f.KB.List(ctx, f.Admin, kb.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(7, 7))
		start := time.Now()
		published, public := kb.Published, kb.Public
		for i := range n {
			a, b := seed[rng.IntN(len(seed))], seed[rng.IntN(len(seed))]
			sa, sb := strings.Split(a.Body, ". "), strings.Split(b.Body, ". ")
			title := fmt.Sprintf("%s %s %d", a.Title, rareWord(rng), i)
			body := sa[rng.IntN(len(sa))] + ". " + sb[rng.IntN(len(sb))] + ". " + rareWord(rng) + " " + rareWord(rng) + "."
			locale := a.Locale
			if _, err := f.KB.Create(ctx, f.Admin, kb.ArticleInput{Title: &title, Body: &body, Locale: &locale, Status: &published, Visibility: &public}); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: wrote %d articles in %s", engine, n, time.Since(start).Round(time.Millisecond))
		var qs [][2]string
		file, err := os.Open("testdata/queries.tsv")
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		sc := bufio.NewScanner(file)
		for sc.Scan() {
			if p := strings.Split(sc.Text(), "\t"); len(p) == 3 && !strings.HasPrefix(p[0], "#") {
				qs = append(qs, [2]string{p[0], p[1]})
			}
		}
		var took []time.Duration
		for round := range 3 {
			for _, q := range qs {
				t0 := time.Now()
				if _, err := f.KB.Search(ctx, kb.Anonymous, kb.SearchOptions{Query: q[1], Locale: q[0], Limit: 5}); err != nil {
					t.Fatal(err)
				}
				if round > 0 { // the first round loads the vocabularies
					took = append(took, time.Since(t0))
				}
			}
		}
		slices.Sort(took)
		pct := func(p float64) time.Duration { return took[int(p*float64(len(took)-1))].Round(10 * time.Microsecond) }
		t.Logf("%s: %d articles, %d searches: p50 %s, p95 %s, p99 %s, max %s", engine, n+len(seed), len(took), pct(.5), pct(.95), pct(.99), took[len(took)-1].Round(10*time.Microsecond))
	})
}

func rareWord(rng *rand.Rand) string {
	const letters = "abcdefghijklmnoprstuvz"
	b := make([]byte, 5+rng.IntN(6))
	for i := range b {
		b[i] = letters[rng.IntN(len(letters))]
	}
	return string(b)
}
