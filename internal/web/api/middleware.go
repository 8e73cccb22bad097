package api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"tessera/internal/store"
	"tessera/internal/validation"
)

// idempotent makes a creating call safe to retry: the first response to an
// Idempotency-Key (per agent) is kept for a day and returned again, with
// its status and headers, for the same key and the same request; the same
// key with a different request is refused. While the first request runs,
// a retry gets 409.
func (s *Server) idempotent(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			return next(w, r)
		}
		if len(key) > 255 {
			return validation.Field("Idempotency-Key", "must be at most 255 characters")
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"+r.Header.Get("Content-Type")+"\n"), body...))
		hash := hex.EncodeToString(sum[:])
		agentID := actorOf(r).ID
		// The key's bookkeeping must outlive the client: one that hangs up
		// once its ticket is created must find the answer when it retries,
		// not a key left "in progress".
		ctx := context.WithoutCancel(r.Context())
		db := s.App.DB.Write()
		for attempt := 0; ; attempt++ {
			_, err = db.Exec(ctx, `INSERT INTO idempotency_keys (agent_id, key, request_hash, status, created_at) VALUES ($1, $2, $3, 0, $4)`,
				agentID, key, hash, store.Now())
			if !errors.Is(err, store.ErrConflict) {
				break
			}
			var prevHash string
			var status int
			var stored []byte
			err := s.App.DB.Write().QueryRow(ctx, `SELECT request_hash, status, response FROM idempotency_keys WHERE agent_id = $1 AND key = $2`,
				agentID, key).Scan(&prevHash, &status, &stored)
			if errors.Is(err, store.ErrNotFound) {
				if attempt < 3 {
					continue // the first request failed and freed the key a moment ago
				}
				status, prevHash = 0, hash
			} else if err != nil {
				return fmt.Errorf("idempotency key: %v", err)
			}
			switch {
			case prevHash != hash:
				return &Problem{Status: http.StatusUnprocessableEntity, Title: "Idempotency key reused", Field: "Idempotency-Key",
					Detail: "this key was used for a different request"}
			case status == 0:
				w.Header().Set("Retry-After", "1")
				return &Problem{Status: http.StatusConflict, Title: "Request in progress", Field: "Idempotency-Key",
					Detail: "the first request with this key is still running"}
			}
			hdr, resp := decodeStored(stored)
			for k, v := range hdr {
				w.Header()[k] = v
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(status)
			_, err = w.Write(resp)
			return err
		}
		if err != nil {
			return fmt.Errorf("idempotency key: %w", err)
		}
		free := func() {
			if _, err := db.Exec(ctx, `DELETE FROM idempotency_keys WHERE agent_id = $1 AND key = $2`, agentID, key); err != nil {
				s.Log.Error("free idempotency key", "err", err)
			}
		}
		finished := false
		defer func() {
			if !finished { // the handler panicked: let a retry run
				free()
			}
		}()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		herr := next(rec, r)
		finished = true
		if herr != nil || rec.status >= 500 {
			// Failed before anything was written for good: free the key so a
			// retry can succeed.
			free()
			return herr
		}
		if _, err := db.Exec(ctx, `UPDATE idempotency_keys SET status = $3, response = $4 WHERE agent_id = $1 AND key = $2`,
			agentID, key, rec.status, encodeStored(w.Header(), rec.buf.Bytes())); err != nil {
			s.Log.Error("store idempotent response", "err", err)
		}
		return nil
	}
}

// storedMagic starts a stored response: the replayed headers in MIME form,
// an empty line, then the body.
const storedMagic = "tessera-idempotent/1\r\n"

// replayedHeaders are the response headers a replay repeats.
var replayedHeaders = []string{"Content-Type", "Cache-Control", "Location"}

func encodeStored(h http.Header, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString(storedMagic)
	keep := http.Header{}
	for _, k := range replayedHeaders {
		if v := h.Values(k); len(v) > 0 {
			keep[k] = v
		}
	}
	_ = keep.Write(&b)
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

func decodeStored(p []byte) (http.Header, []byte) {
	rest, ok := bytes.CutPrefix(p, []byte(storedMagic))
	if !ok { // a body alone, as stored by earlier versions
		return http.Header{"Content-Type": {"application/json"}}, p
	}
	br := bufio.NewReader(bytes.NewReader(rest))
	mh, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		return http.Header{"Content-Type": {"application/json"}}, rest
	}
	body, _ := io.ReadAll(br)
	return http.Header(mh), body
}

type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Limiter applies token-bucket rate limits per API token and per client
// address. Limits are per server instance.
type Limiter struct {
	PerToken   rate.Limit
	TokenBurst int
	PerAddress rate.Limit
	AddrBurst  int
	// TrustProxy takes the client address from the last entry of
	// X-Forwarded-For: the one the (single) trusted proxy in front of
	// Tessera appended. Entries before it are whatever the client sent.
	TrustProxy bool

	mu      sync.Mutex
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

func (l *Limiter) allow(key string, r rate.Limit, burst int) (bool, time.Duration) {
	if r <= 0 {
		return true, 0
	}
	now := time.Now()
	l.mu.Lock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	if now.Sub(l.sweep) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{l: rate.NewLimiter(r, max(burst, 1))}
		l.buckets[key] = b
	}
	b.seen = now
	l.mu.Unlock()
	res := b.l.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

func (l *Limiter) clientAddr(r *http.Request) string {
	if l.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Middleware refuses requests over the limits with 429 and Retry-After.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if okAddr, wait := l.allow("a:"+l.clientAddr(r), l.PerAddress, l.AddrBurst); !okAddr {
			tooMany(w, r, wait, "address", l.PerAddress)
			return
		}
		if tok, found := bearerToken(r); found {
			sum := sha256.Sum256([]byte(tok))
			if okTok, wait := l.allow("t:"+hex.EncodeToString(sum[:8]), l.PerToken, l.TokenBurst); !okTok {
				tooMany(w, r, wait, "token", l.PerToken)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration, what string, lim rate.Limit) {
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprintf(w, `{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"rate limit of %g requests per second per %s exceeded","instance":%q}`+"\n",
		float64(lim), what, r.URL.Path)
}
