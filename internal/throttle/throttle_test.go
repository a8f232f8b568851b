package throttle

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// received answers with the number of body bytes the server read.
func received(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, strconv.FormatInt(n, 10))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func post(ctx context.Context, c *http.Client, url string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// An upload is sent no faster than the rate: 64 KiB at 256 KiB/s takes at
// least a quarter of a second, and every byte arrives. (A busy machine can
// only make it slower, so there is no upper bound.)
func TestUploadIsSlowedToTheRate(t *testing.T) {
	srv := received(t)
	c := &http.Client{Transport: &Transport{Base: http.DefaultTransport, BytesPerSecond: 256 << 10}}
	start := time.Now()
	resp, err := post(context.Background(), c, srv.URL+"/api/v0/add", make([]byte, 64<<10))
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "65536", string(got))
	require.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond)
}

// Requests other than an upload pass through at full speed: 64 KiB at one
// byte a second would take 18 hours.
func TestOtherRequestsPassThrough(t *testing.T) {
	srv := received(t)
	c := &http.Client{Transport: &Transport{Base: http.DefaultTransport, BytesPerSecond: 1}}
	resp, err := post(context.Background(), c, srv.URL+"/v1/dev/temp-token", make([]byte, 64<<10))
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "65536", string(got))
}

// Cancelling the request's context ends a throttled upload instead of
// waiting out the rate (one byte a second).
func TestCancelEndsTheUpload(t *testing.T) {
	srv := received(t)
	c := &http.Client{Transport: &Transport{Base: http.DefaultTransport, BytesPerSecond: 1}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		resp, err := post(ctx, c, srv.URL+"/api/v0/add", make([]byte, 64<<10))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	cancel()
	err := <-done
	require.True(t, errors.Is(err, context.Canceled), "got %v", err)
}
