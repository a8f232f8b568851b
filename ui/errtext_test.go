package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// typedErrors are errors the window words itself, each with its English
// sentence.
var typedErrors = []struct {
	name string
	err  error
	want string
}{
	{"API key refused", fmt.Errorf("sign in: %w", &api.Error{Kind: api.KindUnauthorized, Op: api.OpAPIKey, Status: 401}),
		"dStor rejected the API key. Check it, or create a new one if it expired or was revoked."},
	{"password refused", &api.Error{Kind: api.KindUnauthorized, Op: api.OpLogin, Status: 401},
		"dStor rejected the email or password. Check them and sign in again."},
	{"access refused", &api.Error{Kind: api.KindUnauthorized, Op: api.OpUpload, Status: 403},
		"dStor refused access. Sign in again, or check that the folder belongs to this account."},
	{"unreachable", &api.Error{Kind: api.KindUnreachable, Host: "api.example", Err: errors.New("connection refused")},
		"Cannot reach api.example. Check your connection."},
	{"busy, with what dStor said", &api.Error{Kind: api.KindRateLimited, Status: 429, RetryAfter: 30 * time.Second, Message: "slow down"},
		`dStor is busy (too many requests). Retrying later may work. dStor asked to wait 30 s. (dStor said: "slow down")`},
	{"no such address", &api.Error{Kind: api.KindBadRequest, Status: 404},
		"dStor has no such address. Check the environment's URLs."},
	{"hash mismatch", &api.Error{Kind: api.KindHashMismatch, Err: &api.HashMismatchError{Local: "QmLocal", Remote: "QmRemote"}},
		"dStor stored the file under hash QmRemote, but the file's own hash is QmLocal: it may have been damaged on the way. Upload it again."},
	{"file changed", fmt.Errorf("upload: %w", api.ErrFileChanged),
		"The file changed while it was being uploaded. Wait until nothing is writing to it, then upload it again."},
	{"disk full", &storage.DiskFullError{Dir: "/data", Free: -1, Need: 64_000_000},
		"The disk holding /data is full. Free at least " + formatSize(64_000_000) + " there, then try again."},
	{"database locked", fmt.Errorf("open: %w", &storage.BusyError{Path: "/data/uploads.db"}),
		"Another program is using the upload history /data/uploads.db and keeps it locked. Close it (an SQLite browser, a backup or sync tool, a stuck copy of dStor Uploader), then try again."},
	{"queue in use", fmt.Errorf("open the queue: %w", storage.ErrQueueInUse),
		"Another dStor Uploader (the window or a command-line upload) is already running this account's upload queue. Let it finish or close it, then try again."},
}

// TestErrorTextWordsTypedErrors: the errors the window can tell apart get
// its own sentences, in its language; others keep api.Human's English.
func TestErrorTextWordsTypedErrors(t *testing.T) {
	for _, c := range typedErrors {
		assert.Equal(t, c.want, errorText(c.err), c.name)
	}
	assert.Equal(t, "Enter your email address.", errorText(api.ValidateEmail("")), "the validators' own sentences")
	assert.Equal(t, "Something odd.", errorText(errors.New("something odd")))
	assert.Equal(t, "", errorText(nil))

	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	for _, c := range typedErrors {
		de := errorText(c.err)
		assert.NotEqual(t, c.want, de, c.name)
		assert.NotContains(t, de, "Check", "%s: %q", c.name, de)
	}
	assert.Contains(t, errorText(typedErrors[3].err), "api.example", "data stays as it is")
}

// TestAPIKeyAndEmailText: each way a key can be refused has the window's
// sentence; an email address's empty field too.
func TestAPIKeyAndEmailText(t *testing.T) {
	for key, want := range map[string]string{
		"": "Enter your dStor API key (64 characters, shown once when the key was created).",
		strings.Repeat("a", 10) + " " + strings.Repeat("b", 53): "The API key contains a space or a line break. Paste it again without extra characters.",
		strings.Repeat("é", 64):                                 "The API key may contain only letters A–Z and a–z, digits 0–9, '-' and '_'. Paste it again exactly as dStor showed it.",
		strings.Repeat("a", 63):                                 "The API key must be exactly 64 characters long, but this one has 63. Copy the whole key again.",
	} {
		require.Error(t, api.ValidateAPIKey(key), "%q", key)
		assert.Equal(t, want, apiKeyText(key))
	}
	assert.Equal(t, "Enter your email address.", errorText(api.ValidateEmail("")))
	assert.Equal(t, "The email address must not contain spaces or control characters. Check for a stray space.",
		errorText(api.ValidateEmail("a b@example.com")))
}
