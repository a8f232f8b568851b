package ui

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// refusedInputs are values the window's forms check, one for each problem
// of each field it words.
var refusedInputs = []struct {
	name string
	err  error
}{
	{"email empty", api.ValidateEmail("")},
	{"email not text", api.ValidateEmail("dev\xff@example.com")},
	{"email space", api.ValidateEmail("dev @example.com")},
	{"email too long", api.ValidateEmail(strings.Repeat("a", 250) + "@example.com")},
	{"email no at", api.ValidateEmail("dev.example.com")},
	{"comment not text", api.ValidateComment("a\xc3")},
	{"comment line break", api.ValidateComment("a\nb")},
	{"comment too long", api.ValidateComment(strings.Repeat("x", 1025))},
	{"folder not text", api.ValidateFolderPath("/\xff")},
	{"folder line break", api.ValidateFolderPath("/a\nb")},
	{"folder too long", api.ValidateFolderPath("/" + strings.Repeat("a", 1024))},
	{"folder relative", api.ValidateFolderPath("photos")},
	{"folder dot-dot", api.ValidateFolderPath("/a/../b")},
	{"parent negative", api.ValidateParentID(-1)},
}

// TestValidationTextInTheWindowsLanguage: each way the forms' checks
// refuse an email address, a comment, a folder path or a parent folder id
// has the window's sentence, and a German window says it in German.
func TestValidationTextInTheWindowsLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	t.Setenv("LANGUAGE", "en")
	require.NoError(t, useLanguage(""))
	en := map[string]string{}
	for _, c := range refusedInputs {
		var ve *api.ValidationError
		require.ErrorAs(t, c.err, &ve, c.name)
		en[c.name] = validationText(ve)
		assert.NotEmpty(t, en[c.name], "%s has no sentence of the window's", c.name)
	}
	assert.Equal(t, "The comment is too long: at most 1024 bytes, this one has 1025. Shorten it.", en["comment too long"])
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	for _, c := range refusedInputs {
		de := errorText(c.err)
		assert.NotEqual(t, en[c.name], de, "%s is not translated", c.name)
		assert.NotEmpty(t, de, c.name)
	}
	assert.Contains(t, errorText(api.ValidateComment(strings.Repeat("x", 1025))), "1025")
}

// TestKeyringTextInTheWindowsLanguage: each reason the keyring keeps no
// secrets has the window's sentence, in German in a German window; a
// keyring that works needs none.
func TestKeyringTextInTheWindowsLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	states := []storage.KeyringState{storage.KeyringOff, storage.KeyringNoSession, storage.KeyringTimedOut, storage.KeyringFailed}
	probe := errors.New("org.freedesktop.DBus.Error.ServiceUnknown")
	t.Setenv("LANGUAGE", "en")
	require.NoError(t, useLanguage(""))
	en := map[storage.KeyringState]string{}
	for _, s := range states {
		en[s] = keyringText(s, probe)
		assert.NotEmpty(t, en[s], "state %d", s)
	}
	assert.Empty(t, keyringText(storage.KeyringWorks, nil))
	assert.Equal(t, keyringText(storage.NewMemorySecretStore().State()), en[storage.KeyringOff])
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	for _, s := range states {
		de := keyringText(s, probe)
		assert.NotEqual(t, en[s], de, "state %d is not translated", s)
	}
	assert.Contains(t, keyringText(storage.KeyringFailed, probe), "ServiceUnknown", "the system's error stays as it is")
	assert.NotEqual(t, "The system keyring did not answer in time. Try again, or restart the app.",
		errorText(storage.ErrKeyringTimeout))
}
