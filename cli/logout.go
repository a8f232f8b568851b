package cli

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

type logoutOptions struct {
	env, account string
}

func newLogoutCommand(cio IO) *cobra.Command {
	var o logoutOptions
	cmd := &cobra.Command{
		Use:   "logout [--env ENV] [--account ACCOUNT]",
		Short: "Sign out; secrets leave the keyring",
		Long: `Signs out: removes the account's API key, token and password from the OS
keyring and forgets the account. Without --account, every account of ENV.
Ctrl+C stops it after the account being signed out; those after it stay
signed in.`,
		Example: `  dstor-uploader logout --env production`,
		Args:    noArgs("name the account with --account"),
		RunE:    func(cmd *cobra.Command, _ []string) error { return runLogout(cmd.Context(), cio, o) },
	}
	cmd.Flags().StringVar(&o.env, "env", "", "environment: production, testnet, or a base URL")
	cmd.Flags().StringVar(&o.account, "account", "", "the account to sign out (default: all of ENV)")
	return cmd
}

// runLogout forgets the accounts of an environment (or one of them).
func runLogout(ctx context.Context, cio IO, o logoutOptions) error {
	// Ctrl+C, SIGTERM or a hang-up (the terminal closed) stops it after
	// the account being signed out: left to Go, the process ended between
	// an account's keyring delete and its settings, so an account said
	// "Signed out" stayed remembered with its secrets gone. Watched from
	// before the keyring opens: one that ended the process there left the
	// keyring's test entry (storage.SecretStore's probe) in it.
	ctx, stoppedAgain, stop := interrupts(ctx)
	defer stop()
	st, err := openStore(cio.Err, o.env)
	if err != nil {
		return err
	}
	defer st.close(cio.Err)
	storeOpened(ctx)
	var signedIn []storage.RememberedAccount
	for _, acc := range st.settings.RememberedAccounts {
		if acc.Env == st.envKey && (o.account == "" || acc.Account == o.account) {
			signedIn = append(signedIn, acc)
		}
	}
	if len(signedIn) > 0 && !st.secrets.Persistent() {
		// This run's store is in memory: deleting from it would remove
		// nothing, and forgetting the accounts would leave their secrets
		// in the keyring with nothing left to sign out.
		names := make([]string, len(signedIn))
		for i, acc := range signedIn {
			names[i] = acc.Account
		}
		return fmt.Errorf("cannot sign out %s: the OS keyring, which keeps the API key, token or password, cannot be reached, so nothing was removed and the sign-in stays: %s\nRun logout again where the keyring can be reached",
			strings.Join(names, ", "), st.secrets.ReasonFor(storage.CommandLineWording))
	}
	// Each account the keyring lets go is forgotten, whatever it does with
	// the others: the remembered accounts are then those whose secrets it
	// still holds, which a later logout removes.
	var gone []storage.RememberedAccount
	var kept, left []string
	var refused error
	for _, acc := range signedIn {
		if ctx.Err() != nil {
			left = append(left, acc.Account)
			continue
		}
		removed, err := signOut(ctx, stoppedAgain, st, acc)
		switch {
		case !removed && err != nil:
			kept = append(kept, acc.Account)
			refused = cmp.Or(refused, err)
			continue
		case err != nil:
			return err
		}
		gone = append(gone, acc)
		fmt.Fprintf(cio.Out, "Signed out %s from %s.\n", acc.Account, st.envKey)
		afterSignOut(ctx, acc.Account)
	}
	if len(signedIn) == 0 {
		fmt.Fprintf(cio.Out, "No account was signed in to %s.\n", st.envKey)
		return nil
	}
	if err := sweepKeyring(st, gone); err != nil {
		return err
	}
	again := "dstor-uploader logout --env " + st.envKey
	if o.account != "" {
		again += " --account " + o.account
	}
	if len(left) > 0 {
		// Those the keyring kept are named too: the next logout says why.
		fmt.Fprintf(cio.Err, "Interrupted: still signed in to %s: %s. Run \"%s\" to sign out.\n",
			st.envKey, strings.Join(append(kept, left...), ", "), again)
		return &exitError{code: stopStatus(ctx)}
	}
	if len(kept) > 0 {
		return fmt.Errorf("cannot sign out %s: the OS keyring did not delete the API key, token or password (%s), so the sign-in stays\n"+
			"Run \"%s\" again once the keyring works, or %s",
			strings.Join(kept, ", "), innermost(refused), again, deleteKeyringEntries)
	}
	return nil
}

// signOut removes acc's secrets from the keyring and then forgets it in
// the settings, as one step a signal does not split: the signals that stop
// logout (stopSignals) are held meanwhile (holdSignals), so a third one,
// which would otherwise end the process at once (interrupts), cannot leave
// acc remembered, shown signed in, with its secrets gone. The keyring's
// timeout and the history's bound the hold. removed is false, with why,
// when the keyring kept the secrets (acc stays remembered); an error with
// removed true is the settings' write, which failed.
func signOut(ctx context.Context, stoppedAgain <-chan struct{}, st *store, acc storage.RememberedAccount) (removed bool, err error) {
	release := holdSignals()
	defer release()
	if err := session.Forget(st.secrets, acc); err != nil {
		return false, err
	}
	signingOut(ctx, stoppedAgain, acc.Account)
	// Applied to the settings stored now, so what a window open on the
	// same data folder saved meanwhile stays.
	_, err = st.db.UpdateSettings(func(settings storage.Settings) storage.Settings {
		return settings.WithoutRememberedAccount(st.envKey, acc.Account)
	})
	return true, err
}

// sweepKeyring removes the secrets of the accounts signed out (gone) once
// more now that no setting names them: a run (window or command line)
// that read the keyring before the first removal files its fresh token
// after its sign-in, and one that files it after this sweep finds the
// account forgotten and removes it itself (session.DropTokenIfSignedOut).
func sweepKeyring(st *store, gone []storage.RememberedAccount) error {
	for _, acc := range gone {
		if err := session.Forget(st.secrets, acc); err != nil {
			return err
		}
	}
	return nil
}

// innermost is the words of the error err wraps deepest (the first of
// errors joined): the keyring's own, without what each layer added.
func innermost(err error) string {
	for {
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			if errs := e.Unwrap(); len(errs) > 0 {
				err = errs[0]
				continue
			}
		case interface{ Unwrap() error }:
			if inner := e.Unwrap(); inner != nil {
				err = inner
				continue
			}
		}
		return err.Error()
	}
}

// afterSignOut runs once logout has removed an account's secrets from the
// keyring and said so, before the next account; a test stops the command
// there.
var afterSignOut = func(context.Context, string) {}

// signingOut runs once logout has removed an account's secrets from the
// keyring, before the settings forget it (signOut); a test signals the
// command there (stoppedAgain is closed at the second signal).
var signingOut = func(context.Context, <-chan struct{}, string) {}
