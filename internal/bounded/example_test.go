package bounded_test

import (
	"errors"
	"fmt"

	"github.com/gotrt/gotrt/internal/bounded"
)

func Example() {
	_, err := bounded.ReadFile("/dev/zero", "settings file", bounded.SettingsLimit)
	fmt.Println(errors.Is(err, bounded.ErrNotRegular))
	fmt.Println(err)
	// Output:
	// true
	// /dev/zero: not a regular file: it is a character device; a settings file must be a regular file
}
