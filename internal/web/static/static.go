// Package static serves the interface's stylesheet and script. Each kind is
// one bundle, concatenated from the files under css/ and js/ in name order
// (so each part of the interface keeps its own file), served under a URL
// that carries a hash of its content: browsers cache it for a year and a new
// release changes the URL.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"
)

//go:embed css js favicon.svg
var files embed.FS

// Assets are the bundles and their hashed URLs.
type Assets struct {
	CSS, JS, Favicon string // URLs
	byPath           map[string]asset
}

type asset struct {
	body []byte
	mime string
}

// Prefix is where assets are served.
const Prefix = "/static/"

// Load builds the bundles.
func Load() (*Assets, error) {
	a := &Assets{byPath: map[string]asset{}}
	var err error
	if a.CSS, err = a.bundle("css", "text/css; charset=utf-8"); err != nil {
		return nil, err
	}
	if a.JS, err = a.bundle("js", "text/javascript; charset=utf-8"); err != nil {
		return nil, err
	}
	fav, err := files.ReadFile("favicon.svg")
	if err != nil {
		return nil, err
	}
	a.Favicon = a.add("favicon", "svg", fav, "image/svg+xml")
	return a, nil
}

func (a *Assets) bundle(dir, mime string) (string, error) {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return "", fmt.Errorf("static: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var buf bytes.Buffer
	for _, n := range names {
		b, err := files.ReadFile(path.Join(dir, n))
		if err != nil {
			return "", fmt.Errorf("static: %w", err)
		}
		fmt.Fprintf(&buf, "/* %s */\n", n)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return a.add("app", dir, buf.Bytes(), mime), nil
}

func (a *Assets) add(name, ext string, body []byte, mime string) string {
	sum := sha256.Sum256(body)
	p := Prefix + name + "." + hex.EncodeToString(sum[:6]) + "." + ext
	a.byPath[p] = asset{body: body, mime: mime}
	return p
}

// Size is the number of bytes of the bundles a page loads (CSS and JS).
func (a *Assets) Size() int { return len(a.byPath[a.CSS].body) + len(a.byPath[a.JS].body) }

var epoch = time.Unix(0, 0)

// ServeHTTP serves a bundle by its hashed path.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	as, ok := a.byPath[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", as.mime)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if strings.HasSuffix(r.URL.Path, ".svg") {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	}
	http.ServeContent(w, r, "", epoch, bytes.NewReader(as.body))
}
