package cli

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTuneGCPerCommand(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	percent := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	tests := []struct {
		args        []string
		wantPercent int
		wantLimit   int64
	}{
		{nil, windowGCPercent, windowMemoryLimit},
		{[]string{"--env", "sandbox"}, windowGCPercent, windowMemoryLimit},
		// The commands keep Go's defaults.
		{[]string{"upload", "x"}, 100, limit},
		{[]string{"resume"}, 100, limit},
		{[]string{"sandbox"}, 100, limit},
		{[]string{"history"}, 100, limit},
	}
	for _, tt := range tests {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(limit)
		cmd, _, err := newRoot(IO{}).Find(tt.args)
		require.NoError(t, err)
		tuneGC(gcProfileOf(cmd))
		assert.Equal(t, tt.wantPercent, debug.SetGCPercent(100), "%q", tt.args)
		assert.Equal(t, tt.wantLimit, debug.SetMemoryLimit(limit), "%q", tt.args)
	}

	// The person's own settings win.
	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50)
	tuneGC(windowGC)
	assert.Equal(t, 50, debug.SetGCPercent(100))
}
