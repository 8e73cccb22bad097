package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tessera/internal/store"
)

// The inbox a person loads first must stay light: HTML, stylesheet and
// script together at most 150 KB uncompressed, with a full page of
// tickets whose subjects and names are as long as they can be.
func TestInboxPageWeight(t *testing.T) {
	s := newSite(t, store.SQLite)
	long := strings.Repeat("Invoice and payment problem with the annual renewal ", 5)[:250]
	for i := 0; i < 100; i++ {
		s.ticket(t, long, "body", "customer"+strings.Repeat("x", 40)+string(rune('a'+i%26))+"@example.com")
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	req, _ := http.NewRequest("POST", s.URL+"/login", strings.NewReader(url.Values{"email": {"agent@example.com"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	get := func(path string) []byte {
		resp, err := c.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	html := get("/views/unassigned")
	if !strings.Contains(string(html), long) {
		t.Fatal("the view does not list the tickets")
	}
	total := len(html)
	for _, m := range regexp.MustCompile(`(?:href|src)="(/static/app\.[0-9a-f]+\.(?:css|js))"`).FindAllStringSubmatch(string(html), -1) {
		total += len(get(m[1]))
	}
	t.Logf("inbox with a full page of tickets: %d bytes (HTML %d)", total, len(html))
	if total > 150*1024 {
		t.Errorf("the inbox weighs %d bytes with its CSS and JS; the budget is 150 KB", total)
	}
}
