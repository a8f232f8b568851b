package api

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeIdleConn.ReadFrom (what net/http uses to send a body) hands every
// byte on, whatever the reader returns per Read.
func TestWriteIdleConnReadFromSendsEverything(t *testing.T) {
	data := patterned(5*writeSlice + 4321)
	w, got := pipedWriteIdleConn(t, len(data))
	n, err := w.ReadFrom(io.LimitReader(bytes.NewReader(data), int64(len(data))))
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), n)
	assert.Equal(t, data, <-got)
}
