package cli

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSandboxFaultFlag(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Run(context.Background(), []string{"sandbox", "--fault", "cut=0"}, IO{Out: &out, Err: &errOut})
	assert.Equal(t, 2, code, "a bad fault is refused before anything starts")
	assert.Contains(t, errOut.String(), "give a positive number of bytes")

	out.Reset()
	errOut.Reset()
	code = Run(context.Background(), []string{"sandbox", "--help"}, IO{Out: &out, Err: &errOut})
	assert.Equal(t, 0, code)
	assert.Contains(t, out.String(), "--fault SPEC")
	assert.Contains(t, out.String(), "503:every=3")
	assert.Contains(t, out.String(), "cut=N | cut=P%")

	cmd := newSandboxCommand(IO{})
	require.NoError(t, cmd.ParseFlags([]string{"--fault", "503:every=3", "--fault", "stall=30s:count=1:path=add"}))
	faults := *cmd.Flags().Lookup("fault").Value.(*faultFlags)
	if assert.Len(t, faults, 2) {
		assert.Equal(t, 503, faults[0].Status)
		assert.Equal(t, 3, faults[0].Every)
		assert.Equal(t, "/api/v0/add", faults[1].Path)
	}
}
