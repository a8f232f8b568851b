package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// cliIO is what a subcommand reads and writes, so tests can drive it.
type cliIO struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// newFlagSet makes a flag set whose --help prints the usage text with
// examples and whose errors go to stderr.
func newFlagSet(name, usageText string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and returns the exit status to use when parsing
// ended the command (help asked for, or a bad flag).
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, true
		}
		return 2, true
	}
	return 0, false
}

// openStore opens the data directory's database and the keyring, the two
// things every account-aware command needs.
func openStore() (*storage.DB, *storage.SecretStore, error) {
	dir, err := storage.DataDir()
	if err != nil {
		return nil, nil, fmt.Errorf("find the data directory: %w", err)
	}
	db, err := storage.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	return db, storage.NewSecretStore(storage.DefaultKeyringTimeout), nil
}

// cliStore is what the account-aware commands work with: the database, the
// keyring, the settings and the environment chosen.
type cliStore struct {
	db       *storage.DB
	secrets  *storage.SecretStore
	settings storage.Settings
	env      cliEnv
}

// openCLIStore opens the store and resolves --env (or the last environment
// used); the caller closes db.
func openCLIStore(envFlag string) (*cliStore, error) {
	db, secrets, err := openStore()
	if err != nil {
		return nil, err
	}
	settings, err := db.LoadSettings()
	if err != nil {
		db.Close()
		return nil, err
	}
	env, err := resolveEnv(envFlag, settings)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &cliStore{db: db, secrets: secrets, settings: settings, env: env}, nil
}

// readSecret reads one line from stdin; on a terminal it prompts and turns
// echo off, so the secret never shows on screen or in argv.
func readSecret(in io.Reader, stderr io.Writer, prompt string) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read from the terminal: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("nothing on standard input: pipe the secret in, e.g. printf '%s\\n' \"$KEY\" | dstor-uploader login …")
	}
	return line, nil
}

// fail prints a person-readable error and returns exit status 1.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "dstor-uploader:", api.Human(err))
	return 1
}

const loginUsage = `Usage: dstor-uploader login --env ENV (--api-key-stdin | --email EMAIL --password-stdin) [--remember]

Signs in and keeps what later commands need in the OS keyring: the API key, or
the temporary token (and the password too, with --remember). Secrets are read
from standard input, never from the command line, so no process listing shows
them. ENV is production, testnet, or a base URL such as the one
"dstor-uploader sandbox" prints.

Examples:
  printf '%s\n' "$DSTOR_KEY" | dstor-uploader login --env production --api-key-stdin
  dstor-uploader login --env testnet --email me@example.com --password-stdin --remember
  dstor-uploader login --env http://127.0.0.1:8787 --api-key-stdin < key.txt
`

func runLogin(args []string, cio cliIO) int {
	fs := newFlagSet("login", loginUsage, cio.stderr)
	envFlag := fs.String("env", "", "environment: production, testnet, or a base URL")
	keyStdin := fs.Bool("api-key-stdin", false, "read the API key from standard input")
	email := fs.String("email", "", "account email (with --password-stdin)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	remember := fs.Bool("remember", false, "also keep the password in the keyring, to sign in again when the token expires")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(cio.stderr, "dstor-uploader login: unexpected argument %q; secrets are read from standard input, never from arguments\n", fs.Arg(0))
		return 2
	}
	if *keyStdin == (*email != "" || *pwStdin) {
		fmt.Fprintln(cio.stderr, "dstor-uploader login: use either --api-key-stdin, or --email EMAIL --password-stdin")
		return 2
	}
	if !*keyStdin && (*email == "" || !*pwStdin) {
		fmt.Fprintln(cio.stderr, "dstor-uploader login: --email and --password-stdin go together")
		return 2
	}

	st, err := openCLIStore(*envFlag)
	if err != nil {
		return fail(cio.stderr, err)
	}
	defer st.db.Close()
	db, secrets, settings, env := st.db, st.secrets, st.settings, st.env
	if !secrets.Persistent() {
		fmt.Fprintf(cio.stderr, "dstor-uploader login: cannot keep a sign-in: %s\nFor scripts, set %s instead.\n", secrets.Reason(), apiKeyEnvVar)
		return 1
	}
	client, err := api.NewClient(env.Environment, nil)
	if err != nil {
		return fail(cio.stderr, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var s session
	if *keyStdin {
		key, err := readSecret(cio.stdin, cio.stderr, "API key: ")
		if err != nil {
			return fail(cio.stderr, err)
		}
		if s, err = signInWithAPIKey(ctx, client, key); err != nil {
			return fail(cio.stderr, err)
		}
		if err := secrets.Set(env.Key, s.Account, storage.SecretAPIKey, key); err != nil {
			return fail(cio.stderr, fmt.Errorf("keep the API key in the keyring: %w", err))
		}
	} else {
		pw, err := readSecret(cio.stdin, cio.stderr, "Password: ")
		if err != nil {
			return fail(cio.stderr, err)
		}
		var tok api.Token
		if s, tok, err = signInWithPassword(ctx, client, *email, pw); err != nil {
			return fail(cio.stderr, err)
		}
		if err := secrets.Set(env.Key, s.Account, storage.SecretToken, tok.Raw); err != nil {
			return fail(cio.stderr, fmt.Errorf("keep the token in the keyring: %w", err))
		}
		if *remember {
			err = secrets.Set(env.Key, s.Account, storage.SecretPassword, pw)
		} else {
			err = secrets.Delete(env.Key, s.Account, storage.SecretPassword)
		}
		if err != nil {
			return fail(cio.stderr, fmt.Errorf("update the password in the keyring: %w", err))
		}
	}
	settings = settings.WithRememberedAccount(storage.RememberedAccount{Env: env.Key, Account: s.Account, Method: s.Method})
	settings.LastEnv = env.Key
	if err := db.SaveSettings(settings); err != nil {
		return fail(cio.stderr, err)
	}
	fmt.Fprintf(cio.stdout, "Signed in to %s as %s; the credentials are in the OS keyring.\n", env.Host(), s.Account)
	return 0
}

const logoutUsage = `Usage: dstor-uploader logout [--env ENV] [--account ACCOUNT]

Signs out: removes the account's API key, token and password from the OS
keyring and forgets the account. Without --account, every account of ENV.

Example:
  dstor-uploader logout --env production
`

func runLogout(args []string, cio cliIO) int {
	fs := newFlagSet("logout", logoutUsage, cio.stderr)
	envFlag := fs.String("env", "", "environment: production, testnet, or a base URL")
	account := fs.String("account", "", "the account to sign out (default: all of ENV)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	st, err := openCLIStore(*envFlag)
	if err != nil {
		return fail(cio.stderr, err)
	}
	defer st.db.Close()
	db, secrets, settings, env := st.db, st.secrets, st.settings, st.env
	n := 0
	for _, acc := range settings.RememberedAccounts {
		if acc.Env != env.Key || *account != "" && acc.Account != *account {
			continue
		}
		if err := secrets.DeleteAccount(env.Key, acc.Account); err != nil {
			return fail(cio.stderr, fmt.Errorf("remove %s's secrets from the keyring: %w", acc.Account, err))
		}
		settings = settings.WithoutRememberedAccount(env.Key, acc.Account)
		fmt.Fprintf(cio.stdout, "Signed out %s from %s.\n", acc.Account, env.Key)
		n++
	}
	if n == 0 {
		fmt.Fprintf(cio.stdout, "No account was signed in to %s.\n", env.Key)
		return 0
	}
	if err := db.SaveSettings(settings); err != nil {
		return fail(cio.stderr, err)
	}
	return 0
}

const historyUsage = `Usage: dstor-uploader history [--search Q] [--limit N] [--json | --csv]

Lists finished uploads, newest first: hash, link and name (or every field as
JSON or CSV). --search keeps entries whose name, hash, comment or folder
contains Q.

Examples:
  dstor-uploader history --limit 20
  dstor-uploader history --search invoices --json
  dstor-uploader history --csv > uploads.csv
`

func runHistory(args []string, cio cliIO) int {
	fs := newFlagSet("history", historyUsage, cio.stderr)
	search := fs.String("search", "", "only entries whose name, hash, comment or folder contains this")
	limit := fs.Int("limit", 50, "at most this many entries (0 = all)")
	asJSON := fs.Bool("json", false, "print a JSON array with every field")
	asCSV := fs.Bool("csv", false, "print CSV with every field")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if *asJSON && *asCSV {
		fmt.Fprintln(cio.stderr, "dstor-uploader history: choose one of --json and --csv")
		return 2
	}
	if *limit < 0 {
		fmt.Fprintln(cio.stderr, "dstor-uploader history: --limit must be 0 or more")
		return 2
	}
	dir, err := storage.DataDir()
	if err != nil {
		return fail(cio.stderr, err)
	}
	db, err := storage.Open(dir)
	if err != nil {
		return fail(cio.stderr, err)
	}
	defer db.Close()
	if *limit == 0 {
		*limit = 1 << 30
	}
	settings, err := db.LoadSettings()
	if err != nil {
		return fail(cio.stderr, err)
	}
	var entries []storage.HistoryEntry
	for q := (storage.HistoryQuery{Search: *search}); len(entries) < *limit; {
		q.Limit = min(500, *limit-len(entries))
		page, err := db.HistoryPage(q)
		if err != nil {
			return fail(cio.stderr, err)
		}
		entries = append(entries, page...)
		if len(page) < q.Limit {
			break
		}
		last := page[len(page)-1]
		q.BeforeID, q.BeforeFinishedAt = last.ID, last.FinishedAt
	}
	switch {
	case *asJSON:
		err = writeHistoryJSON(cio.stdout, entries, settings)
	case *asCSV:
		err = writeHistoryCSV(cio.stdout, entries, settings)
	default:
		for _, e := range entries {
			fmt.Fprintf(cio.stdout, "%s  %s  %s\n", e.Hash, historyLink(settings, e), e.Name)
		}
		if len(entries) == 0 && strings.TrimSpace(*search) != "" {
			fmt.Fprintf(cio.stderr, "No upload matches %q.\n", *search)
		} else if len(entries) == 0 {
			fmt.Fprintln(cio.stderr, "No uploads yet.")
		}
	}
	if err != nil {
		return fail(cio.stderr, err)
	}
	return 0
}
