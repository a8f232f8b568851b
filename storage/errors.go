package storage

import (
	"database/sql"
	"errors"
	"fmt"
)

// ErrNotFound is returned (wrapped) when a job or history row asked for by id
// does not exist, so callers can tell "gone" from a real database failure
// with errors.Is.
var ErrNotFound = errors.New("not found")

// ErrJobDone is returned (wrapped) by [DB.UpdateJob] when the job is already
// done: a late cancel or failure must never overwrite a finished upload that
// is already in the history, so the worker is told instead.
var ErrJobDone = errors.New("job is already done")

// ErrSchemaTooNew is returned (wrapped) by [Open] when the database was
// written by a newer version of the app; opening it anyway could corrupt data
// the newer schema relies on, so the person is asked to upgrade instead.
// Its sentence says what to do, as the command line prints it.
var ErrSchemaTooNew = errors.New("it was written by a newer version of dStor Uploader: install that version, or a newer one, to use it (this one leaves it as it is)")

// ErrSecretNotFound is returned (wrapped) by [SecretStore.Get] when no secret
// is stored for that environment, account and kind, so the UI can ask the
// person to sign in rather than report a failure.
var ErrSecretNotFound = errors.New("secret not found")

// ErrKeyringTimeout is returned (wrapped) when the OS keyring did not answer
// within the store's timeout. Keyring daemons can hang (a locked collection
// waiting for a prompt, a stuck D-Bus), and the app must not hang with them.
var ErrKeyringTimeout = errors.New("keyring did not answer in time")

// InvalidArgumentError reports a caller mistake (an empty id, an unknown job
// state, a '|' in an account name) so it can be told apart from I/O failures
// and fixed in the calling code rather than retried.
type InvalidArgumentError struct {
	// Arg names the offending argument or field, for the message.
	Arg string
	// Problem says what is wrong with it.
	Problem string
}

// Error implements error, so an InvalidArgumentError can travel through
// ordinary error returns and be found again with errors.As.
func (e *InvalidArgumentError) Error() string {
	return fmt.Sprintf("invalid %s: %s", e.Arg, e.Problem)
}

func invalidArg(arg, problem string) error {
	return &InvalidArgumentError{Arg: arg, Problem: problem}
}

// touchedOne is the error of a statement (its result and error, as Exec
// returns them) that must change exactly one row: ErrNotFound when it
// changed none.
func touchedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}
