package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// APIKeyEnv lets CI scripts pass an API key without a keyring and
// without argv (a process listing must never show a secret).
const APIKeyEnv = "DSTOR_API_KEY"

// restoreSession signs in for a run of uploads: with DSTOR_API_KEY first
// (scripts), else with the accounts remembered for the environment. Its
// errors say which command signs in.
func restoreSession(ctx context.Context, client *api.Client, st *store) (*session.Session, error) {
	ctx, cancel := context.WithTimeout(ctx, signInTimeout)
	defer cancel()
	if key := os.Getenv(APIKeyEnv); key != "" {
		s, err := session.SignIn(ctx, client, session.Credentials{Method: storage.MethodAPIKey, APIKey: key}, time.Now())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", APIKeyEnv, err)
		}
		return s, nil
	}
	s, err := session.Restore(ctx, client, st.settings, st.secrets)
	var notSignedIn *session.ErrNotSignedIn
	var missing *session.MissingSecretError
	switch {
	case errors.As(err, &notSignedIn):
		return nil, fmt.Errorf("not signed in to %s: run \"dstor-uploader login --env %[1]s --api-key-stdin\" (or --email … --password-stdin), or set %s",
			st.envKey, APIKeyEnv)
	case errors.As(err, &missing) && missing.Kind == storage.SecretAPIKey:
		return nil, fmt.Errorf("%w: run \"dstor-uploader login --env %s --api-key-stdin\"", err, st.envKey)
	case errors.As(err, &missing):
		return nil, fmt.Errorf("%w: run \"dstor-uploader login --env %s --email %s --password-stdin\" (add --remember to stay signed in)",
			err, st.envKey, missing.Account.Account)
	}
	return s, err
}
