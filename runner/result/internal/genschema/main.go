// Command genschema writes the JSON Schema of result.json, generated from
// the Go types of package result: go generate ./runner/result runs it to
// refresh the committed result.schema.json.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gotrt/gotrt/runner/result"
)

func main() {
	out := flag.String("o", "result.schema.json", "file to write")
	flag.Parse()
	b, err := result.Schema()
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genschema:", err)
		os.Exit(1)
	}
}
