// Package validation holds the error a domain service returns when its input
// is wrong: which field, and what is wrong with it. The HTTP layer turns it
// into a 422 problem document that names the fields.
package validation

import (
	"errors"
	"fmt"
	"strings"
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
