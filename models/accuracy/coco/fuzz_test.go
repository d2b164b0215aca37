package coco

import (
	"testing"
)

// FuzzParseAnnotations feeds arbitrary bytes to the COCO annotation reader:
// annotations or an error naming the file, never a panic. The seeds run as
// an ordinary test.
func FuzzParseAnnotations(f *testing.F) {
	for _, s := range []string{
		`{"images":[{"id":1,"width":640,"height":480}],"categories":[{"id":1}],"annotations":[{"id":5,"image_id":1,"category_id":1,"bbox":[0,0,10,20],"area":200,"iscrowd":0}]}`,
		`{"images":[{"id":1,"width":1,"height":1}],"categories":[{"id":1}],"annotations":[{"id":5,"image_id":2,"category_id":9,"bbox":[0,0,1,1],"area":1,"iscrowd":1}]}`,
		`{"images":[{"id":1,"width":1,"height":1},{"id":1,"width":1,"height":1}],"categories":[]}`,
		`{"images":[{"id":1,"width":1,"height":1}],"categories":[{"id":1}],"annotations":[{"id":5,"image_id":1,"category_id":1,"bbox":[0,0,1e400,1],"area":1,"iscrowd":0}]}`,
		`{"images": [`,
		`[]`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := parseAnnotations("instances.json", b)
		if err != nil && len(err.Error()) > 4000 {
			t.Fatalf("error of %d bytes", len(err.Error()))
		}
	})
}
