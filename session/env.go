package session

import (
	"errors"
	"strings"

	"github.com/dstor-uploader/dstor-uploader/api"
)

// ErrSandboxFromCommandLine is --env sandbox given to a command: the Local
// sandbox lives inside the window's process, so a command cannot reach it.
var ErrSandboxFromCommandLine = errors.New(`--env sandbox names the window's built-in sandbox; from the command line, start one with "dstor-uploader sandbox" and pass the "API base" it prints, e.g. --env http://127.0.0.1:8787`)

// ParseKey reads an environment as --env gives it, in the form accounts,
// secrets and history are filed under (api.Environment.Key): "" when none
// is given, api.SandboxKey for the window's Local sandbox ("sandbox",
// "local", "local-sandbox"), "production" ("prod"), "testnet" ("test"),
// else the base URL without a trailing slash.
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
	return strings.TrimRight(s, "/")
}

// CommandLineEnv is the environment a command works with: --env, else the
// last one signed in to (unless that was the window's Local sandbox), else
// production.
func CommandLineEnv(flag, lastEnv string) (api.Environment, error) {
	key := ParseKey(flag)
	if key == "" && lastEnv != api.SandboxKey {
		key = ParseKey(lastEnv)
	}
	if key == "" {
		key = api.Production.Key()
	}
	if key == api.SandboxKey {
		return api.Environment{}, ErrSandboxFromCommandLine
	}
	return api.ParseEnvironment(key)
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
