package api

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeIdleConn.ReadFrom (what net/http uses to send a body) hands every
// byte on, whatever the reader returns per Read.
func TestWriteIdleConnReadFromSendsEverything(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	w := &writeIdleConn{Conn: a, idle: time.Minute}
	data := patterned(5*writeSlice + 4321)
	got := make(chan []byte, 1)
	go func() {
		buf, _ := io.ReadAll(io.LimitReader(b, int64(len(data))))
		got <- buf
	}()
	n, err := w.ReadFrom(io.LimitReader(bytes.NewReader(data), int64(len(data))))
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), n)
	assert.Equal(t, data, <-got)
}
