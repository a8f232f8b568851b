package cli

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestAccountChangedOnRefreshStops: the first upload is refused (401) and
// the token renewed after it names another account of the same dStor. The
// run stops and says so, with what to do; nothing reaches that account or
// the history, and the files stay queued for resume.
func TestAccountChangedOnRefreshStops(t *testing.T) {
	sb := keyedSandbox(t)
	other, err := sb.Srv.CreateAccount("other@example.com", "other-password")
	require.NoError(t, err)
	c, err := api.NewClient(sb.Env, nil)
	require.NoError(t, err)
	otherTok, err := c.TokenFromLogin(t.Context(), "other@example.com", "other-password")
	require.NoError(t, err)

	// A front that passes everything through but answers each token after
	// the first with the other account's.
	var switching atomic.Bool
	switching.Store(true)
	front := testutil.AccountSwitchingFront(t, sb.URL, otherTok.Raw, &switching)

	files := makeFiles(t, t.TempDir(), 2, func(int) int { return 100 })
	sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: http.StatusUnauthorized, Count: 1})
	code, out, errOut := runCLI(t, "", append([]string{"upload", "--env", front.URL, "--concurrency", "1"}, files...)...)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, "another account ("+other.ID+")")
	assert.Contains(t, errOut, "("+sb.Acc.ID+")")
	assert.Contains(t, errOut, `Run "dstor-uploader login", then "dstor-uploader resume"`)
	assert.NotContains(t, errOut, "the sign-in expired")
	assert.Empty(t, sb.Srv.Uploads(other.ID), "nothing uploaded to the other account")
	assert.Empty(t, sb.Srv.Uploads(sb.Acc.ID))
	assert.Empty(t, historyJSON(t), "nothing recorded")
	assert.NotContains(t, out, testutil.CIDOf(t, files[0]))

	// Signed in with the key again, on a dStor that keeps to one account:
	// resume uploads both.
	switching.Store(false)
	code, _, errOut = runCLI(t, "", "resume", "--env", front.URL)
	require.Equal(t, 0, code, errOut)
	assert.Len(t, sb.Srv.Uploads(sb.Acc.ID), 2)
	assert.Empty(t, sb.Srv.Uploads(other.ID))
	assert.Len(t, historyJSON(t), 2)
}
