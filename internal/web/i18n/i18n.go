// Package i18n holds the interface's message catalogs (English, Brazilian
// Portuguese, Spanish, Hebrew) and picks a language for a request.
//
// Catalogs are JSON files under catalog/<locale>/<area>.json, one file per
// part of the interface so that parts can be translated independently. A
// value is either a string (a printf format, arguments by position such as
// %[1]s) or an object of CLDR plural forms ("one", "two", "few", "many",
// "other", or exact "=0") selected by the first argument, which must be an
// integer. The plural rules come from golang.org/x/text, which carries
// CLDR's data for every language.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

//go:embed catalog
var files embed.FS

// Locales are the interface languages, English first (the fallback).
var Locales = []string{"en", "pt-BR", "es", "he"}

// Names are each locale's name in its own language, for the switcher.
var Names = map[string]string{"en": "English", "pt-BR": "Português (Brasil)", "es": "Español", "he": "עברית"}

var tags = []language.Tag{language.English, language.BrazilianPortuguese, language.Spanish, language.Hebrew}

var matcher = language.NewMatcher(tags)

// Bundle is the compiled catalogs.
type Bundle struct {
	cat  *catalog.Builder
	keys map[string]map[string]bool // locale → keys present
}

// Load compiles the embedded catalogs.
func Load() (*Bundle, error) { return load(files) }

// MustLoad is Load for package initialisation.
func MustLoad() *Bundle {
	b, err := Load()
	if err != nil {
		panic(err)
	}
	return b
}

func load(fsys fs.FS) (*Bundle, error) {
	b := &Bundle{cat: catalog.NewBuilder(catalog.Fallback(language.English)), keys: map[string]map[string]bool{}}
	english := map[string]json.RawMessage{}
	for i, loc := range Locales {
		b.keys[loc] = map[string]bool{}
		entries, err := fs.ReadDir(fsys, path.Join("catalog", loc))
		if err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", loc, err)
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".json") {
				continue
			}
			name := path.Join("catalog", loc, e.Name())
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
			var msgs map[string]json.RawMessage
			if err := json.Unmarshal(data, &msgs); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
			for key, raw := range msgs {
				if b.keys[loc][key] {
					return nil, fmt.Errorf("i18n: %s: key %q defined twice for %s", name, key, loc)
				}
				b.keys[loc][key] = true
				if loc == "en" {
					english[key] = raw
				}
				if err := b.set(tags[i], key, raw); err != nil {
					return nil, fmt.Errorf("i18n: %s: %q: %w", name, key, err)
				}
			}
		}
	}
	// A key not yet translated shows in English rather than as its key.
	for i, loc := range Locales[1:] {
		for key, raw := range english {
			if !b.keys[loc][key] {
				if err := b.set(tags[i+1], key, raw); err != nil {
					return nil, err
				}
			}
		}
	}
	return b, nil
}

var pluralForms = []string{"=0", "=1", "=2", "zero", "one", "two", "few", "many", "other"}

func (b *Bundle) set(tag language.Tag, key string, raw json.RawMessage) error {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return b.cat.SetString(tag, key, s)
	}
	var forms map[string]string
	if err := json.Unmarshal(raw, &forms); err != nil {
		return fmt.Errorf("a message is a string or an object of plural forms")
	}
	if forms["other"] == "" {
		return fmt.Errorf("plural forms need \"other\"")
	}
	var cases []any
	for _, f := range pluralForms { // CLDR order: exact matches before categories
		if v, ok := forms[f]; ok {
			cases = append(cases, f, v)
			delete(forms, f)
		}
	}
	if len(forms) > 0 {
		return fmt.Errorf("unknown plural forms %v", slices.Sorted(maps.Keys(forms)))
	}
	return b.cat.Set(tag, key, plural.Selectf(1, "%d", cases...))
}

// Missing lists, per locale, the keys English has and the locale lacks, and
// the keys the locale has that English lacks.
func (b *Bundle) Missing() map[string][]string {
	out := map[string][]string{}
	for _, loc := range Locales[1:] {
		var miss []string
		for k := range b.keys["en"] {
			if !b.keys[loc][k] {
				miss = append(miss, "missing "+k)
			}
		}
		for k := range b.keys[loc] {
			if !b.keys["en"][k] {
				miss = append(miss, "extra "+k)
			}
		}
		sort.Strings(miss)
		if len(miss) > 0 {
			out[loc] = miss
		}
	}
	return out
}

// Has reports whether English defines key.
func (b *Bundle) Has(key string) bool { return b.keys["en"][key] }

// Localizer translates for one locale.
type Localizer struct {
	Locale string
	p      *message.Printer
}

// For returns the localizer of a supported locale (English otherwise).
func (b *Bundle) For(locale string) *Localizer {
	loc := Supported(locale)
	if loc == "" {
		loc = "en"
	}
	i := slices.Index(Locales, loc)
	return &Localizer{Locale: loc, p: message.NewPrinter(tags[i], message.Catalog(b.cat))}
}

// T formats the message key with args. An unknown key prints as itself so
// a missing translation shows up on the page instead of an empty space.
func (l *Localizer) T(key string, args ...any) string { return l.p.Sprintf(key, args...) }

// Dir is the text direction of the locale: "rtl" or "ltr".
func (l *Localizer) Dir() string { return Dir(l.Locale) }

// Dir is the text direction of a locale.
func Dir(locale string) string {
	if locale == "he" {
		return "rtl"
	}
	return "ltr"
}

// Supported returns the canonical spelling of a supported locale ("pt-br"
// → "pt-BR", "pt" → "pt-BR", "iw" → "he"), or "" when it is not one.
func Supported(locale string) string {
	locale = strings.TrimSpace(locale)
	if locale == "" {
		return ""
	}
	for _, l := range Locales {
		if strings.EqualFold(l, locale) {
			return l
		}
	}
	t, err := language.Parse(locale)
	if err != nil {
		return ""
	}
	_, i, conf := matcher.Match(t)
	if conf < language.High {
		return ""
	}
	return Locales[i]
}

// Negotiate picks a locale from an Accept-Language header; English when
// nothing matches.
func Negotiate(acceptLanguage string) string {
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return "en"
	}
	_, i, conf := matcher.Match(prefs...)
	if conf == language.No {
		return "en"
	}
	return Locales[i]
}
