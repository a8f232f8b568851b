package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
)

// statuses sends n temp-token requests and returns their statuses.
func (e *testEnv) statuses(n int) []int {
	e.t.Helper()
	var out []int
	for range n {
		resp, _ := e.do(e.keyTokenRequest("api-key", e.key, ""))
		out = append(out, resp.StatusCode)
	}
	return out
}

func TestFaultStatusWithRetryAfter(t *testing.T) {
	e := newEnv(t, Config{})
	e.s.InjectFault(Fault{Status: http.StatusTooManyRequests, RetryAfter: 1500 * time.Millisecond})
	resp, body := e.do(e.keyTokenRequest("api-key", e.key, ""))
	eb := requireJSONError(t, resp, body, http.StatusTooManyRequests)
	assert.Equal(t, "injected_fault", eb.Error)
	assert.Equal(t, "2", resp.Header.Get("Retry-After"), "rounded up to whole seconds")
	assert.Equal(t, []int{200, 200}, e.statuses(2), "Count 0 means one request")
}

func TestFaultCounts(t *testing.T) {
	e := newEnv(t, Config{})
	e.s.InjectFault(Fault{Status: 503, Count: 2})
	assert.Equal(t, []int{503, 503, 200}, e.statuses(3))

	e.s.InjectFault(Fault{Status: 500, Count: -1})
	assert.Equal(t, []int{500, 500, 500, 500}, e.statuses(4))
	e.s.ClearFaults()
	assert.Equal(t, []int{200}, e.statuses(1))

	e.s.InjectFault(Fault{Status: 502, Every: 2, Count: 1})
	assert.Equal(t, []int{200, 502, 200, 502, 200, 502}, e.statuses(6), "Every ignores Count")
	e.s.ClearFaults()

	// Queued faults apply in order.
	e.s.InjectFault(Fault{Status: 500})
	e.s.InjectFault(Fault{Status: 503})
	assert.Equal(t, []int{500, 503, 200}, e.statuses(3))
}

func TestFaultPathMatch(t *testing.T) {
	e := newEnv(t, Config{})
	tok := e.token()
	e.s.InjectFault(Fault{Path: "/api/v0/add", Status: http.StatusBadGateway})
	assert.Equal(t, []int{200}, e.statuses(1), "other paths are unaffected")
	resp, body := e.upload(tok, nil, "a.txt", strings.NewReader("a"))
	requireJSONError(t, resp, body, http.StatusBadGateway)
	resp, body = e.upload(tok, nil, "a.txt", strings.NewReader("a"))
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Len(t, e.s.Uploads(e.acc.ID), 1, "the failed upload was not stored")
}

func TestFaultCutAfter(t *testing.T) {
	e := newEnv(t, Config{})
	tok := e.token()
	e.s.InjectFault(Fault{Path: "/api/v0/add", CutAfter: 64 << 10})
	req, wait := e.addRequest(tok, nil, part{field: "file", filename: "big.bin", body: pattern(1 << 20)})
	resp, err := e.client.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	wait()
	require.Error(t, err, "the client sees the connection cut, not an answer")
	assert.Empty(t, e.s.Uploads(e.acc.ID))

	// The next upload works.
	e.uploadOK(nil, "big.bin", pattern(1<<20))
}

func TestFaultStall(t *testing.T) {
	e := newEnv(t, Config{})
	e.s.InjectFault(Fault{Stall: time.Hour})
	client := &http.Client{Transport: &http.Transport{}, Timeout: 200 * time.Millisecond}
	defer client.CloseIdleConnections()
	start := time.Now()
	_, err := client.Do(e.keyTokenRequest("api-key", e.key, ""))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Client.Timeout")
	assert.Less(t, time.Since(start), hangGuard, "the client's timeout, not the hour's stall")
	assert.Equal(t, []int{200}, e.statuses(1))
}

func TestFaultStallThenAnswers(t *testing.T) {
	e := newEnv(t, Config{})
	e.s.InjectFault(Fault{Stall: 100 * time.Millisecond})
	start := time.Now()
	assert.Equal(t, []int{200}, e.statuses(1), "a patient client gets the answer")
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
}

func TestFaultDelay(t *testing.T) {
	e := newEnv(t, Config{})
	e.s.InjectFault(Fault{Delay: 150 * time.Millisecond, Status: http.StatusServiceUnavailable})
	start := time.Now()
	assert.Equal(t, []int{503}, e.statuses(1))
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)

	e.s.InjectFault(Fault{Delay: 100 * time.Millisecond})
	start = time.Now()
	assert.Equal(t, []int{200}, e.statuses(1), "delay alone only slows the answer")
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
}

func TestFaultWrongHash(t *testing.T) {
	e := newEnv(t, Config{})
	e.s.InjectFault(Fault{Path: "/api/v0/add", WrongHash: true})
	ans := e.uploadOK(nil, "hello.txt", strings.NewReader("hello world\n"))
	const real = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	assert.NotEqual(t, real, ans.Hash)
	assert.True(t, api.IsCIDv0(ans.Hash), "still a valid CIDv0: %s", ans.Hash)
	assert.Equal(t, "12", ans.Size)
	ups := e.s.Uploads(e.acc.ID)
	require.Len(t, ups, 1)
	assert.Equal(t, real, ups[0].Hash, "stored under the real hash")

	ans = e.uploadOK(nil, "hello.txt", strings.NewReader("hello world\n"))
	assert.Equal(t, real, ans.Hash, "only one request was affected")
}

func TestFaultMalformed(t *testing.T) {
	e := newEnv(t, Config{})
	tok := e.token()
	e.s.InjectFault(Fault{Path: "/api/v0/add", Malformed: true})
	resp, body := e.upload(tok, nil, "a.txt", strings.NewReader("a"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var ans addAnswer
	assert.Error(t, json.Unmarshal(body, &ans), "broken JSON: %s", body)
}

func TestFaultHTMLError(t *testing.T) {
	e := newEnv(t, Config{})
	e.s.InjectFault(Fault{HTMLError: true})
	e.s.InjectFault(Fault{HTMLError: true, Status: http.StatusGatewayTimeout, RetryAfter: 3 * time.Second})

	resp, body := e.do(e.keyTokenRequest("api-key", e.key, ""))
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, "text/html", resp.Header.Get("Content-Type"))
	assert.Contains(t, string(body), "<h1>502 Bad Gateway</h1>")
	assert.Contains(t, string(body), "nginx")

	resp, body = e.do(e.keyTokenRequest("api-key", e.key, ""))
	assert.Equal(t, http.StatusGatewayTimeout, resp.StatusCode)
	assert.Equal(t, "3", resp.Header.Get("Retry-After"))
	assert.Contains(t, string(body), "504 Gateway Timeout")
}

func TestFaultString(t *testing.T) {
	assert.Equal(t, "delay 1s, status 503, retry after 2s",
		Fault{Delay: time.Second, Status: 503, RetryAfter: 2 * time.Second}.String())
	assert.Equal(t, "cut after 10 bytes", Fault{CutAfter: 10}.String())
	assert.Equal(t, "HTML 502", Fault{HTMLError: true}.String())
	assert.Equal(t, "malformed JSON, wrong hash", Fault{Malformed: true, WrongHash: true}.String())
}
