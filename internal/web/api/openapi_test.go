package api_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/web/api"
)

// doc is a decoded OpenAPI document with helpers to read it.
type doc map[string]any

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// resolve follows a $ref into components/schemas.
func (d doc) resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		s = obj(obj(obj(d["components"])["schemas"])[name])
		if s == nil {
			panic("dangling $ref " + ref)
		}
	}
}

// typeOf returns a schema's type, the non-null one of a type list, or the
// first non-null branch of anyOf.
func (d doc) typeOf(s map[string]any) (string, map[string]any) {
	s = d.resolve(s)
	if any, ok := s["anyOf"].([]any); ok {
		for _, b := range any {
			if t, bs := d.typeOf(obj(b)); t != "null" {
				return t, bs
			}
		}
	}
	switch t := s["type"].(type) {
	case string:
		return t, s
	case []any:
		for _, x := range t {
			if x != "null" {
				return x.(string), s
			}
		}
	}
	return "", s
}

func (d doc) operation(method, path string) map[string]any {
	return obj(obj(obj(d["paths"])[path])[strings.ToLower(method)])
}

// requestSchema returns the schema of an operation's request body for a
// media type, resolved, or nil.
func (d doc) requestSchema(method, path, mediaType string) map[string]any {
	s := obj(obj(obj(obj(d.operation(method, path)["requestBody"])["content"])[mediaType])["schema"])
	if s == nil {
		return nil
	}
	return d.resolve(s)
}

func props(s map[string]any) []string {
	var out []string
	for k := range obj(s["properties"]) {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func getDoc(t *testing.T, h http.Handler) doc {
	t.Helper()
	r := serve(h, req("GET", "/api/v1/openapi.json", "", nil))
	if r.Code != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %v", r.Code, r.Header)
	}
	var d doc
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return d
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// TestOpenAPIDocument: the document is OpenAPI 3.1 and describes exactly
// the routes of the table.
func TestOpenAPIDocument(t *testing.T) {
	routes := (&api.Server{}).Routes()
	d := getDoc(t, (&api.Server{}).Handler())
	if d["openapi"] != "3.1.0" {
		t.Errorf("openapi %v", d["openapi"])
	}
	if info := obj(d["info"]); info["title"] == nil || info["version"] == nil {
		t.Errorf("info %v", info)
	}
	inTable := map[string]api.Route{}
	for _, rt := range routes {
		inTable[strings.ToLower(rt.Method)+" "+rt.Path] = rt
	}
	inDoc := map[string]bool{}
	opIDs := map[string]bool{}
	for path, item := range obj(d["paths"]) {
		for method, op := range obj(item) {
			key := method + " " + path
			inDoc[key] = true
			rt, ok := inTable[key]
			if !ok {
				t.Errorf("the document has %s, which the server does not serve", key)
				continue
			}
			o := obj(op)
			id, _ := o["operationId"].(string)
			if id == "" || opIDs[id] {
				t.Errorf("%s: operationId %q missing or not unique", key, id)
			}
			opIDs[id] = true
			responses := obj(o["responses"])
			if responses[fmt.Sprint(rt.Status)] == nil {
				t.Errorf("%s: no %d response", key, rt.Status)
			}
			if rt.Access != api.Public && (o["security"] == nil || responses["401"] == nil) {
				t.Errorf("%s: no security or 401 response", key)
			}
			if rt.Access == api.Public && o["security"] != nil {
				t.Errorf("%s: public route with security", key)
			}
			allParams, _ := o["parameters"].([]any)
			var params []string
			for _, p := range allParams {
				if obj(p)["in"] == "path" {
					params = append(params, obj(p)["name"].(string))
				}
			}
			var want []string
			for _, m := range pathParamRE.FindAllStringSubmatch(path, -1) {
				want = append(want, m[1])
			}
			if !slices.Equal(params, want) {
				t.Errorf("%s: path parameters %v, want %v", key, params, want)
			}
			if (rt.Request != nil) != (o["requestBody"] != nil) {
				t.Errorf("%s: request body documented %v, route has one %v", key, o["requestBody"] != nil, rt.Request != nil)
			}
			for _, q := range rt.Query {
				found := slices.ContainsFunc(allParams, func(p any) bool { return obj(p)["in"] == "query" && obj(p)["name"] == q.Name })
				if !found {
					t.Errorf("%s: query parameter %s not documented", key, q.Name)
				}
			}
		}
	}
	for key := range inTable {
		if !inDoc[key] {
			t.Errorf("route %s is not in the document", key)
		}
	}
	// Every $ref points somewhere.
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				d.resolve(map[string]any{"$ref": ref})
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(map[string]any(d))
}

// sampler makes plausible values of a documented type for the request
// probes: real ids where a field names one, valid words where the
// domain checks them.
type sampler struct {
	e       *env
	d       doc
	path    string
	contact int64
	org     int64
}

func (s *sampler) value(name string, schema map[string]any, depth int) any {
	typ, sch := s.d.typeOf(schema)
	f := s.e.f
	switch typ {
	case "object":
		m := map[string]any{}
		if depth < 4 {
			for _, p := range props(sch) {
				m[p] = s.value(p, obj(obj(sch["properties"])[p]), depth+1)
			}
		}
		return m
	case "array":
		return []any{s.value(strings.TrimSuffix(name, "s"), obj(sch["items"]), depth+1)}
	case "integer":
		switch name {
		case "assignee_id", "agent_id":
			return f.Agent.ID
		case "team_id", "team_id_":
			return f.Support.ID
		case "id": // requester.id
			return s.contact
		case "organization_id":
			return s.org
		case "into", "ticket_id":
			return s.e.newTicket("Probe target", 0).ID
		case "tier":
			return 2
		}
		return 3
	case "number":
		return 1.5
	case "boolean":
		return true
	case "string":
		if sch["contentEncoding"] == "base64" {
			return base64.StdEncoding.EncodeToString([]byte("probe data"))
		}
		if sch["format"] == "date-time" {
			return "2024-05-01T10:00:00Z"
		}
		switch name {
		case "email", "emails", "assignee_email":
			if name == "assignee_email" {
				return "agent@example.com"
			}
			return s.e.unique("probe") + "@example.org"
		case "phone":
			return "+1 555 0100"
		case "priority":
			return "low"
		case "status":
			return "open"
		case "category":
			return "open"
		case "type":
			return "question"
		case "channel":
			return "api"
		case "kind":
			if strings.Contains(s.path, "custom-fields") {
				return "dropdown"
			}
			return "note"
		case "key":
			return s.e.unique("probe_")
		case "role":
			return "agent"
		case "ticket_access":
			return "all"
		case "language":
			return "en"
		case "time_zone":
			return "Europe/Lisbon"
		case "availability":
			return "away"
		case "password":
			return "correct horse battery staple"
		case "filename":
			return "probe.txt"
		case "content_type":
			return "text/plain"
		case "domain":
			return s.e.unique("probe") + ".example"
		case "name", "subject":
			return s.e.unique("Probe ")
		}
		return "probe"
	}
	return map[string]any{} // an empty schema: any JSON value
}

// decodeError reports whether a response is the API refusing the shape of
// a request (unknown field, wrong JSON type, bad JSON) rather than its
// meaning.
func decodeError(r resp) (string, bool) {
	if r.Code == http.StatusBadRequest {
		return "bad request", true
	}
	if r.Code != http.StatusUnprocessableEntity {
		return "", false
	}
	var p problem
	_ = json.Unmarshal(r.Body, &p)
	for _, fe := range p.Errors {
		switch fe.Detail {
		case "is not a field of this request", "must be a number", "must be an integer", "must be a string", "must be true or false",
			"must be an array", "must be an object", "must be base64 text", "must be an RFC 3339 time", "must be a JSON value":
			return fe.Field + ": " + fe.Detail, true
		}
	}
	return "", false
}

// TestOpenAPIMatchesServer: for every route with a request body, a body
// setting every documented property (to a value of the documented type) is
// accepted as to its shape, and any other property is refused with a 422
// that names it. The same holds for the multipart form where documented.
func TestOpenAPIMatchesServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		d := getDoc(t, e.h)
		w := newWorld(t, e)
		email, name, role := "probe.target@example.com", "Probe Target", "agent"
		target, err := e.f.People.CreateAgent(t.Context(), auth.System, people.AgentInput{Email: &email, Name: &name, Role: &role})
		if err != nil {
			t.Fatal(err)
		}
		// Every property name any request documents, plus a few spellings
		// a lenient decoder would take.
		candidates := map[string]bool{"zz_undocumented": true, "ID": true, "created_at": true}
		for _, rt := range (&api.Server{}).Routes() {
			for _, mt := range []string{"application/json", "multipart/form-data"} {
				for _, p := range props(d.requestSchema(rt.Method, rt.Path, mt)) {
					candidates[p] = true
					candidates[strings.ToUpper(p[:1])+p[1:]] = true
				}
			}
		}
		checked := 0
		for _, rt := range (&api.Server{}).Routes() {
			if rt.Request == nil {
				continue
			}
			key := rt.Method + " " + rt.Path
			// A fresh resource per call, so every probe reaches the decoder.
			path := func() string {
				p := rt.Path
				switch {
				case strings.HasPrefix(p, "/api/v1/tickets/{id}"):
					return strings.Replace(p, "{id}", fmt.Sprint(e.newTicket("Probe", e.f.Support.ID).ID), 1)
				case strings.HasPrefix(p, "/api/v1/contacts/{id}"):
					return strings.Replace(p, "{id}", fmt.Sprint(w.contact), 1)
				case strings.HasPrefix(p, "/api/v1/agents/{id}"):
					return strings.Replace(p, "{id}", fmt.Sprint(target.ID), 1)
				case strings.HasPrefix(p, "/api/v1/calendars/{id}"):
					return strings.Replace(p, "{id}", fmt.Sprint(w.calendar), 1)
				case strings.HasPrefix(p, "/api/v1/sla-policies/{id}"):
					return strings.Replace(p, "{id}", fmt.Sprint(w.policy), 1)
				case strings.HasPrefix(p, "/api/v1/priority-rules/{id}"):
					return strings.Replace(p, "{id}", fmt.Sprint(w.rule), 1)
				case strings.HasPrefix(p, "/api/v1/inboxes/{id}"):
					return strings.Replace(p, "{id}", fmt.Sprint(w.inbox), 1)
				case strings.HasPrefix(p, "/api/v1/articles/{id}"):
					return strings.Replace(p, "{id}", fmt.Sprint(w.article), 1)
				case strings.HasPrefix(p, "/api/v1/kb/categories/{id}"):
					return strings.Replace(p, "{id}", fmt.Sprint(w.kbCat), 1)
				// issue 6: rules
				case strings.HasPrefix(p, "/api/v1/triggers/{id}"):
					return strings.Replace(p, "{id}", fmt.Sprint(w.trigger), 1)
				case strings.HasPrefix(p, "/api/v1/automations/{id}"):
					return strings.Replace(p, "{id}", fmt.Sprint(w.automation), 1)
				case strings.Contains(p, "{"):
					t.Fatalf("%s: no probe path for this route", key)
				}
				return p
			}
			schema := d.requestSchema(rt.Method, rt.Path, "application/json")
			if schema == nil {
				t.Errorf("%s: no application/json request schema", key)
				continue
			}
			documented := props(schema)
			s := &sampler{e: e, d: d, path: rt.Path, contact: w.contact, org: w.org}
			full := s.value("", schema, 0).(map[string]any)
			r := e.do(rt.Method, path(), cAdmin, full)
			if why, bad := decodeError(r); bad {
				t.Errorf("%s: a body with every documented property (%v) is refused: %s\n%s", key, documented, why, r)
			} else if r.Code >= 300 {
				t.Logf("%s: documented body refused on its meaning: %s", key, r)
			}
			checked++
			for c := range candidates {
				if slices.Contains(documented, c) {
					continue
				}
				body := map[string]any{c: s.value(c, map[string]any{"type": "string"}, 0)}
				r := e.do(rt.Method, path(), cAdmin, body)
				if r.Code != http.StatusUnprocessableEntity {
					t.Errorf("%s: undocumented property %q: got %s, want 422", key, c, r)
					continue
				}
				checkField(t, r, c)
			}
			// The documented form, where there is one.
			form := d.requestSchema(rt.Method, rt.Path, "multipart/form-data")
			if form == nil {
				continue
			}
			var fields []string
			var files []formFile
			for _, p := range props(form) {
				typ, ps := d.typeOf(obj(obj(form["properties"])[p]))
				switch {
				case typ == "array" && obj(ps["items"])["format"] == "binary":
					files = append(files, formFile{p, "probe.txt", "text/plain", []byte("probe")})
				case typ == "string":
					v, _ := s.value(p, obj(obj(form["properties"])[p]), 0).(string)
					fields = append(fields, p, v)
				default:
					t.Errorf("%s: form property %s of type %s", key, p, typ)
				}
			}
			b, ct := multipartBody(fields, files...)
			r = e.do(rt.Method, path(), cAdmin, b, "Content-Type", ct)
			if why, bad := decodeError(r); bad || r.Code >= 300 {
				t.Errorf("%s: the documented form (%v) is refused: %s %s", key, props(form), why, r)
			}
			for _, c := range []string{"zz_undocumented", "Body", "attachments[]", "file"} {
				if slices.Contains(props(form), c) {
					continue
				}
				b, ct := multipartBody([]string{"body", "x", c, "y"})
				checkField(t, e.do(rt.Method, path(), cAdmin, b, "Content-Type", ct), c)
				b, ct = multipartBody([]string{"body", "x"}, formFile{c, "a.txt", "text/plain", []byte("y")})
				checkField(t, e.do(rt.Method, path(), cAdmin, b, "Content-Type", ct), c)
			}
		}
		if d.requestSchema("POST", "/api/v1/tickets/{id}/messages", "multipart/form-data") == nil {
			t.Error("POST /api/v1/tickets/{id}/messages accepts multipart/form-data but does not document it")
		}
		if checked < 10 {
			t.Errorf("only %d routes with a request body", checked)
		}
	})
}
