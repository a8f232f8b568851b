package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// saveGateway saves override as the gateway of the data folder's settings.
func saveGateway(t *testing.T, override string) {
	t.Helper()
	db := openDataDB(t)
	st, err := db.LoadSettings()
	require.NoError(t, err)
	st.GatewayOverride = override
	require.NoError(t, db.SaveSettings(st))
	require.NoError(t, db.Close())
}

// TestASavedGatewayNotUsedIsNamed: a gateway override the window's
// Settings keeps but links do not use (an older version saved it with a
// tab inside, or with a password before its host) left the command line's
// links on the environment's gateway without a word: the person who set a
// gateway got links to another. history and upload now say on stderr that
// the saved gateway is not used, why and where to change it, without
// printing it (it may hold a password); a gateway in use says nothing.
func TestASavedGatewayNotUsedIsNamed(t *testing.T) {
	for _, tc := range []struct{ name, saved, says string }{
		{"a tab", "https://gw.example/my\tgateway", "type the address again without it"},
		{"a password", "https://me:secret@gw.example", "take it out"},
		{"a file's link", "https://gw.example/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o?filename=a.jpg", "write the gateway alone"},
		{"a space in the path", "https://gw.example/my gateway", "write it as %20"},
		{"in use", "https://ipfs.io", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(storage.HomeEnv, t.TempDir())
			writeHistory(t, "a.txt")
			saveGateway(t, tc.saved)
			code, out, errOut := runCLI(t, "", "history", "--format", "gateway")
			require.Equal(t, 0, code, errOut)
			if tc.says == "" {
				assert.Empty(t, errOut)
				assert.Equal(t, "https://ipfs.io/ipfs/QmHash0?filename=a.txt\n", out)
				return
			}
			assert.Equal(t, "https://api.dstor.cloud/ipfs/QmHash0?filename=a.txt\n", out, "links on the environment's gateway")
			assert.Contains(t, errOut, "The gateway saved in Settings is not used")
			assert.Contains(t, errOut, tc.says)
			assert.NotContains(t, errOut, "secret")
			assert.NotContains(t, errOut, "gw.example")
		})
	}
}

// TestUploadNamesASavedGatewayNotUsed: upload prints its links on the
// environment's gateway and says why the saved one is not used.
func TestUploadNamesASavedGatewayNotUsed(t *testing.T) {
	sb := keyedSandbox(t)
	saveGateway(t, "https://gw.example/my\tgateway")
	path := makeFiles(t, t.TempDir(), 1, func(int) int { return 100 })[0]
	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, path)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, testutil.CIDOf(t, path))
	assert.NotContains(t, out, "gw.example")
	assert.Contains(t, errOut, "The gateway saved in Settings is not used")
	assert.Contains(t, errOut, "type the address again without it")
}
