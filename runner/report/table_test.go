package report

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTableFormats(t *testing.T) {
	tb := &Table{
		Title:   "T",
		Columns: []Column{{Name: "name"}, {Name: "value", Right: true}},
		Rows:    [][]string{{"a|b", "1"}, {"long name", "12345"}, {"short"}},
		Notes:   []string{"note"},
	}
	var b bytes.Buffer
	require.NoError(t, tb.Write(&b, Text))
	assert.Equal(t, "T\n\nname       value\n---------  -----\na|b            1\nlong name  12345\nshort\n\nnote\n", b.String())

	b.Reset()
	require.NoError(t, tb.Write(&b, Markdown))
	assert.Equal(t, "### T\n\n| name      | value |\n| --------- | ----: |\n| a\\|b      |     1 |\n| long name | 12345 |\n| short     |       |\n\nnote\n", b.String())

	b.Reset()
	require.NoError(t, tb.Write(&b, CSV))
	assert.Equal(t, "name,value\na|b,1\nlong name,12345\nshort,\n", b.String())

	assert.Error(t, tb.Write(&b, Format("html")))
	assert.ErrorContains(t, WriteTables(&b, CSV, tb, tb), "one table")
}

func TestTextAlignsWideRunes(t *testing.T) {
	tb := &Table{Columns: []Column{{Name: "x"}, {Name: "y"}}, Rows: [][]string{{Missing, "1"}, {"ab", "2"}}}
	var b bytes.Buffer
	require.NoError(t, tb.Write(&b, Text))
	assert.Equal(t, "x   y\n--  -\n–   1\nab  2\n", b.String(), "the dash counts as one column")
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": Text, "text": Text, "TXT": Text, "md": Markdown, "markdown": Markdown, "csv": CSV} {
		f, err := ParseFormat(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, f, in)
	}
	_, err := ParseFormat("xlsx")
	assert.ErrorContains(t, err, `unknown format "xlsx"`)
	assert.Equal(t, "txt", Text.Ext())
	assert.Equal(t, "md", Markdown.Ext())
}

func TestFormatValue(t *testing.T) {
	for v, want := range map[float64]string{5961: "5961", 88526.4: "88526", 128.6: "128.6", 7.3: "7.30", 0: "0.00", 0.012345: "0.0123"} {
		assert.Equal(t, want, FormatValue(v), "%v", v)
	}
}
