package reliability

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFrontWaitsForWhatAKilledClientLeftInItsConnection: the front's
// childServed (what the re-added folder case counts a killed run's uploads
// by) returns only once a request the client wrote into a keep-alive
// connection just before it went away has been served, and not before a
// connection made just before it went away was accepted. The former
// check (no connection new or reading) returned while such a request sat
// unread in an idle connection: 1–2 rounds in 20 on an idle machine, and
// CI's s29b (2026-12-06) counted a file the killed run had sent as stored
// twice by the runs after it.
func TestFrontWaitsForWhatAKilledClientLeftInItsConnection(t *testing.T) {
	f, url := startFront(t, sandbox.Config{})
	addr := strings.TrimPrefix(url, "http://")
	add := []byte("POST /api/v0/add HTTP/1.1\r\nHost: " + addr + "\r\nContent-Length: 0\r\n\r\n")
	early := 0
	for range 20 {
		before := f.adds.Load()
		child := f.childStarts()
		idle, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = idle.Write(add)
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		// The connection is idle at the server now; the client writes one
		// more request into it, and one into a new connection, and goes.
		_, err = idle.Write(add)
		require.NoError(t, err)
		fresh, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = fresh.Write(add)
		require.NoError(t, err)
		require.NoError(t, idle.Close())
		require.NoError(t, fresh.Close())

		require.True(t, f.childServed(t, url, child, time.Now().Add(time.Minute)))
		if got := f.adds.Load() - before; got != 3 {
			early++
			t.Logf("served %d of the 3 requests when childServed returned", got)
		}
	}
	assert.Zero(t, early, "rounds where childServed returned before the killed client's requests were served")
}
