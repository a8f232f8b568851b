package testutil

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// KeyringOp names a keyring call, for a test that makes some of them fail.
type KeyringOp string

// The keyring calls a SecretStore makes.
const (
	KeyringSet    KeyringOp = "set"
	KeyringGet    KeyringOp = "get"
	KeyringDelete KeyringOp = "delete"
)

// Keyring is a keyring in memory, answering with go-keyring's errors, whose
// calls a test can make fail as a locked, read-only or refusing Secret
// Service does: the one fake the window's, the command line's and the
// session's tests share.
type Keyring struct {
	mu      sync.Mutex
	entries map[string]string
	fail    func(op KeyringOp, user, value string) error
}

// NewKeyring is an empty keyring that refuses nothing.
func NewKeyring() *Keyring { return &Keyring{entries: map[string]string{}} }

// Store is a SecretStore on k, as the app opens the OS keyring.
func (k *Keyring) Store() *storage.SecretStore {
	return storage.NewSecretStoreOn(k.Funcs(), 5*time.Second)
}

// Fail makes every call for which f answers an error fail with it (user is
// the entry's name, value what a set would store); nil makes none fail.
func (k *Keyring) Fail(f func(op KeyringOp, user, value string) error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fail = f
}

// FailOn makes every call op fail with err; a nil err makes none fail.
func (k *Keyring) FailOn(op KeyringOp, err error) {
	if err == nil {
		k.Fail(nil)
		return
	}
	k.Fail(func(o KeyringOp, _, _ string) error {
		if o == op {
			return err
		}
		return nil
	})
}

// RefuseWrites makes every write of a secret of one of kinds fail with
// err, as a keyring that refuses them (a password too long, a policy)
// does; other calls answer as they would.
func (k *Keyring) RefuseWrites(err error, kinds ...storage.SecretKind) {
	k.Fail(func(op KeyringOp, user, _ string) error {
		if op == KeyringSet && slices.ContainsFunc(kinds, func(kind storage.SecretKind) bool { return strings.HasSuffix(user, "|"+string(kind)) }) {
			return err
		}
		return nil
	})
}

func (k *Keyring) refused(op KeyringOp, user, value string) error {
	if k.fail == nil {
		return nil
	}
	return k.fail(op, user, value)
}

// Funcs are k's calls, for storage.NewSecretStoreOn.
func (k *Keyring) Funcs() storage.KeyringFuncs {
	return storage.KeyringFuncs{
		Set: func(service, user, value string) error {
			k.mu.Lock()
			defer k.mu.Unlock()
			if err := k.refused(KeyringSet, user, value); err != nil {
				return err
			}
			k.entries[service+"/"+user] = value
			return nil
		},
		Get: func(service, user string) (string, error) {
			k.mu.Lock()
			defer k.mu.Unlock()
			if err := k.refused(KeyringGet, user, ""); err != nil {
				return "", err
			}
			v, ok := k.entries[service+"/"+user]
			if !ok {
				return "", keyring.ErrNotFound
			}
			return v, nil
		},
		Delete: func(service, user string) error {
			k.mu.Lock()
			defer k.mu.Unlock()
			if err := k.refused(KeyringDelete, user, ""); err != nil {
				return err
			}
			if _, ok := k.entries[service+"/"+user]; !ok {
				return keyring.ErrNotFound
			}
			delete(k.entries, service+"/"+user)
			return nil
		},
	}
}

// LateTokenWrites is LateWrites of tokens: every write of a token
// answered after late.
func LateTokenWrites(funcs storage.KeyringFuncs, late time.Duration) (_ storage.KeyringFuncs, landed <-chan struct{}) {
	return LateWrites(funcs, late, storage.SecretToken)
}

// LateWrites is funcs with every write of a secret of one of kinds
// answered after late (funcs' own write made only then, which may still
// refuse it: Keyring.Fail), as a keyring that answers after the store
// stopped waiting does; landed is closed once such a write has ended.
// Writes of other secrets are funcs' own.
func LateWrites(funcs storage.KeyringFuncs, late time.Duration, kinds ...storage.SecretKind) (_ storage.KeyringFuncs, landed <-chan struct{}) {
	set, done := funcs.Set, make(chan struct{})
	var once sync.Once
	funcs.Set = func(service, user, value string) error {
		if !slices.ContainsFunc(kinds, func(k storage.SecretKind) bool { return strings.HasSuffix(user, "|"+string(k)) }) {
			return set(service, user, value)
		}
		defer once.Do(func() { close(done) })
		time.Sleep(late) // the keyring's answer comes late: what is tested, not a wait
		return set(service, user, value)
	}
	return funcs, done
}
