package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tessera/internal/channel/email/ingest"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

func TestMailImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.URL(t, e)
		dir := t.TempDir()
		eml := filepath.Join(dir, "a.eml")
		mbox := filepath.Join(dir, "b.mbox")
		must(t, os.WriteFile(eml, []byte("From: Maria <maria@x.example>\nTo: support@acme.example\nSubject: Help\nMessage-ID: <a-1@x.example>\n\nPlease help.\n"), 0o600))
		must(t, os.WriteFile(mbox, []byte("From maria@x.example Tue Nov 21 14:00:00 2026\nFrom: maria@x.example\nSubject: Re: Help\nMessage-ID: <a-2@x.example>\nIn-Reply-To: <a-1@x.example>\n\nMore.\n\n"+
			"From maria@x.example Tue Nov 21 14:01:00 2026\nFrom: Maria <maria@x.example>\nTo: support@acme.example\nSubject: Help\nMessage-ID: <a-1@x.example>\n\nPlease help.\n"), 0o600))

		out, _, err := tessera(t, "", "mail", "import", "--database-url", db, eml, mbox)
		if err != nil {
			t.Fatalf("mail import: %v\n%s", err, out)
		}
		var got []ingest.Result
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var r ingest.Result
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			got = append(got, r)
		}
		if len(got) != 3 || got[0].Status != "created" || got[0].File != eml ||
			got[1].Status != "appended" || got[1].TicketID != got[0].TicketID || got[1].Index != 1 ||
			got[2].Status != "duplicate" || got[2].MessageID != got[0].MessageID || got[2].Index != 2 {
			t.Errorf("results: %s", out)
		}

		// A file that is not mail: reported as failed with its error, and
		// kept raw in the failed-mail list, so it counts as stored (exit 0).
		bad := filepath.Join(dir, "bad.eml")
		must(t, os.WriteFile(bad, []byte("not a mail\n"), 0o600))
		out, _, err = tessera(t, "", "mail", "import", "--database-url", db, bad)
		var r ingest.Result
		if err != nil || json.Unmarshal([]byte(out), &r) != nil || r.Status != "failed" || r.Error == "" || r.FailedID == 0 {
			t.Errorf("bad file: %q %v", out, err)
		}
		// The same bytes again are the same open entry.
		out, _, _ = tessera(t, "", "mail", "import", "--database-url", db, bad)
		var r2 ingest.Result
		if json.Unmarshal([]byte(out), &r2) != nil || r2.FailedID != r.FailedID {
			t.Errorf("bad file again: %q, first entry %d", out, r.FailedID)
		}
		// A file that cannot be read is not kept anywhere: an error.
		if out, _, err := tessera(t, "", "mail", "import", "--database-url", db, filepath.Join(dir, "missing.eml")); err == nil {
			t.Errorf("missing file: exit 0, %q", out)
		}
		if _, _, err := tessera(t, "", "mail", "import", "--database-url", db, "--inbox", "999", eml); err == nil {
			t.Error("an unknown inbox accepted")
		}
		if _, _, err := tessera(t, "", "mail", "import", "--database-url", db); err == nil {
			t.Error("no files accepted")
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
