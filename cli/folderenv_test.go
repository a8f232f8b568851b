package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderListNamesTheEnvironmentOfItsLinks: history --folder DIR lists
// links on the environment its files were uploaded to, whatever the
// environment commands use without --env (the one last signed in to,
// else production). When that is another, a line on stderr says which
// one the links are on; on the default environment nothing is said. The
// list itself, and --json's, are the same either way.
func TestFolderListNamesTheEnvironmentOfItsLinks(t *testing.T) {
	sb, _, dir := uploadedTrip(t, 2)
	note := "The links of this upload of " + mustEvalSymlinks(t, dir) + " are on " + sb.Env.Key() + ", not on production, the environment commands use without --env."

	code, out, errOut := runCLI(t, "", "history", "--folder", dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, sb.URL+"/ipfs/")
	assert.Contains(t, errOut, note, "the links are on the sandbox; commands go to production without --env")
	code, asJSON, errOut := runCLI(t, "", "history", "--folder", dir, "--json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, note)
	var listed []map[string]any
	require.NoError(t, json.Unmarshal([]byte(asJSON), &listed), "stdout is the JSON alone")
	require.Len(t, listed, 2)

	useByDefault(t, sb.URL)
	code, outThere, errOut := runCLI(t, "", "history", "--folder", dir)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, out, outThere, "the same list")
	assert.NotContains(t, errOut, "The links of this upload", "on the default environment: nothing to say")
	code, asJSONThere, _ := runCLI(t, "", "history", "--folder", dir, "--json")
	require.Equal(t, 0, code)
	assert.Equal(t, asJSON, asJSONThere, "the same JSON")
}

// TestLinksEnvironmentNote: the line that names where a folder's links
// are, from the environments of its files and the default one.
func TestLinksEnvironmentNote(t *testing.T) {
	for _, tt := range []struct {
		name string
		envs []string
		def  string
		want string
	}{
		{"all on the default", []string{"production"}, "production", ""},
		{"none listed", nil, "production", ""},
		{"all on another", []string{"testnet"}, "production",
			"The links of this upload of /d are on testnet, not on production, the environment commands use without --env.\n"},
		{"on two, the default among them", []string{"production", "testnet"}, "production",
			"The links of this upload of /d are on 2 environments, production and testnet: each file's link is on its own (--json gives each file's env).\n"},
		{"on three", []string{"http://127.0.0.1:8787", "production", "testnet"}, "testnet",
			"The links of this upload of /d are on 3 environments, http://127.0.0.1:8787, production and testnet: each file's link is on its own (--json gives each file's env).\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, linksEnvNote("/d", tt.envs, tt.def))
		})
	}
}

// useByDefault makes the environment at url the one commands use without
// --env (the one last signed in to), as it is for a person who signed in
// there: a folder's list of links on it has nothing to say of where they
// are (linksEnvNote).
func useByDefault(t *testing.T, url string) {
	t.Helper()
	env, err := api.ParseEnvironment(url)
	require.NoError(t, err)
	db, err := storage.Open(os.Getenv(storage.HomeEnv))
	require.NoError(t, err)
	_, err = db.UpdateSettings(func(s storage.Settings) storage.Settings { s.LastEnv = env.Key(); return s })
	require.NoError(t, db.Close())
	require.NoError(t, err)
}

// mustEvalSymlinks is p with its links resolved, as uploads record a folder.
func mustEvalSymlinks(t *testing.T, p string) string {
	t.Helper()
	real, err := filepath.EvalSymlinks(p)
	require.NoError(t, err)
	return real
}
