package storage

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCredentialManagerKeepsAtMostItsBlob: Windows' Credential Manager
// keeps at most 2,560 bytes in one entry. A password of that length is
// kept and read back whole; one a byte longer is a *SecretTooLargeError
// that names its kind and length (what a caller words its sentence
// from), and leaves nothing in the keyring, also not a cut value.
func TestCredentialManagerKeepsAtMostItsBlob(t *testing.T) {
	s := realKeyring(t)
	env, account := uniqueAccount(t, s)
	const limit = 2560
	fits := strings.Repeat("é", limit/2) // 2,560 bytes, non-ASCII
	require.NoError(t, s.Set(env, account, SecretPassword, fits))
	got, err := s.Get(env, account, SecretPassword)
	require.NoError(t, err)
	assert.Equal(t, fits, got, "kept whole")

	require.NoError(t, s.Delete(env, account, SecretPassword))
	err = s.Set(env, account, SecretPassword, fits+"x")
	var tooLarge *SecretTooLargeError
	require.True(t, errors.As(err, &tooLarge), "%v", err)
	assert.Equal(t, SecretPassword, tooLarge.Kind)
	assert.Equal(t, limit+1, tooLarge.Length)
	assert.NotContains(t, err.Error(), fits)
	_, err = s.Get(env, account, SecretPassword)
	assert.ErrorIs(t, err, ErrSecretNotFound, "nothing kept")
}
