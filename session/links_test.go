package session

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestLinksUseNoOldGatewayTypo: a gateway override an older version saved
// and Settings now refuses (a tab, a line break or a space anywhere in it,
// an invisible character, a user name and password, a file's link) is
// kept in the settings (Settings shows it with what to do), but no link
// leads to it: they stay on the environment's gateway. A space in the
// path and a file's link were used (links to gw.example/my%20gateway/CID
// and under the file, to nothing), though Settings flagged them.
func TestLinksUseNoOldGatewayTypo(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	dir := t.TempDir()
	db, err := storage.Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	for _, tc := range []struct{ name, saved, link string }{
		{"a tab in the path", "https://gw.example/my\tgateway", "https://api.dstor.cloud/ipfs/" + cid},
		{"a line break", "https://gw.example/\nipfs", "https://api.dstor.cloud/ipfs/" + cid},
		{"a tab in the host", "https://gw\t.example", "https://api.dstor.cloud/ipfs/" + cid},
		{"a space in the host", "https://my gw.example", "https://api.dstor.cloud/ipfs/" + cid},
		{"a user and password", "https://me:secret@gw.example", "https://api.dstor.cloud/ipfs/" + cid},
		{"a space in the path", "https://gw.example/my gateway", "https://api.dstor.cloud/ipfs/" + cid},
		{"a zero-width space in the path", "https://gw.example/\u200bipfs", "https://api.dstor.cloud/ipfs/" + cid},
		{"a file's link", "https://ipfs.io/ipfs/" + cid + "?filename=a.jpg", "https://api.dstor.cloud/ipfs/" + cid},
		{"an address", "https://ipfs.io", "https://ipfs.io/ipfs/" + cid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := storage.DefaultSettings()
			st.GatewayOverride = tc.saved
			require.NoError(t, db.SaveSettings(st))
			st, err := db.LoadSettings()
			require.NoError(t, err)
			require.Equal(t, tc.saved, st.GatewayOverride, "kept for Settings to show")
			assert.Equal(t, tc.link, Links(st).GatewayLink("production", cid, ""))
		})
	}
}
