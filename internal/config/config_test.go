package config

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, serve bool, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	b := Bind(fs, serve)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return b.Config()
}

func TestDefaultsEnvAndFlags(t *testing.T) {
	t.Setenv("TESSERA_DATABASE_URL", "postgres://env@127.0.0.1/db")
	t.Setenv("TESSERA_RATE_LIMIT_TOKEN", "7")
	c, err := parse(t, true, "--addr", "127.0.0.1:9999", "--demo", "--close-solved-after", "48h")
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://env@127.0.0.1/db" || c.Addr != "127.0.0.1:9999" || !c.Demo || c.RateLimitToken != 7 ||
		c.CloseSolvedAfter != 48*time.Hour || c.ShutdownTimeout != 30*time.Second || c.MaxUploadMB != 25 {
		t.Errorf("config = %+v", c)
	}
	c, err = parse(t, true, "--database-url", "sqlite://flag.db")
	if err != nil || c.DatabaseURL != "sqlite://flag.db" {
		t.Errorf("flag does not win over env: %+v %v", c, err)
	}
}

func TestBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"--rate-limit-token", "-1"}, {"--close-solved-after", "4 days"}, {"--log-level", "loud"},
		{"--log-format", "xml"}, {"--max-upload-mb", "0"}, {"--trust-proxy=maybe"},
		{"--smtp-url", "imap://mail.example.com"}, {"--mail-from", "not an address"}, {"--public-url", "help.example.com"},
	} {
		if _, err := parse(t, true, args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if _, err := parse(t, false, "--addr", "x"); err == nil {
		t.Error("a serve-only flag is accepted by other commands")
	}
}

// TestREADMEDocumentsEverySetting keeps the README's configuration table
// complete.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings() {
		row := "| `--" + s.Flag + "` | `" + s.Env + "` | `" + s.Default + "` |"
		if s.Default == "" {
			row = "| `--" + s.Flag + "` | `" + s.Env + "` | |" // no default: an empty cell
		}
		if !strings.Contains(string(b), row) {
			t.Errorf("README lacks the row starting %s", row)
		}
	}
}
