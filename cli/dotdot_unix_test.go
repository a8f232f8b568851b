//go:build unix

package cli

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/dstor-uploader/dstor-uploader/ui"
)

// TestWindowGetsAPathWithDotDotUnresolved: `dstor-uploader
// /mnt/nas/current/../report.pdf` (a script's "$DIR/../report.pdf") went
// through api.AbsPath before the window opened, which since be82603 stats
// each part up to the last ".." (a ".." after a symbolic link goes up from
// where it leads): on a mount that does not answer, no window appeared for
// minutes, as TestWindowOpensWhileAPathGivenDoesNotAnswer's stat did. The
// path now goes to the window absolute but with its ".." (api.AbsUnresolved,
// which reads nothing for it), and the window resolves it off its UI
// goroutine; a path with no ".." is as clean as before.
func TestWindowGetsAPathWithDotDotUnresolved(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	opened := make(chan []string, 1)
	openWindow = func(o ui.Options) error {
		opened <- o.Files
		return nil
	}
	windowFaked(t)
	root := t.TempDir()
	nas := filepath.Join(root, "nas")
	t.Chdir(root)

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"absolute, a \"..\" kept", []string{nas + "/current/../report.pdf", nas + "/./plain.pdf"}, []string{nas + "/current/../report.pdf", filepath.Join(nas, "plain.pdf")}},
		{"relative, made absolute, its \"..\" kept", []string{"nas/current/../report.pdf"}, []string{root + "/nas/current/../report.pdf"}},
		{"relative, no \"..\": clean", []string{"./nas//plain.pdf"}, []string{filepath.Join(nas, "plain.pdf")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, "", tt.args...)
			require.Equal(t, 0, code, errOut)
			assert.Equal(t, tt.want, <-opened)
		})
	}
}
