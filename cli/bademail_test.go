package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestBadEmailIsRefusedBeforeThePassword: login --email with no address
// in it is a usage error (exit 2) said before the password is read and
// before the data folder is made. It was refused only once the data
// folder and its history were made and the password read from standard
// input (at a terminal: typed), then with exit 1, as if dStor had said so.
func TestBadEmailIsRefusedBeforeThePassword(t *testing.T) {
	t.Setenv(APIKeyEnv, "")
	for _, tt := range []struct{ name, email, says string }{
		{"no @", "someone.example.com", "not an email address"},
		{"in angle brackets", "<me@example.com>", "not an email address"},
		{"a space inside", "me @example.com", "spaces"},
		{"only spaces", "   ", "enter your email address"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			t.Setenv(storage.HomeEnv, home)
			stdin := strings.NewReader("the-password\n")
			var out, errOut strings.Builder
			code := Run(context.Background(), []string{"login", "--env", "http://127.0.0.1:1", "--email", tt.email, "--password-stdin"},
				IO{In: stdin, Out: &out, Err: &errOut})
			assert.Equal(t, 2, code, "%s%s", out.String(), errOut.String())
			assert.Contains(t, errOut.String(), "--email: ")
			assert.Contains(t, errOut.String(), tt.says)
			assert.Equal(t, len("the-password\n"), stdin.Len(), "the password is not read for an address that cannot sign in")
			assert.NoDirExists(t, home, "a usage error makes no data folder: %s", errOut.String())
		})
	}
}
