package result

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

//go:generate go run ./internal/genschema -o ../../result.schema.json

// SchemaID names the JSON Schema of result.json that [Schema] generates and
// the repository commits as result.schema.json.
const SchemaID = "https://github.com/gotrt/gotrt/result.schema.json"

// Schema returns the JSON Schema (draft 2020-12) of result.json, generated
// from the Go types: one $defs entry per struct, properties from the json
// tags, required for the fields without omitempty, no properties beyond
// the known ones. Fields of Go type any (settings, extra's values) accept
// any JSON. The committed result.schema.json is this output (go generate
// ./runner/result rewrites it; a test fails when it is stale).
func Schema() ([]byte, error) {
	g := &schemaGen{defs: map[string]map[string]any{}}
	root := g.ref(reflect.TypeFor[Result]())
	doc := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         SchemaID,
		"title":       "gotrt result.json, schema_version " + SchemaVersion,
		"description": "The result of one gotrt run (runner/result.Result). Generated from the Go types by go generate ./runner/result; do not edit.",
		"$ref":        root["$ref"],
		"$defs":       g.defs,
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("result schema: %w", err)
	}
	return append(b, '\n'), nil
}

type schemaGen struct {
	defs map[string]map[string]any
}

// ref returns a reference to struct type t's definition, generating it once.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	name := t.Name()
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = nil // placeholder against recursion
		g.defs[name] = g.object(t)
	}
	return map[string]any{"$ref": "#/$defs/" + name}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			omit := strings.Contains(","+opts+",", ",omitempty,")
			s := g.schema(f.Type, !omit)
			props[name] = s
			if !omit {
				required = append(required, name)
			}
		}
	}
	walk(t)
	sort.Strings(required)
	o := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// schema is the schema of a value of type t; nullable says whether
// encoding/json may write null for it (a nil slice, map or pointer that
// is not omitted).
func (g *schemaGen) schema(t reflect.Type, nullable bool) map[string]any {
	orNull := func(s map[string]any) map[string]any {
		if !nullable {
			return s
		}
		if typ, ok := s["type"].(string); ok {
			s["type"] = []string{typ, "null"}
			return s
		}
		return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return orNull(g.schema(t.Elem(), false))
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		return g.ref(t)
	case reflect.Slice, reflect.Array:
		return orNull(map[string]any{"type": "array", "items": g.schema(t.Elem(), false)})
	case reflect.Map:
		return orNull(map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem(), false)})
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s := map[string]any{"type": "integer"}
		if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 {
			s["minimum"] = 0
		}
		return s
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	}
	panic(fmt.Sprintf("result schema: no JSON type for %s", t))
}
