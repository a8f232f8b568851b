package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSpacesAroundDestinationAreDropped: a comment and a folder path
// travel as HTTP headers, whose values lose the spaces around them on the
// way, so `upload --comment "  trip  " --folder-path "/photos/ "` gave
// dStor "trip" in "/photos/" while the history kept "  trip  " in
// "/photos/ ", another place to "already uploaded". They are dropped
// before anything is sent or recorded, as the window drops them; spaces
// alone are still refused, not taken for the root.
func TestSpacesAroundDestinationAreDropped(t *testing.T) {
	sb := keyedSandbox(t)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 100 })[0]

	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--comment", "  trip  ", "--folder-path", " /photos/ ", f)
	require.Equal(t, 0, code, errOut)
	ups := sb.Srv.Uploads(sb.Acc.ID)
	require.Len(t, ups, 1)
	assert.Equal(t, "trip", ups[0].Comment, "what dStor got")
	assert.Equal(t, "/photos/", ups[0].FolderPath, "what dStor got")
	h := historyJSON(t)
	require.Len(t, h, 1)
	assert.Equal(t, "trip", h[0].Comment, "what the history keeps")
	assert.Equal(t, "/photos/", h[0].FolderPath, "what the history keeps")

	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, "--comment", "trip", "--folder-path", "/photos/", f)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "1 already uploaded", "the same place")

	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, "--folder-path", "   ", f)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "only spaces")
}
