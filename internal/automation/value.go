package automation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Values arrive decoded from JSON (float64, string, []any, map[string]any,
// json.Number) or built in Go by the rule builder (int64, []string, the
// value structs); these helpers accept both.

// asID reads a positive integer id.
func asID(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), x > 0
	case int64:
		return x, x > 0
	case float64:
		if x != math.Trunc(x) || x <= 0 || x > 1<<53 {
			return 0, false
		}
		return int64(x), true
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		return n, err == nil && n > 0
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil && n > 0
	}
	return 0, false
}

// asScalar reads a string, number or boolean as the text conditions
// compare.
func asScalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case json.Number:
		return string(x), true
	}
	return "", false
}

// asList reads a list of scalars.
func asList(v any) ([]string, bool) {
	switch x := v.(type) {
	case []string:
		return x, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := asScalar(e)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// asNumber reads a number (or a numeric string).
func asNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// decodeInto reads an object value into one of the value structs,
// refusing unknown keys so a misspelt "hour" is an error and not a silent
// zero.
func decodeInto(v any, dst any) error {
	if v == nil {
		return fmt.Errorf("must be an object")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("must be an object")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(dst); err != nil {
		return fmt.Errorf("must be an object of the expected shape: %v", err)
	}
	return nil
}

// customStrings turns a custom field's value into the strings conditions
// compare: one for a scalar, each element of a multi-choice list.
func customStrings(v any) []string {
	if v == nil {
		return nil
	}
	if l, ok := asList(v); ok {
		return l
	}
	if s, ok := asScalar(v); ok {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	return []string{fmt.Sprint(v)}
}
