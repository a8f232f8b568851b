package session

import (
	"errors"
	"strings"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// ErrSandboxFromCommandLine is --env sandbox given to a command: the Local
// sandbox lives inside the window's process, so a command cannot reach it.
var ErrSandboxFromCommandLine = errors.New(`--env sandbox names the window's built-in sandbox; from the command line, start one with "dstor-uploader sandbox" and pass the "API base" it prints, e.g. --env http://127.0.0.1:8787`)

// ParseKey reads an environment as --env gives it, in the form accounts,
// secrets and history are filed under (api.Environment.Key): "" when none
// is given, api.SandboxKey for the window's Local sandbox ("sandbox",
// "local", "local-sandbox"), "production" ("prod", or its URL), "testnet"
// ("test", or its URL), else the base URL as api.Environment.Key spells
// it (lower-case scheme and host, no default port, no trailing slash), so
// every spelling of one server names one environment.
func ParseKey(s string) string {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return ""
	case api.SandboxKey, "local", "local-sandbox":
		return api.SandboxKey
	case "production", "prod":
		return api.Production.Key()
	case "testnet", "test":
		return api.Testnet.Key()
	}
	return api.Environment{APIBase: s}.Key()
}

// CommandLineEnv is the environment a command works with: --env, else the
// last one signed in to (lastSignedIn), else production.
func CommandLineEnv(flag string, settings storage.Settings) (api.Environment, error) {
	key := ParseKey(flag)
	if key == "" {
		key = lastSignedIn(settings)
	}
	if key == "" {
		key = api.Production.Key()
	}
	if key == api.SandboxKey {
		return api.Environment{}, ErrSandboxFromCommandLine
	}
	return api.ParseEnvironment(key)
}

// lastSignedIn is the environment last signed in to that a command can
// reach: the window's Local sandbox lives in the window's process, so when
// the window signed in to it last, the one signed in to before it (the
// remembered accounts are most recent first). Falling back to production
// there sent a command meant for testnet, say, to production, whenever
// the window had been opened on the sandbox since. "" when there is none.
func lastSignedIn(s storage.Settings) string {
	if k := ParseKey(s.LastEnv); k != "" && k != api.SandboxKey {
		return k
	}
	for _, a := range s.RememberedAccounts {
		if k := ParseKey(a.Env); k != "" && k != api.SandboxKey {
			return k
		}
	}
	return ""
}

// CustomEnv is a person's own dStor-compatible server: base URL, and the
// upload and gateway URLs when they differ from the base's documented
// paths ("" keeps those).
func CustomEnv(base, upload, gateway string) (api.Environment, error) {
	env, err := api.CustomEnvironment(base)
	if err != nil {
		return api.Environment{}, err
	}
	if u := strings.TrimSpace(upload); u != "" {
		env.UploadURL = u
	}
	if g := strings.TrimSpace(gateway); g != "" {
		env.GatewayURL = g
	}
	if err := env.Validate(); err != nil {
		return api.Environment{}, err
	}
	return env, nil
}
