package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"github.com/dstor-uploader/dstor-uploader/api"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"
)

// Demo account values: the app's "Local sandbox" environment and `make run`
// sign in with them, so they are fixed and public. They are not secrets and
// must never be accepted by anything but a sandbox.
const (
	// DemoEmail is the demo account's email, fixed so the app can prefill it.
	DemoEmail = "demo@sandbox.local"
	// DemoPassword is the demo account's password, fixed so the app can
	// prefill it.
	DemoPassword = "sandbox-demo"
	// DemoAPIKey is the demo account's API key (64 characters like a real
	// key), fixed so scripts and the app can use it without a setup step.
	DemoAPIKey = "SandboxDemoKey0000NotASecret0000OnlyForTheLocalSandbox0000000000"
)

// apiKeyAlphabet is what generated keys are made of: letters and digits
// only, so keys survive shells, URLs and headers without quoting.
const apiKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// bcryptCost is the password hashing cost; tests lower it to stay fast.
var bcryptCost = bcrypt.DefaultCost

// Account is a sandbox user. Its ID is a UUID and is the `sub` claim of the
// tokens it gets, so tests can tell whose upload is whose.
type Account struct {
	ID    string
	Email string
}

// account is the stored form: the password only as a bcrypt hash.
type account struct {
	Account
	passwordHash []byte
}

// apiKey is a stored API key: only its SHA-256, never the key itself, as
// the Storj keys page describes (shown once, stored hashed).
type apiKey struct {
	hash      [32]byte
	accountID string
	expires   time.Time // zero: never
	revoked   bool
}

// CreateAccount adds an account with a bcrypt-hashed password and a fresh
// UUID, so a test or the sandbox command can sign in with email and password.
func (s *Server) CreateAccount(email, password string) (Account, error) {
	if err := CheckEmail(email); err != nil {
		return Account{}, fmt.Errorf("sandbox: create account: %w", err)
	}
	if err := CheckPassword(password); err != nil {
		return Account{}, fmt.Errorf("sandbox: create account: %w", err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return Account{}, fmt.Errorf("sandbox: create account: hash password: %w", err)
	}
	norm := strings.ToLower(email)
	acc := &account{
		Account:      Account{ID: accountID(norm), Email: email},
		passwordHash: hash,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.emails[norm]; taken {
		return Account{}, fmt.Errorf("sandbox: create account: an account with email %q already exists", email)
	}
	s.accounts[acc.ID] = acc
	s.emails[norm] = acc.ID
	return acc.Account, nil
}

// accountNamespace makes account ids out of emails (UUID version 5).
var accountNamespace = uuid.MustParse("7f0c2a4e-3d1b-5e8a-9c6f-2b4d8e1a0c3f")

// accountID is the same for the same email every time the sandbox starts,
// as a real account's id is, so a client's queue and history filed under
// the token's subject still match after a restart (the window's Local
// sandbox and "dstor-uploader sandbox" recreate their accounts each run).
func accountID(normalizedEmail string) string {
	return uuid.NewSHA1(accountNamespace, []byte(normalizedEmail)).String()
}

// CheckEmail accepts a plain address such as "a@b.example", nothing more
// (no display names), so logins compare exactly; the sandbox command
// checks its --email with it before starting anything. An error does not
// repeat email: --email may hold the password typed in the wrong place.
func CheckEmail(email string) error {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return errors.New("the email is not an address such as name@example.com")
	}
	return nil
}

// CheckPassword refuses a password an account cannot have: empty, or
// longer than bcrypt takes. An error does not repeat it.
func CheckPassword(password string) error {
	if password == "" {
		return errors.New("the password is empty")
	}
	if len(password) > 72 {
		return errors.New("the password is longer than 72 bytes (bcrypt's limit)")
	}
	return nil
}

// CreateAPIKey makes a random 64-character key for an account and returns
// it: this is the only time the key is visible, since only its SHA-256 is
// kept. A zero expires means the key never expires.
func (s *Server) CreateAPIKey(accountID string, expires time.Time) (string, error) {
	key, err := randomKey()
	if err != nil {
		return "", fmt.Errorf("sandbox: create API key: %w", err)
	}
	if err := s.addKey(accountID, key, expires); err != nil {
		return "", fmt.Errorf("sandbox: create API key: %w", err)
	}
	return key, nil
}

// AddAPIKey registers a key chosen by the caller (64 letters and digits),
// so scripts, demos and `dstor-uploader sandbox --api-key` can use a key
// known in advance. A zero expires means the key never expires.
func (s *Server) AddAPIKey(accountID, key string, expires time.Time) error {
	if err := CheckAPIKey(key); err != nil {
		return fmt.Errorf("sandbox: add API key: %w", err)
	}
	if err := s.addKey(accountID, key, expires); err != nil {
		return fmt.Errorf("sandbox: add API key: %w", err)
	}
	return nil
}

// CheckAPIKey reports, in words a person can act on, why key cannot be a
// sandbox API key; the sandbox command uses it to validate --api-key before
// starting anything. The error never contains the key.
func CheckAPIKey(key string) error {
	if len(key) != api.APIKeyLength {
		return fmt.Errorf("an API key must be exactly %d characters, this one has %d", api.APIKeyLength, len(key))
	}
	for i := 0; i < len(key); i++ {
		if !strings.ContainsRune(apiKeyAlphabet, rune(key[i])) {
			return fmt.Errorf("an API key may contain only letters A-Z, a-z and digits 0-9; character %d is not one", i+1)
		}
	}
	return nil
}

func (s *Server) addKey(accountID, key string, expires time.Time) error {
	rec := &apiKey{hash: sha256.Sum256([]byte(key)), accountID: accountID, expires: expires}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[accountID]; !ok {
		return fmt.Errorf("no account with ID %q", accountID)
	}
	if _, dup := s.keys[rec.hash]; dup {
		return errors.New("this key is already registered")
	}
	s.keys[rec.hash] = rec
	return nil
}

// RevokeAPIKey makes key unusable at once: the next temp-token request with
// it gets 401, as dStor's revocation is immediate. Tokens already issued
// stay valid until they expire.
func (s *Server) RevokeAPIKey(key string) error {
	sum := sha256.Sum256([]byte(key))
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.keys[sum]
	if !ok {
		return errors.New("sandbox: revoke API key: no such key")
	}
	rec.revoked = true
	return nil
}

// randomKey draws a key uniformly from apiKeyAlphabet with crypto/rand
// (rejection sampling, so no letter is likelier than another).
func randomKey() (string, error) {
	const n = len(apiKeyAlphabet) // 62
	const limit = 256 - (256 % n) // 248: bytes at or above it are redrawn
	out := make([]byte, 0, api.APIKeyLength)
	buf := make([]byte, 2*api.APIKeyLength)
	for len(out) < api.APIKeyLength {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("read random bytes: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < api.APIKeyLength {
				out = append(out, apiKeyAlphabet[int(b)%n])
			}
		}
	}
	return string(out), nil
}

// keyStatus is the outcome of looking up an API key.
type keyStatus int

const (
	keyUnknown keyStatus = iota
	keyOK
	keyExpired
	keyRevoked
)

// lookupKey finds the account an API key belongs to. The key is hashed and
// the stored hash compared in constant time.
func (s *Server) lookupKey(key string) (string, keyStatus) {
	sum := sha256.Sum256([]byte(key))
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.keys[sum]
	if !ok || subtle.ConstantTimeCompare(rec.hash[:], sum[:]) != 1 {
		return "", keyUnknown
	}
	switch {
	case rec.revoked:
		return "", keyRevoked
	case !rec.expires.IsZero() && !s.now().Before(rec.expires):
		return "", keyExpired
	}
	return rec.accountID, keyOK
}

// dummyHash is checked against when an email is unknown, so a login takes
// as long whether or not the account exists.
var (
	dummyHashOnce sync.Once
	dummyHash     []byte
)

// checkLogin returns the account ID for a correct email and password.
func (s *Server) checkLogin(email, password string) (string, bool) {
	s.mu.Lock()
	id, ok := s.emails[strings.ToLower(email)]
	var hash []byte
	if ok {
		hash = s.accounts[id].passwordHash
	}
	s.mu.Unlock()
	if !ok {
		dummyHashOnce.Do(func() {
			dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such account"), bcryptCost)
		})
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return "", false
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		return "", false
	}
	return id, true
}

// accountExists reports whether a token's subject is still an account.
func (s *Server) accountExists(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.accounts[id]
	return ok
}

// NewDemo starts from New and adds the demo account (DemoEmail,
// DemoPassword) with the never-expiring DemoAPIKey, so the app's "Local
// sandbox" environment and `make run` work with no setup.
func NewDemo(cfg Config) (*Server, Account, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, Account{}, err
	}
	acc, err := s.CreateAccount(DemoEmail, DemoPassword)
	if err == nil {
		err = s.AddAPIKey(acc.ID, DemoAPIKey, time.Time{})
	}
	if err != nil {
		_ = s.Close()
		return nil, Account{}, fmt.Errorf("sandbox: demo account: %w", err)
	}
	return s, acc, nil
}
