package sandbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFaultSpec(t *testing.T) {
	tests := []struct {
		spec string
		want Fault
	}{
		{"503:every=3", Fault{Status: 503, Every: 3}},
		{"503:count=2:retry-after=1s", Fault{Status: 503, Count: 2, RetryAfter: time.Second}},
		{"429,retry-after=2", Fault{Status: 429, Count: -1, RetryAfter: 2 * time.Second}},
		{"cut=50%", Fault{CutFraction: 0.5, Count: -1}},
		{"cut=12.5%:path=add", Fault{CutFraction: 0.125, Count: -1, Path: "/api/v0/add"}},
		{"cut=65536", Fault{CutAfter: 65536, Count: -1}},
		{"stall=30s", Fault{Stall: 30 * time.Second, Count: -1}},
		{"stall=1.5:count=1", Fault{Stall: 1500 * time.Millisecond, Count: 1}},
		{"delay=200ms", Fault{Delay: 200 * time.Millisecond, Count: -1}},
		{"delay=200ms:500", Fault{Delay: 200 * time.Millisecond, Status: 500, Count: -1}},
		{"wrong-hash", Fault{WrongHash: true, Count: -1}},
		{"wrong-hash:every=2", Fault{WrongHash: true, Every: 2}},
		{"malformed", Fault{Malformed: true, Count: -1}},
		{"malformed:500", Fault{Malformed: true, Status: 500, Count: -1}},
		{"html", Fault{HTMLError: true, Count: -1}},
		{"html=502", Fault{HTMLError: true, Status: 502, Count: -1}},
		{"html=503:retry-after=5s", Fault{HTMLError: true, Status: 503, RetryAfter: 5 * time.Second, Count: -1}},
		{"413", Fault{Status: 413, Count: -1}},
		{"413:path=/api/v0/add", Fault{Status: 413, Count: -1, Path: "/api/v0/add"}},
		{"401:path=token:count=all", Fault{Status: 401, Count: -1, Path: "/v1/dev/temp-token"}},
		{" 500 : count = 4 ", Fault{Status: 500, Count: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseFaultSpec(tt.spec)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseFaultSpecErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", "empty fault"},
		{":::", "no items"},
		{"200", "from 400 to 599"},
		{"600", "from 400 to 599"},
		{"503:502", "given twice"},
		{"html=200", "from 400 to 599"},
		{"cut=0", "positive number of bytes"},
		{"cut=-5", "positive number of bytes"},
		{"cut=0%", "above 0 and at most 100"},
		{"cut=150%", "above 0 and at most 100"},
		{"cut", "needs a value"},
		{"stall=forever", "not a duration"},
		{"stall=-1s", "must be positive"},
		{"delay=9999h", "longer than"},
		{"delay=1e300", "longer than"},
		{"retry-after=2s", "goes with a status"},
		{"cut=50%:wrong-hash", "one kind of answer"},
		{"503:malformed:wrong-hash", "one kind of answer"},
		{"html=502:503", "already given"},
		{"503:html=502", "conflicts with status"},
		{"503:count=2:every=3", "not both"},
		{"503:count=0", "positive number of requests"},
		{"503:every=0", "positive number"},
		{"503:path=api", `start with "/"`},
		{"malformed=yes", "takes no value"},
		{"explode", "fault: unknown item; known:"},
		{"503:explode", "fault, item 2 of 2: unknown item"},
		{"count=3", "does nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := ParseFaultSpec(tt.spec)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			if _, anItem := faultItems[tt.spec]; tt.spec != "" && !anItem { // an item's own name may be named
				assert.NotContains(t, err.Error(), tt.spec, "the spec is not repeated: it may be a secret typed in the wrong place")
			}
		})
	}
}

// FuzzParseFaultSpec checks the parser never panics and that whatever it
// accepts is a fault that does something.
func FuzzParseFaultSpec(f *testing.F) {
	for _, s := range []string{"503:every=3", "cut=50%", "stall=30s", "html=502:retry-after=1", "wrong-hash", "x=y:z", "cut=1e309%", "delay=-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		got, err := ParseFaultSpec(spec)
		if err != nil {
			return
		}
		active := got.Status != 0 || got.HTMLError || got.Malformed || got.WrongHash ||
			got.CutAfter > 0 || got.CutFraction > 0 || got.Stall > 0 || got.Delay > 0
		if !active || got.Stall < 0 || got.Delay < 0 || got.RetryAfter < 0 || got.CutFraction > 1 {
			t.Fatalf("accepted %q as %+v", spec, got)
		}
	})
}

// gatedBody is an upload body that stops at gate bytes until the server
// has ended the connection (open closes): how far the client got then
// does not depend on how much the sockets' buffers hold, which on
// loopback can be the whole rest of the body.
type gatedBody struct {
	r    io.Reader
	n    atomic.Int64
	gate int64
	open <-chan struct{}
}

func (b *gatedBody) Read(p []byte) (int, error) {
	room := b.gate - b.n.Load()
	if room <= 0 {
		select {
		case <-b.open:
			return 0, errors.New("the server ended the connection")
		case <-time.After(time.Minute): // a guard, not a wait: the cut never came
			return 0, errors.New("the server took the body up to the gate without cutting it")
		}
	}
	n, err := b.r.Read(p[:min(int64(len(p)), room)])
	b.n.Add(int64(n))
	return n, err
}

// endWatchConn calls ended once when a read from the server fails, or a
// write to it: the server closed or reset the connection (a reset can
// reach the client's body write before any read of an answer).
type endWatchConn struct {
	net.Conn
	ended func()
}

func (c *endWatchConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil {
		c.ended()
	}
	return n, err
}

func (c *endWatchConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.ended()
	}
	return n, err
}

// TestFaultCutFractionCutsMidBody: cut=50% closes the connection, without
// an answer, once half of the body has been read. The client's body stops
// at three quarters until the connection ends, so the cut must come
// between the half and that point, whatever the sockets buffer.
func TestFaultCutFractionCutsMidBody(t *testing.T) {
	e := newEnv(t, Config{})
	tok := e.token()
	f, err := ParseFaultSpec("cut=50%:path=add:count=1")
	require.NoError(t, err)
	e.s.InjectFault(f)

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, err := mw.CreateFormFile("file", "big.bin")
	require.NoError(t, err)
	_, err = io.Copy(w, pattern(8<<20))
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	size := int64(body.Len())

	ended := make(chan struct{})
	var once sync.Once
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &endWatchConn{Conn: c, ended: func() { once.Do(func() { close(ended) }) }}, nil
	}}}
	defer client.CloseIdleConnections()
	gb := &gatedBody{r: bytes.NewReader(body.Bytes()), gate: size * 3 / 4, open: ended}
	req, err := http.NewRequest(http.MethodPost, e.url+"/api/v0/add", io.NopCloser(gb))
	require.NoError(t, err)
	req.ContentLength = size
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "the connection is cut, there is no answer")
	select {
	case <-ended:
	default:
		t.Fatalf("the request failed (%v) but the server did not end the connection", err)
	}
	assert.GreaterOrEqual(t, gb.n.Load(), size/2, "the server read half of the body first")
	assert.LessOrEqual(t, gb.n.Load(), size*3/4, "the body was not sent whole")
	assert.Empty(t, e.s.Uploads(e.acc.ID))
	assert.Contains(t, f.String(), "cut after 50% of the body")

	// count=1: the next upload works.
	e.uploadOK(nil, "big.bin", strings.NewReader("after the cut"))
}
