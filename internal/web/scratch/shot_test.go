package scratch

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tessera/internal/web/browsertest"
)

// Not committed: screenshots of a running demo server for a person to look at.
func TestShots(t *testing.T) {
	base := os.Getenv("SHOT_BASE")
	if base == "" {
		t.Skip()
	}
	b := browsertest.Start(t)
	tab := b.Tab(t)
	if email := os.Getenv("SHOT_EMAIL"); email != "" {
		tab.Navigate(base + "/login")
		tab.Run(chromedp.SendKeys("#email", email), chromedp.SendKeys("#password", "tessera-demo"), chromedp.Submit("#password"))
		tab.WaitText("body", "")
	}
	for i, p := range strings.Split(os.Getenv("SHOT_PATHS"), ",") {
		tab.Navigate(base + p)
		t.Log(tab.Screenshot("shot" + string(rune('a'+i))))
	}
}
