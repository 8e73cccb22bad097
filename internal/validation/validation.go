// Package validation holds the error a domain service returns when its input
// is wrong: which field, and what is wrong with it. The HTTP layer turns it
// into a 422 problem document that names the fields.
package validation

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// FieldError is one wrong field.
type FieldError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// Error is a list of wrong fields; it is never empty.
type Error struct {
	Fields []FieldError
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Detail
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Field returns an Error for one field.
func Field(field, format string, args ...any) error {
	return &Error{Fields: []FieldError{{Field: field, Detail: fmt.Sprintf(format, args...)}}}
}

// Collector gathers field errors while a command is checked.
type Collector struct{ fields []FieldError }

// Add records a wrong field.
func (c *Collector) Add(field, format string, args ...any) {
	c.fields = append(c.fields, FieldError{Field: field, Detail: fmt.Sprintf(format, args...)})
}

// Merge adds the field errors of err, if it is a validation error; any
// other non-nil error is recorded against field.
func (c *Collector) Merge(field string, err error) {
	if err == nil {
		return
	}
	if ve, ok := As(err); ok {
		c.fields = append(c.fields, ve.Fields...)
		return
	}
	c.Add(field, "%s", err.Error())
}

// Err returns the collected errors, or nil if there are none.
func (c *Collector) Err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return &Error{Fields: c.fields}
}

// As returns the validation error in err's chain.
func As(err error) (*Error, bool) {
	var ve *Error
	ok := errors.As(err, &ve)
	return ve, ok
}

// Text checks a piece of text a person typed: valid UTF-8, no NUL (which
// PostgreSQL cannot store), at most max characters (not bytes: a
// Portuguese or Hebrew subject has as many characters as an English one),
// and not blank when required. It reports what is wrong on field.
func (c *Collector) Text(field, s string, max int, required bool) {
	switch {
	case !utf8.ValidString(s):
		c.Add(field, "must be valid UTF-8 text")
	case strings.IndexByte(s, 0) >= 0:
		c.Add(field, "must not contain NUL characters")
	case required && strings.TrimSpace(s) == "":
		c.Add(field, "must not be empty")
	case utf8.RuneCountInString(s) > max:
		c.Add(field, "must be at most %d characters", max)
	}
}

// Truncate shortens s to at most max characters, never inside one.
func Truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max])
}
