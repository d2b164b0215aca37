package dataset_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a worker goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
