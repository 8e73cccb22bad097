package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

func tessera(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestCommandsAndServe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.URL(t, e)
		if out, _, err := tessera(t, "", "migrate", "--database-url", db); err != nil || !strings.Contains(out, "migrated") {
			t.Fatalf("migrate: %q %v", out, err)
		}
		// The rollup step alone (after an upgrade that adds rollups).
		if out, _, err := tessera(t, "", "report", "rebuild", "--rollups", "--database-url", db); err != nil || !strings.Contains(out, "report rollups refilled") {
			t.Fatalf("report rebuild --rollups: %q %v", out, err)
		}
		if _, _, err := tessera(t, "short\n", "agent", "create", "--database-url", db, "--email", "a@x.test", "--name", "A", "--role", "admin", "--password-stdin"); err == nil {
			t.Error("a 5-character password was accepted")
		}
		out, _, err := tessera(t, "correct horse battery\n", "agent", "create", "--database-url", db, "--email", "A@X.test", "--name", "Ann Admin", "--role", "admin", "--password-stdin")
		if err != nil || !strings.Contains(out, "a@x.test") {
			t.Fatalf("agent create: %q %v", out, err)
		}
		if _, _, err := tessera(t, "", "agent", "create", "--database-url", db, "--email", "b@x.test", "--name", "B", "--role", "boss"); err == nil {
			t.Error("role boss accepted")
		}
		tok, _, err := tessera(t, "", "token", "create", "--database-url", db, "--email", "a@x.test")
		tok = strings.TrimSpace(tok)
		if err != nil || !strings.HasPrefix(tok, "tsr_") || strings.ContainsAny(tok, " \n") {
			t.Fatalf("token create printed %q (%v); want only the token", tok, err)
		}
		if _, _, err := tessera(t, "", "token", "create", "--database-url", db, "--email", "nobody@x.test"); err == nil {
			t.Error("token for an unknown agent")
		}

		addr := freeAddr(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		var out2, err2 bytes.Buffer
		go func() {
			done <- run(ctx, []string{"serve", "--database-url", db, "--addr", addr, "--log-level", "warn"}, strings.NewReader(""), &out2, &err2)
		}()
		base := "http://" + addr
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := http.Get(base + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("server never became ready: %v\n%s", err, err2.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		body := `{"subject":"Cannot print","body":"The printer says PC LOAD LETTER","requester":{"email":"c@x.test","name":"Carla"},"priority":"high","tags":["printer"]}`
		req, _ := http.NewRequest("POST", base+"/api/v1/tickets", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var created map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&created)
		resp.Body.Close()
		if resp.StatusCode != 201 || created["priority"] != "high" || created["status"] != "new" || created["number"] == nil || created["id"] == nil {
			t.Errorf("create: %d %v", resp.StatusCode, created)
		}
		resp, err = http.Get(base + "/metrics")
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("metrics: %v", err)
		} else {
			resp.Body.Close()
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(40 * time.Second):
			t.Fatal("serve did not stop after the signal")
		}
		if _, err := http.Get(base + "/healthz"); err == nil {
			t.Error("server still answers after shutdown")
		}
	})
}

func TestUsage(t *testing.T) {
	if _, _, err := tessera(t, "", "frobnicate"); err == nil {
		t.Error("unknown command accepted")
	}
	out, _, err := tessera(t, "", "help")
	if err != nil || !strings.Contains(out, "token create") {
		t.Errorf("help: %q %v", out, err)
	}
	if _, _, err := tessera(t, "", "serve", "--log-level", "loud"); err == nil || !strings.Contains(err.Error(), "log-level") {
		t.Errorf("bad log level: %v", err)
	}
}
