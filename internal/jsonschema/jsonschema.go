// Package jsonschema validates JSON documents against the subset of JSON
// Schema (draft 2020-12) that gotrt generates for result.json: type (one
// or a list), properties, required, additionalProperties (false or a
// schema), items, anyOf, minimum, and $ref to "#/$defs/NAME". Any other
// keyword is an error at Compile, so a schema using more than this subset
// is refused rather than half-checked.
package jsonschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// ErrInvalid marks a document that does not match the schema; the message
// names the JSON path.
var ErrInvalid = errors.New("document does not match the schema")

// Schema is a compiled schema.
type Schema struct {
	root map[string]any
	defs map[string]any
}

var known = []string{"$schema", "$id", "title", "description", "$defs", "$ref", "type", "properties",
	"required", "additionalProperties", "items", "anyOf", "minimum"}

// Compile reads a schema, checking that it uses only the supported keywords.
func Compile(b []byte) (*Schema, error) {
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("jsonschema: %w", err)
	}
	s := &Schema{root: root}
	if d, ok := root["$defs"].(map[string]any); ok {
		s.defs = d
	}
	if err := s.check(root, "#"); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Schema) check(v any, at string) error {
	m, ok := v.(map[string]any)
	if !ok {
		if _, isBool := v.(bool); isBool {
			return nil
		}
		return fmt.Errorf("jsonschema: %s: a schema must be an object or a boolean", at)
	}
	for k, sub := range m {
		if !slices.Contains(known, k) {
			return fmt.Errorf("jsonschema: %s: keyword %q is not supported", at, k)
		}
		switch k {
		case "$defs", "properties":
			subs, ok := sub.(map[string]any)
			if !ok {
				return fmt.Errorf("jsonschema: %s/%s: want an object", at, k)
			}
			for name, x := range subs {
				if err := s.check(x, at+"/"+k+"/"+name); err != nil {
					return err
				}
			}
		case "items", "additionalProperties":
			if err := s.check(sub, at+"/"+k); err != nil {
				return err
			}
		case "anyOf":
			subs, ok := sub.([]any)
			if !ok {
				return fmt.Errorf("jsonschema: %s/anyOf: want an array", at)
			}
			for i, x := range subs {
				if err := s.check(x, fmt.Sprintf("%s/anyOf/%d", at, i)); err != nil {
					return err
				}
			}
		case "$ref":
			ref, _ := sub.(string)
			name, ok := strings.CutPrefix(ref, "#/$defs/")
			if !ok || s.defs[name] == nil {
				return fmt.Errorf("jsonschema: %s: $ref %q: want #/$defs/NAME of a definition", at, ref)
			}
		}
	}
	return nil
}

// Validate checks the JSON document b against the schema; a mismatch is an
// error wrapping ErrInvalid that names the path, e.g.
// "$.telemetry.devices[0].power_w: want object, got string". All
// mismatches are reported, joined.
func (s *Schema) Validate(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return fmt.Errorf("jsonschema: %w", err)
	}
	var errs []error
	s.validate(s.root, doc, "$", &errs)
	return errors.Join(errs...)
}

func (s *Schema) validate(sch any, v any, at string, errs *[]error) {
	fail := func(format string, a ...any) {
		*errs = append(*errs, fmt.Errorf("%w: %s: %s", ErrInvalid, at, fmt.Sprintf(format, a...)))
	}
	if b, ok := sch.(bool); ok {
		if !b {
			fail("no value is allowed here")
		}
		return
	}
	m := sch.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		s.validate(s.defs[strings.TrimPrefix(ref, "#/$defs/")], v, at, errs)
	}
	if any, ok := m["anyOf"].([]any); ok {
		matched := false
		for _, sub := range any {
			var e []error
			s.validate(sub, v, at, &e)
			if len(e) == 0 {
				matched = true
				break
			}
		}
		if !matched {
			fail("matches none of anyOf")
		}
	}
	if t, ok := m["type"]; ok {
		var types []string
		switch tt := t.(type) {
		case string:
			types = []string{tt}
		case []any:
			for _, x := range tt {
				if s, ok := x.(string); ok {
					types = append(types, s)
				}
			}
		}
		if got := typeOf(v); !slices.Contains(types, got) && !(got == "integer" && slices.Contains(types, "number")) {
			fail("want %s, got %s", strings.Join(types, " or "), got)
			return
		}
	}
	if min, ok := m["minimum"].(float64); ok {
		if n, ok := v.(json.Number); ok {
			if f, err := n.Float64(); err == nil && f < min {
				fail("%s is below the minimum %v", n, min)
			}
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := m["properties"].(map[string]any)
		if req, ok := m["required"].([]any); ok {
			for _, r := range req {
				if name, _ := r.(string); name != "" {
					if _, ok := x[name]; !ok {
						fail("required property %q is missing", name)
					}
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k]; ok {
				s.validate(p, x[k], at+"."+k, errs)
				continue
			}
			if ap, ok := m["additionalProperties"]; ok {
				if b, isBool := ap.(bool); isBool && !b {
					fail("property %q is not in the schema", k)
					continue
				}
				s.validate(ap, x[k], at+"."+k, errs)
			}
		}
	case []any:
		if items, ok := m["items"]; ok {
			for i, e := range x {
				s.validate(items, e, fmt.Sprintf("%s[%d]", at, i), errs)
			}
		}
	}
}

// typeOf is the JSON Schema type of a decoded value (numbers as
// json.Number).
func typeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if !strings.ContainsAny(x.String(), ".eE") {
			return "integer"
		}
		if f, err := x.Float64(); err == nil && f == float64(int64(f)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
