package testutil

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
)

// The account StartSandbox creates.
const (
	SandboxEmail    = "tester@example.com"
	SandboxPassword = "tester-password-1"
)

// Sandbox is a sandbox listening on 127.0.0.1 with one account and its API
// key; its request log is kept for LogLines.
type Sandbox struct {
	Srv *sandbox.Server
	URL string
	Key string
	Acc sandbox.Account
	Env api.Environment

	mu  sync.Mutex
	log []string
}

// StartSandbox starts a sandbox (data in a temporary directory unless
// cfg.DataDir is set) that the test's cleanup closes.
func StartSandbox(t testing.TB, cfg sandbox.Config) *Sandbox {
	t.Helper()
	sb := &Sandbox{}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.Logf = sb.logf
	srv, err := sandbox.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	sb.Srv = srv
	sb.URL, err = srv.Start("127.0.0.1:0")
	require.NoError(t, err)
	sb.Acc, err = srv.CreateAccount(SandboxEmail, SandboxPassword)
	require.NoError(t, err)
	sb.Key, err = srv.CreateAPIKey(sb.Acc.ID, time.Time{})
	require.NoError(t, err)
	sb.Env, err = api.CustomEnvironment(sb.URL)
	require.NoError(t, err)
	return sb
}

func (sb *Sandbox) logf(format string, args ...any) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	sb.log = append(sb.log, fmt.Sprintf(format, args...))
}

// Uploads is how many files the account has uploaded.
func (sb *Sandbox) Uploads() int { return len(sb.Srv.Uploads(sb.Acc.ID)) }

// LogLines counts the request-log lines that contain every one of parts.
func (sb *Sandbox) LogLines(parts ...string) int {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	n := 0
next:
	for _, l := range sb.log {
		for _, p := range parts {
			if !strings.Contains(l, p) {
				continue next
			}
		}
		n++
	}
	return n
}
