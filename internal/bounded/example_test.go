package bounded_test

import (
	"errors"
	"fmt"

	"github.com/gotrt/gotrt/internal/bounded"
)

func Example() {
	_, err := bounded.ReadFile("/dev/zero", "settings file", bounded.SettingsLimit)
	fmt.Println(errors.Is(err, bounded.ErrTooLarge))
	fmt.Println(err)
	// Output:
	// true
	// file too large: /dev/zero: more than 1 MiB, the most a settings file may have
}
