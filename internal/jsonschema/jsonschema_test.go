package jsonschema

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testSchema = `{
  "$ref": "#/$defs/R",
  "$defs": {
    "R": {"type": "object", "additionalProperties": false, "required": ["n", "xs"],
      "properties": {
        "n": {"type": "integer", "minimum": 0},
        "f": {"type": "number"},
        "s": {"type": ["string", "null"]},
        "xs": {"type": ["array", "null"], "items": {"$ref": "#/$defs/X"}},
        "m": {"type": "object", "additionalProperties": {"type": "integer"}},
        "any": {},
        "p": {"anyOf": [{"$ref": "#/$defs/X"}, {"type": "null"}]}
      }},
    "X": {"type": "object", "additionalProperties": false, "properties": {"b": {"type": "boolean"}}}
  }
}`

func TestValidate(t *testing.T) {
	s, err := Compile([]byte(testSchema))
	require.NoError(t, err)
	for _, ok := range []string{
		`{"n": 1, "xs": null}`,
		`{"n": 0, "f": 2, "s": null, "xs": [{"b": true}], "m": {"a": 1}, "any": [1, "x"], "p": null}`,
		`{"n": 3, "f": 2.5, "xs": [], "p": {"b": false}}`,
	} {
		assert.NoError(t, s.Validate([]byte(ok)), ok)
	}
	for doc, want := range map[string]string{
		`{"xs": []}`:                          `$: required property "n" is missing`,
		`{"n": -1, "xs": []}`:                 `$.n: -1 is below the minimum 0`,
		`{"n": 1.5, "xs": []}`:                `$.n: want integer, got number`,
		`{"n": 1, "xs": [{"b": 1}]}`:          `$.xs[0].b: want boolean, got integer`,
		`{"n": 1, "xs": [], "extra": 1}`:      `$: property "extra" is not in the schema`,
		`{"n": 1, "xs": [], "m": {"a": "x"}}`: `$.m.a: want integer, got string`,
		`{"n": 1, "xs": [], "p": 3}`:          `$.p: matches none of anyOf`,
	} {
		err := s.Validate([]byte(doc))
		require.ErrorIs(t, err, ErrInvalid, doc)
		assert.Contains(t, err.Error(), want, doc)
	}
	assert.Error(t, s.Validate([]byte(`{`)), "not JSON")
}

func TestCompileRefusesWhatItCannotCheck(t *testing.T) {
	for _, bad := range []string{
		`{"type": "string", "pattern": "^a"}`,
		`{"$ref": "#/$defs/Nope"}`,
		`{"properties": {"a": 3}}`,
		`[`,
	} {
		_, err := Compile([]byte(bad))
		assert.Error(t, err, bad)
	}
}
