package email_test

import (
	"strings"
	"testing"
	"time"

	"tessera/internal/channel/email"
)

func TestFoldHTMLDeepNesting(t *testing.T) {
	start := time.Now()
	src := strings.Repeat("<div>", 20000) + "x" + strings.Repeat("</div>", 20000) + strings.Repeat("<p>a</p>", 100000)
	email.FoldHTML(src)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("FoldHTML took %s", d)
	}
	start = time.Now()
	email.FoldText(strings.Repeat("On 1 x wrote\n", 20000) + strings.Repeat("a", 1<<20))
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("FoldText took %s", d)
	}
}
