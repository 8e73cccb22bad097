package email

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestDump(t *testing.T) {
	if os.Getenv("EMAIL_DUMP") == "" {
		t.Skip()
	}
	files, _ := filepath.Glob("testdata/*")
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		m, err := Parse(raw, Options{MaxAttachmentBytes: 2000})
		if err != nil {
			t.Logf("%s: ERR %v", f, err)
			continue
		}
		m.HTML = ""
		b, _ := json.MarshalIndent(m, "", " ")
		t.Logf("%s:\n%s", f, b)
	}
}
