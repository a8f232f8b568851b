package sandbox

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
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
		{"retry-after=1s", "goes with a status"},
		{"cut=50%:wrong-hash", "one kind of answer"},
		{"503:malformed:wrong-hash", "one kind of answer"},
		{"html=502:503", "already given"},
		{"503:html=502", "conflicts with status"},
		{"503:count=2:every=3", "not both"},
		{"503:count=0", "positive number of requests"},
		{"503:every=0", "positive number"},
		{"503:path=api", `start with "/"`},
		{"malformed=yes", "takes no value"},
		{"explode", "unknown item"},
		{"count=3", "does nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := ParseFaultSpec(tt.spec)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
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

// countingReader counts the bytes the transport took from a body.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

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

	cr := &countingReader{r: bytes.NewReader(body.Bytes())}
	req, err := http.NewRequest(http.MethodPost, e.url+"/api/v0/add", io.NopCloser(cr))
	require.NoError(t, err)
	req.ContentLength = size
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := e.client.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "the connection is cut, there is no answer")
	assert.GreaterOrEqual(t, cr.n.Load(), size/2, "the server read half of the body first")
	assert.Less(t, cr.n.Load(), size, "the body was not sent whole")
	assert.Empty(t, e.s.Uploads(e.acc.ID))
	assert.Contains(t, f.String(), "cut after 50% of the body")

	// count=1: the next upload works.
	e.uploadOK(nil, "big.bin", strings.NewReader("after the cut"))
}
