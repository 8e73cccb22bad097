package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The OpenAPI document is built from the route table and the very Go types
// the handlers decode and encode, so it cannot drift from what the server
// accepts.

var (
	docOnce sync.Once
	docJSON []byte
)

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	docOnce.Do(func() {
		docJSON, _ = json.MarshalIndent(s.OpenAPI(), "", "  ")
	})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(docJSON)
	return err
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// OpenAPI returns the OpenAPI 3.1 document of the API.
func (s *Server) OpenAPI() map[string]any {
	schemas := map[string]any{
		"Problem": schemaOf(reflect.TypeOf(Problem{}), nil),
	}
	paths := map[string]map[string]any{}
	for _, rt := range s.Routes() {
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": strings.ToLower(rt.Method) + strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(strings.TrimPrefix(rt.Path, "/api/v1"), "/", "_"), "{", ""), "}", ""),
			"x-access":    string(rt.Access),
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "integer"}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": map[string]any{"type": q.Type}})
		}
		if rt.Idempotent {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "description": "makes a retried request return the first result", "schema": map[string]any{"type": "string", "maxLength": 255}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Request != nil {
			content := map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Request), schemas)}}
			if rt.Form != nil {
				props := map[string]any{}
				for _, f := range rt.Form.Fields {
					props[f] = map[string]any{"type": "string"}
				}
				if rt.Form.Files != "" {
					props[rt.Form.Files] = map[string]any{"type": "array", "items": map[string]any{"type": "string", "format": "binary"}}
				}
				content["multipart/form-data"] = map[string]any{"schema": map[string]any{"type": "object", "properties": props, "additionalProperties": false}}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		responses := map[string]any{}
		ok := map[string]any{"description": http.StatusText(rt.Status)}
		if rt.Response != nil {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Response), schemas)}}
		}
		responses[strconv.Itoa(rt.Status)] = ok
		problem := map[string]any{"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
		for code, desc := range map[string]string{"400": "Malformed request", "401": "Missing or unknown token", "403": "Not allowed for this role",
			"404": "Not found, or not visible to you", "409": "Conflict", "422": "Invalid field (named in field and errors)", "429": "Rate limit exceeded"} {
			if rt.Access == Public && (code == "401" || code == "403") {
				continue
			}
			p := map[string]any{"description": desc}
			for k, v := range problem {
				p[k] = v
			}
			responses[code] = p
		}
		op["responses"] = responses
		if rt.Access != Public {
			op["security"] = []any{map[string]any{"bearer": []any{}}}
		}
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Tessera API",
			"version":     "1",
			"description": "The JSON API of Tessera, a self-hosted help desk. Authenticate with Authorization: Bearer TOKEN (tessera token create --email E). Errors are RFC 9457 problem documents.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas":         schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
}

var timeType = reflect.TypeOf(time.Time{})

// schemer is a type that describes its own JSON form (one with a custom
// MarshalJSON, such as a duration written "30m").
type schemer interface{ OpenAPISchema() map[string]any }

var schemaType = reflect.TypeOf((*schemer)(nil)).Elem()
var rawType = reflect.TypeOf(json.RawMessage{})

// schemaOf describes a Go type as JSON Schema (2020-12, as OpenAPI 3.1
// uses). Named structs go to components when schemas is not nil.
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	var s map[string]any
	switch {
	case t.Implements(schemaType):
		s = reflect.Zero(t).Interface().(schemer).OpenAPISchema()
	case t == timeType:
		s = map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		s = map[string]any{}
	case t.Kind() == reflect.Struct:
		name := t.Name()
		if i := strings.IndexByte(name, '['); i >= 0 {
			name = "" // generic instantiations are inlined
		}
		if name != "" && schemas != nil {
			if _, done := schemas[name]; !done {
				schemas[name] = map[string]any{} // placeholder stops recursion
				schemas[name] = structSchema(t, schemas)
			}
			s = map[string]any{"$ref": "#/components/schemas/" + name}
		} else {
			s = structSchema(t, schemas)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		s = map[string]any{"type": "string", "contentEncoding": "base64"}
	case t.Kind() == reflect.Slice:
		s = map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case t.Kind() == reflect.Map:
		s = map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), schemas)}
	case t.Kind() == reflect.Interface:
		s = map[string]any{}
	case t.Kind() == reflect.String:
		s = map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		s = map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		s = map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		s = map[string]any{"type": "number"}
	default:
		s = map[string]any{}
	}
	if nullable {
		if _, isRef := s["$ref"]; isRef {
			return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
		}
		if typ, ok := s["type"].(string); ok {
			s["type"] = []any{typ, "null"}
		}
	}
	return s
}

func structSchema(t reflect.Type, schemas map[string]any) map[string]any {
	props := map[string]any{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		var ps map[string]any
		if hint := f.Tag.Get("openapi"); hint != "" {
			typ, _, null := strings.Cut(hint, ",")
			if null {
				ps = map[string]any{"type": []any{typ, "null"}}
			} else {
				ps = map[string]any{"type": typ}
			}
		} else {
			ps = schemaOf(f.Type, schemas)
		}
		props[name] = ps
	}
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}
