package worker

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// answerBoundTransport ends every upload as api ends one whose answer ran
// out a bound (cause: api.ErrAnswerStopped or api.ErrAnswerTooLong), at
// once: the bounds themselves are a minute and half an hour, and api's
// own tests (TestUploadAnswerStalls, TestUploadTrickledAnswerIsBounded)
// show a stalled or endless answer ends with that cause.
type answerBoundTransport struct {
	cause error
	next  http.RoundTripper
}

func (a answerBoundTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != addPath {
		return a.next.RoundTrip(r)
	}
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return nil, fmt.Errorf("%w (%w)", context.DeadlineExceeded, a.cause)
}

// stallTransport ends every upload as the transport ends one whose server
// stalled, at once (the waits are a minute each; api's
// TestUploadToStalledServerTimesOut and TestStalledAnswerTimesOut stall a
// real server): partway, a write of the file that timed out; else, the
// whole file read, the wait for the answer's headers timing out.
type stallTransport struct {
	partway bool
	next    http.RoundTripper
}

func (s stallTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != addPath {
		return s.next.RoundTrip(r)
	}
	defer func() { _ = r.Body.Close() }()
	if s.partway {
		_, _ = io.CopyN(io.Discard, r.Body, 1)
		return nil, &net.OpError{Op: "write", Net: "tcp", Err: os.ErrDeadlineExceeded}
	}
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w (timeout awaiting response headers)", context.DeadlineExceeded)
}

// TestTimeoutReasonSurvivesRestart: a file whose uploads failed because
// dStor's answer stopped, or was still arriving when its bound ran out, or
// dStor stopped taking the file partway, or did not answer once the whole
// file was sent, says which after the app restarts, as the window words
// the saved row.
func TestTimeoutReasonSurvivesRestart(t *testing.T) {
	next := api.NewTransport(api.Timeouts{})
	for _, c := range []struct {
		name      string
		transport http.RoundTripper
		code      ReasonCode
		sentence  string
	}{
		{"answer stopped", answerBoundTransport{api.ErrAnswerStopped, next}, ReasonAnswerStopped, "the upload is not counted as done"},
		{"answer too long", answerBoundTransport{api.ErrAnswerTooLong, next}, ReasonAnswerTooLong, "the upload is not counted as done"},
		{"file stalled", stallTransport{true, next}, ReasonSendStalled, "took no more of it in time"},
		{"sent, no answer", stallTransport{false, next}, ReasonSentNoAnswer, "the whole file was sent"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			path := e.write("cut.txt", []byte("an answer that never came whole"))
			cfg := e.config()
			cfg.MaxAttempts = 2
			cfg.Client = clientFor(t, e.url, &http.Client{Transport: c.transport})
			q, err := New(cfg)
			require.NoError(t, err)
			q.Add(Request{Path: path})
			require.NoError(t, wait(t, q, 10*time.Second))
			require.Equal(t, storage.JobFailed, jobFor(t, q, path).State)
			require.NoError(t, q.Close())

			job := jobFor(t, e.queue(cfg), path)
			assert.Equal(t, storage.JobFailed, job.State)
			assert.Equal(t, c.code, job.Reason, "after a restart")
			assert.Empty(t, job.ReasonArg)
			assert.Contains(t, job.Err, c.sentence, "the command line's sentence is kept too")
		})
	}
}
