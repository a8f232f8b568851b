package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSandboxFaultFlag(t *testing.T) {
	var out, errOut bytes.Buffer
	code := runSandboxCtx(context.Background(), []string{"--fault", "cut=0"}, &out, &errOut)
	assert.Equal(t, 2, code, "a bad fault is refused before anything starts")
	assert.Contains(t, errOut.String(), "give a positive number of bytes")

	out.Reset()
	errOut.Reset()
	code = runSandboxCtx(context.Background(), []string{"--help"}, &out, &errOut)
	assert.Equal(t, 0, code)
	assert.Contains(t, out.String(), "--fault SPEC")
	assert.Contains(t, out.String(), "503:every=3")
	assert.Contains(t, out.String(), "cut=N | cut=P%")

	f, code, ok := parseSandboxFlags([]string{"--fault", "503:every=3", "--fault", "stall=30s:count=1:path=add"}, &out, &errOut)
	assert.True(t, ok, errOut.String())
	assert.Equal(t, 0, code)
	if assert.Len(t, f.faults, 2) {
		assert.Equal(t, 503, f.faults[0].Status)
		assert.Equal(t, 3, f.faults[0].Every)
		assert.Equal(t, "/api/v0/add", f.faults[1].Path)
	}
}
