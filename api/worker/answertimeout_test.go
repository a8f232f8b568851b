package worker

import (
	"context"
	"fmt"
	"net/http"
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

// TestAnswerCutReasonSurvivesRestart: a file whose uploads failed because
// dStor's answer stopped, or was still arriving when its bound ran out,
// says which after the app restarts, as the window words the saved row.
func TestAnswerCutReasonSurvivesRestart(t *testing.T) {
	for _, c := range []struct {
		cause error
		code  ReasonCode
	}{
		{api.ErrAnswerStopped, ReasonAnswerStopped},
		{api.ErrAnswerTooLong, ReasonAnswerTooLong},
	} {
		t.Run(c.cause.Error(), func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			path := e.write("cut.txt", []byte("an answer that never came whole"))
			cfg := e.config()
			cfg.MaxAttempts = 2
			cfg.Client = clientFor(t, e.url, &http.Client{Transport: answerBoundTransport{c.cause, api.NewTransport(api.Timeouts{})}})
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
			assert.Contains(t, job.Err, "the upload is not counted as done", "the command line's sentence is kept too")
		})
	}
}
