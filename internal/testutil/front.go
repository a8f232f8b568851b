package testutil

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// AccountSwitchingFront is a front on 127.0.0.1 for the dStor at target
// that passes the first temp-token answer through and, while switching
// holds true (always, when nil), answers every later one with otherToken:
// a server renewing the sign-in for another account than the one signed
// in, which the client must notice.
func AccountSwitchingFront(t testing.TB, target, otherToken string, switching *atomic.Bool) *httptest.Server {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	var tokens atomic.Int32
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != "/v1/dev/temp-token" || resp.StatusCode != http.StatusOK ||
			(switching != nil && !switching.Load()) || tokens.Add(1) == 1 {
			return nil
		}
		body, err := json.Marshal(map[string]string{"access_token": otherToken})
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	front := httptest.NewServer(p)
	t.Cleanup(front.Close)
	return front
}
