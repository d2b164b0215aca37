package imagenet_test

import (
	"strings"
	"testing"

	"github.com/gotrt/gotrt/models/accuracy/imagenet"
)

// FuzzParseValMap feeds arbitrary text to the val_map.txt reader: labels
// or an error naming the file, never a panic, never a huge message.
func FuzzParseValMap(f *testing.F) {
	for _, s := range []string{
		"ILSVRC2012_val_00000001.JPEG 65\nILSVRC2012_val_00000002.JPEG 970\n",
		"a.JPEG -1\n",
		"a.JPEG 99999999999999999999999\n",
		"a.JPEG x\n",
		"a.JPEG\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		_, err := imagenet.ParseValMap("val_map.txt", strings.NewReader(text))
		if err != nil {
			if !strings.Contains(err.Error(), "val_map.txt") {
				t.Fatalf("error does not name the file: %v", err)
			}
			if len(err.Error()) > 1000 {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
		}
	})
}
