package feed

import (
	"testing"

	"broadcast/internal/leakcheck"
)

// TestMain fails the package's tests if they leave goroutines running or
// file descriptors open.
func TestMain(m *testing.M) { leakcheck.Main(m) }
