package api

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"tessera/internal/validation"
)

// decode reads a JSON body strictly: a property the request type does not
// have (spelt exactly as its json tag: encoding/json alone would take
// "Subject" for "subject") and a value of the wrong JSON type are 422s
// that name the field by its full path ("requester.email",
// "attachments[0].data"); malformed JSON is a 400; a body over the limit
// is a 413.
func decode(r *http.Request, dst any) error {
	// The body must be JSON whatever Content-Type says: scripts often send
	// JSON with curl -d, which labels it as a form.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: "the body could not be read: " + err.Error()}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: "the body is empty"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: "the body is not valid JSON: " + err.Error()}
	}
	if len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
		return &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: "the body holds more than one JSON value"}
	}
	if field, ok := findNUL(v, ""); ok {
		if field == "" {
			field = "body"
		}
		// PostgreSQL cannot store NUL in text, and no person types one.
		return validation.Field(field, "must not contain NUL characters")
	}
	if err := checkShape(v, reflect.TypeOf(dst).Elem(), ""); err != nil {
		return err
	}
	dec = json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		// checkShape has caught what a client usually gets wrong; what is
		// left is, say, a number too large for its field.
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return validation.Field(field, "must be %s", jsonKind(te.Type))
		}
		return validation.Field("body", "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

// checkShape compares a decoded JSON value with the Go type it is meant
// for: every object key must be a field's exact JSON name, and every value
// of the JSON type the field takes.
func checkShape(v any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil || t == rawType || t.Kind() == reflect.Interface {
		return nil // null fits anything; raw and any fields take any value
	}
	if t != timeType && (reflect.PointerTo(t).Implements(jsonUnmarshaler)) {
		return nil // the type decodes itself
	}
	wrong := func() error {
		field := path
		if field == "" {
			field = "body"
		}
		return validation.Field(field, "must be %s", jsonKind(t))
	}
	switch x := v.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Struct:
			if t == timeType {
				return wrong()
			}
			fields := jsonFields(t)
			for _, k := range sortedKeys(x) {
				ft, ok := fields[k]
				if !ok {
					return validation.Field(joinPath(path, k), "is not a field of this request")
				}
				if err := checkShape(x[k], ft, joinPath(path, k)); err != nil {
					return err
				}
			}
			return nil
		case reflect.Map:
			for _, k := range sortedKeys(x) {
				if err := checkShape(x[k], t.Elem(), joinPath(path, k)); err != nil {
					return err
				}
			}
			return nil
		}
		return wrong()
	case []any:
		if (t.Kind() != reflect.Slice && t.Kind() != reflect.Array) || t.Elem().Kind() == reflect.Uint8 {
			return wrong()
		}
		for i, e := range x {
			if err := checkShape(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case string:
		switch {
		case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
			if _, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(x)); err != nil {
				return validation.Field(path, "must be base64 text")
			}
			return nil
		case t.Kind() == reflect.String, t == timeType, reflect.PointerTo(t).Implements(textUnmarshaler):
			return nil
		}
		return wrong()
	case json.Number:
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if strings.ContainsAny(x.String(), ".eE") {
				return validation.Field(path, "must be an integer")
			}
			return nil
		case reflect.Float32, reflect.Float64:
			return nil
		}
		return wrong()
	case bool:
		if t.Kind() == reflect.Bool {
			return nil
		}
		return wrong()
	}
	return nil
}

// findNUL returns the path of the first string (or key) holding a NUL
// character.
func findNUL(v any, path string) (string, bool) {
	switch x := v.(type) {
	case string:
		return path, strings.IndexByte(x, 0) >= 0
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if strings.IndexByte(k, 0) >= 0 {
				return path, true
			}
			if f, ok := findNUL(x[k], joinPath(path, k)); ok {
				return f, true
			}
		}
	case []any:
		for i, e := range x {
			if f, ok := findNUL(e, fmt.Sprintf("%s[%d]", path, i)); ok {
				return f, true
			}
		}
	}
	return "", false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonFields maps the JSON names of a struct's fields to their types, as
// encoding/json names them (embedded structs without a name are flattened).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, dup := out[k]; !dup {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// jsonKind says, for an error message, which JSON value a Go type takes.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return "an RFC 3339 time"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "base64 text"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.String:
		return "a string"
	}
	return "a JSON value"
}
