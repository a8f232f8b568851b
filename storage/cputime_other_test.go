//go:build !unix

package storage

import (
	"testing"
	"time"
)

// processStart stands in for the CPU clock where getrusage is missing.
var processStart = time.Now()

// cpuTime is the wall-clock time since the package's tests started: on
// systems without getrusage the bounds on it are wall-clock bounds.
func cpuTime(*testing.T) time.Duration { return time.Since(processStart) }
