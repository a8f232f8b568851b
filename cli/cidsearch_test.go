package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHistorySearchByCIDv1: the history holds the CIDv0 dStor answered;
// `history --search` with the same content's CIDv1 (as `ipfs cid format -v
// 1 -b base32` or a subdomain gateway gives it), its base36 form or a
// subdomain gateway link finds that upload, in the list and in --json. It
// said "No upload matches".
func TestHistorySearchByCIDv1(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	const mine, other = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
	db := openDataDB(t)
	for i, hash := range []string{mine, other} {
		_, err := db.AddHistory(storage.HistoryEntry{JobID: fmt.Sprint("job-", i), Env: "production", Account: "me",
			Name: fmt.Sprint("file ", i, ".txt"), Hash: hash, Verified: true, FinishedAt: time.Unix(int64(1_700_000_000+i), 0)})
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
	c, err := cid.Decode(mine)
	require.NoError(t, err)
	v1 := cid.NewCidV1(cid.DagProtobuf, c.Hash())
	b36, err := v1.StringOfBase(multibase.Base36)
	require.NoError(t, err)
	for _, search := range []string{v1.String(), b36, strings.ToUpper(v1.String()), "https://" + v1.String() + ".ipfs.dweb.link/"} {
		code, out, errOut := runCLI(t, "", "history", "--search", search, "--format", "cid")
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, mine+"\n", out, "history --search %s", search)
		assert.NotContains(t, errOut, "No upload matches")

		code, out, errOut = runCLI(t, "", "history", "--search", search, "--json")
		require.Equal(t, 0, code, errOut)
		var entries []struct {
			Hash string `json:"hash"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &entries), out)
		if assert.Len(t, entries, 1, "history --search %s --json", search) {
			assert.Equal(t, mine, entries[0].Hash)
		}
	}
}
