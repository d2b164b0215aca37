// Package schemacheck validates a result.json against the schema this build
// of gotrt generates from the [result] types ([result.Schema]), so that the
// result package itself stays a leaf that imports nothing of the project.
package schemacheck

import (
	"fmt"

	"github.com/gotrt/gotrt/internal/jsonschema"
	"github.com/gotrt/gotrt/runner/result"
)

// ErrInvalid is wrapped by [Validate] for a document the schema refuses.
var ErrInvalid = jsonschema.ErrInvalid

// Validate checks the bytes of a result.json against this build's
// [result.Schema]: every property known, of its type, the required ones
// present. A result written by a newer gotrt may carry properties this one
// does not know; readers such as gotrt compare do not call Validate.
func Validate(b []byte) error {
	sb, err := result.Schema()
	if err != nil {
		return err
	}
	s, err := jsonschema.Compile(sb)
	if err != nil {
		return err
	}
	if err := s.Validate(b); err != nil {
		return fmt.Errorf("result.json: %w", err)
	}
	return nil
}
