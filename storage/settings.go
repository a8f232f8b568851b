package storage

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/dstor-uploader/dstor-uploader/internal/envkey"
)

// Link styles for the copied share link: a gateway URL, an ipfs:// URI,
// the bare CID, a Markdown or an HTML link. Named so the UI, the CLI and Normalize agree on the values.
const (
	// LinkGateway links to the file through an HTTP gateway (the default).
	LinkGateway = "gateway"
	// LinkIPFS is an ipfs://<cid> URI, for IPFS-aware browsers and tools.
	LinkIPFS = "ipfs"
	// LinkCID is the bare CID.
	LinkCID = "cid"
	// LinkMarkdown is a Markdown link, [name](gateway URL).
	LinkMarkdown = "markdown"
	// LinkHTML is an HTML link, <a href="gateway URL">name</a>.
	LinkHTML = "html"
)

// Themes the window can use; "system" follows the desktop.
const (
	// ThemeSystem follows the desktop's light or dark preference.
	ThemeSystem = "system"
	// ThemeLight always uses the light theme.
	ThemeLight = "light"
	// ThemeDark always uses the dark theme.
	ThemeDark = "dark"
)

// Sign-in methods of a remembered account, so the login screen knows which
// form to show and which keyring entry to look for.
const (
	// MethodAPIKey signs in with an API key kept in the keyring.
	MethodAPIKey = "api-key"
	// MethodPassword signs in with email and a password kept in the keyring.
	MethodPassword = "password"
)

// Limits applied by [Settings.Normalize], exported so the UI can bound its
// inputs the same way.
const (
	// MinConcurrency is the fewest uploads that run at once.
	MinConcurrency = 1
	// MaxConcurrency is the most uploads that run at once; more only
	// competes for the same uplink.
	MaxConcurrency = 16
	// DefaultConcurrency is the number of parallel uploads out of the box.
	DefaultConcurrency = 3
	// MaxRecentFolders is how many recent destination folders are kept.
	MaxRecentFolders = 10
)

// RememberedAccount names an account the person signed in with, so the app
// can offer to sign in straight away. It holds names only: the secret stays
// in the keyring ([SecretStore]).
type RememberedAccount struct {
	// Env is the environment (production, testnet or a base URL).
	Env string `json:"env"`
	// Account is the account name (email).
	Account string `json:"account"`
	// Method is MethodAPIKey or MethodPassword.
	Method string `json:"method"`
	// FiledUnder is the spelling of the environment the account's secrets
	// were filed under in the keyring when it differs from Env: an account
	// remembered before environments were keyed in normal form (Env is
	// read in that form, see Normalize), whose secrets the keyring still
	// holds under the spelling it was signed in with.
	FiledUnder string `json:"filed_under,omitempty"`
	// WithoutRememberMe is a password account signed in to last with
	// "Remember me" unticked (--remember left out). A password the
	// keyring holds for it, kept at an earlier sign-in, is not to be
	// used, and is deleted: the keyring may have been out of reach when
	// the person asked to forget it, so the intent is kept here, where it
	// lasts.
	WithoutRememberMe bool `json:"without_remember_me,omitempty"`
}

// CustomEnv is the sign-in form's Custom environment as last typed in a
// data folder, kept with its settings so that another data folder (a
// portable one, another account's, a test run's) neither shows nor
// replaces it, and starting over with a new data folder forgets it. Its
// URLs are plain: the window keeps no user name and password, query or
// fragment of them, and nothing that is not a URL with a host name (an API
// key pasted into the wrong field).
type CustomEnv struct {
	// APIBase is the API base URL.
	APIBase string `json:"api_base"`
	// UploadURL is the upload URL ("": the API base's).
	UploadURL string `json:"upload_url"`
	// GatewayURL is the gateway URL ("": the API base's).
	GatewayURL string `json:"gateway_url"`
}

// IsZero reports whether c holds no URL: nothing was typed in this data
// folder (or an older version kept it elsewhere).
func (c CustomEnv) IsZero() bool {
	return c == CustomEnv{}
}

// Settings are the person's preferences, persisted as JSON in the database
// so they survive restarts and are shared by the window and the CLI.
//
// Settings never hold a secret: no API key, token or password may ever be
// added here (a test enforces that no JSON field is named like one). Secrets
// belong in [SecretStore].
type Settings struct {
	// Concurrency is how many uploads run at once, 1..16 (default 3).
	Concurrency int `json:"concurrency"`
	// UploadLimit is the most bytes per second all uploads together may
	// send (0, the default: no limit).
	UploadLimit int64 `json:"upload_limit"`
	// DefaultFolderPath is the destination folder path preselected for uploads.
	DefaultFolderPath string `json:"default_folder_path"`
	// RecentFolders are the last destination folder paths, most recent
	// first, at most MaxRecentFolders.
	RecentFolders []string `json:"recent_folders"`
	// ParentID is the destination folder id preselected, if any.
	ParentID *int64 `json:"parent_id"`
	// Comment is the comment preselected for uploads.
	Comment string `json:"comment"`
	// LinkStyle is how links are copied by default: LinkGateway
	// (default), LinkIPFS, LinkCID, LinkMarkdown or LinkHTML.
	LinkStyle string `json:"link_style"`
	// LinkFilename adds ?filename=<name> to gateway links, so a download
	// is named after the file rather than its CID (default true).
	LinkFilename bool `json:"link_filename"`
	// GatewayOverride replaces the environment's gateway base URL when set
	// (an absolute http or https URL) and in use (session.GatewayInUse: one
	// Settings would take as it is now; an older version's it refuses is
	// kept for Settings to show).
	GatewayOverride string `json:"gateway_override"`
	// CopyLinkAfterUpload copies the link to the clipboard when an upload
	// finishes.
	CopyLinkAfterUpload bool `json:"copy_link_after_upload"`
	// LiveCheck checks, after each upload, that its gateway link serves
	// the file (one ranged GET of its first bytes), and shows whether it
	// does (default true).
	LiveCheck bool `json:"live_check"`
	// Notifications shows a desktop notification when uploads finish
	// (default true).
	Notifications bool `json:"notifications"`
	// Theme is ThemeSystem (default), ThemeLight or ThemeDark.
	Theme string `json:"theme"`
	// Language is the language of the window: "" follows the system, any
	// other value is a BCP 47 tag such as "de" or "pt-BR" (the window checks
	// it against its catalogs; the command line stays English).
	Language string `json:"language"`
	// LastEnv is the environment used last, preselected at startup.
	LastEnv string `json:"last_env"`
	// RememberedAccounts are the accounts offered for quick sign-in.
	RememberedAccounts []RememberedAccount `json:"remembered_accounts"`
	// Custom is the sign-in form's Custom environment as last typed.
	Custom CustomEnv `json:"custom"`
}

// DefaultSettings returns the settings a new installation starts with, and
// the values that missing fields of stored settings fall back to.
func DefaultSettings() Settings {
	return Settings{
		Concurrency:   DefaultConcurrency,
		LinkStyle:     LinkGateway,
		LinkFilename:  true,
		LiveCheck:     true,
		Notifications: true,
		Theme:         ThemeSystem,
	}
}

// Normalize returns s made valid, so that stored or hand-edited settings can
// never put the app in an impossible state: concurrency 0 (unset) becomes the
// default and others are clamped to 1..16; a negative upload limit becomes
// none; unknown link styles and themes fall back to the default; a language
// that is not a tag follows the system; a gateway override that is not an
// absolute http(s) URL, even but for a space, a control or an invisible
// character inside it (an older version's typo, kept for Settings to show:
// session.GatewayInUse), is dropped (the trailing slashes of its path are trimmed, not those of its query or fragment); recent folders are
// trimmed, de-duplicated and capped at MaxRecentFolders; the Custom URLs are
// trimmed; remembered accounts
// without an environment or account are dropped, duplicates (same
// environment and account) keep the first, and an unknown method becomes
// MethodAPIKey.
func (s Settings) Normalize() Settings {
	switch {
	case s.Concurrency == 0:
		s.Concurrency = DefaultConcurrency
	case s.Concurrency < MinConcurrency:
		s.Concurrency = MinConcurrency
	case s.Concurrency > MaxConcurrency:
		s.Concurrency = MaxConcurrency
	}
	s.UploadLimit = max(0, s.UploadLimit)
	switch s.LinkStyle {
	case LinkGateway, LinkIPFS, LinkCID, LinkMarkdown, LinkHTML:
	default:
		s.LinkStyle = LinkGateway
	}
	switch s.Theme {
	case ThemeSystem, ThemeLight, ThemeDark:
	default:
		s.Theme = ThemeSystem
	}
	s.Language = normLanguage(s.Language)
	s.DefaultFolderPath = strings.TrimSpace(s.DefaultFolderPath)
	s.LastEnv = envkey.Key(s.LastEnv)
	s.GatewayOverride = normGateway(s.GatewayOverride)
	s.Custom = CustomEnv{APIBase: strings.TrimSpace(s.Custom.APIBase),
		UploadURL: strings.TrimSpace(s.Custom.UploadURL), GatewayURL: strings.TrimSpace(s.Custom.GatewayURL)}

	s.RecentFolders = normRecentFolders(s.RecentFolders)
	s.RememberedAccounts = normAccounts(s.RememberedAccounts)
	if s.ParentID != nil {
		p := *s.ParentID // never share the caller's pointer
		s.ParentID = &p
	}
	return s
}

// normRecentFolders trims the folders, drops empty ones and repeats, and
// keeps the first MaxRecentFolders.
func normRecentFolders(in []string) []string {
	folders := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, f := range in {
		f = strings.TrimSpace(f)
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		folders = append(folders, f)
		if len(folders) == MaxRecentFolders {
			break
		}
	}
	return folders
}

// normAccounts drops accounts without an environment or account and
// repeats of the same pair (the first stays), with their environment in
// normal form (envkey.Key: two spellings of one server are one
// environment); an unknown method becomes MethodAPIKey. An account whose
// environment was spelled otherwise keeps that spelling in FiledUnder, and
// the first of a pair takes the FiledUnder of a repeat it lacks, so the
// secrets filed under it are still found, and removed at sign-out.
func normAccounts(in []RememberedAccount) []RememberedAccount {
	accounts := make([]RememberedAccount, 0, len(in))
	seen := map[[2]string]int{}
	for _, a := range in {
		stored := strings.TrimSpace(a.Env)
		a.Env, a.Account = envkey.Key(stored), strings.TrimSpace(a.Account)
		if a.FiledUnder = strings.TrimSpace(a.FiledUnder); a.FiledUnder == "" && stored != a.Env {
			a.FiledUnder = stored
		}
		if a.FiledUnder == a.Env {
			a.FiledUnder = ""
		}
		k := [2]string{a.Env, a.Account}
		if a.Env == "" || a.Account == "" {
			continue
		}
		if i, ok := seen[k]; ok {
			if accounts[i].FiledUnder == "" {
				accounts[i].FiledUnder = a.FiledUnder
			}
			continue
		}
		seen[k] = len(accounts)
		if a.Method != MethodAPIKey && a.Method != MethodPassword {
			a.Method = MethodAPIKey
		}
		accounts = append(accounts, a)
	}
	return accounts
}

// languageTag is the shape of a language choice: a language subtag and an
// optional region or script ("de", "pt-BR", "zh-Hans").
var languageTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z]{2,4})?$`)

// normLanguage keeps a language choice that looks like a tag and drops
// anything else (back to the system's language).
func normLanguage(l string) string {
	l = strings.ReplaceAll(strings.TrimSpace(l), "_", "-")
	if !languageTag.MatchString(l) {
		return ""
	}
	return l
}

// normGateway keeps a gateway override that is an absolute http(s) URL,
// without the trailing slashes of its path; its query (a gateway's access
// token) and fragment stay as written, a slash at their end too. One that
// would be such a URL but for a space, a control (a tab, a line break) or
// an invisible formatting character inside it, which Settings now refuses
// and an older version saved, is kept as saved too: Settings shows it with
// what to do, rather than it being dropped without a word (links do not
// use it: session.GatewayInUse).
func normGateway(g string) string {
	g = strings.TrimSpace(g)
	rest := ""
	if i := strings.IndexAny(g, "?#"); i >= 0 {
		g, rest = g[:i], g[i:]
	}
	g = strings.TrimRight(g, "/") + rest
	if g == "" {
		return ""
	}
	u, err := url.Parse(strings.Map(typoAsLetter, g))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return g
}

// typoAsLetter is r, or a letter in place of a space, a control or an
// invisible formatting character: what a typo or a bad paste puts in a
// gateway address, which url.Parse refuses (in a host, or a control
// anywhere), so the address around it can be judged on its own.
func typoAsLetter(r rune) rune {
	if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
		return 'x'
	}
	return r
}

// WithRecentFolder returns s with folder moved (or added) to the front of
// RecentFolders, keeping at most MaxRecentFolders, for "remember the last
// destinations".
func (s Settings) WithRecentFolder(folder string) Settings {
	folder = strings.TrimSpace(folder)
	if folder == "" {
		return s.Normalize()
	}
	s.RecentFolders = append([]string{folder}, s.RecentFolders...)
	return s.Normalize()
}

// WithRememberedAccount returns s with a at the front of RememberedAccounts,
// replacing an entry for the same environment and account, so the last
// account used is offered first.
func (s Settings) WithRememberedAccount(a RememberedAccount) Settings {
	s.RememberedAccounts = append([]RememberedAccount{a}, s.RememberedAccounts...)
	return s.Normalize()
}

// Remembers reports whether account of env is among RememberedAccounts:
// whether a logout would find it and remove its secrets.
func (s Settings) Remembers(env, account string) bool {
	_, ok := s.Remembered(env, account)
	return ok
}

// Remembered is the entry of RememberedAccounts for account of env, and
// whether there is one: what a sign-out needs of it besides its name (the
// spelling its secrets are filed under, FiledUnder).
func (s Settings) Remembered(env, account string) (RememberedAccount, bool) {
	for _, a := range s.RememberedAccounts {
		if a.Env == env && a.Account == account {
			return a, true
		}
	}
	return RememberedAccount{}, false
}

// WithoutRememberedAccount returns s without the entry for env and account,
// for "forget this account" (delete its secrets with
// [SecretStore.DeleteAccount] too).
func (s Settings) WithoutRememberedAccount(env, account string) Settings {
	env, account = envkey.Key(env), strings.TrimSpace(account)
	kept := make([]RememberedAccount, 0, len(s.RememberedAccounts))
	for _, a := range s.RememberedAccounts {
		if envkey.Key(a.Env) != env || strings.TrimSpace(a.Account) != account {
			kept = append(kept, a)
		}
	}
	s.RememberedAccounts = kept
	return s.Normalize()
}

// settingsKey is the row of the settings table holding the JSON document.
const settingsKey = "app"

// LoadSettings returns the saved settings, normalized; DefaultSettings when
// none were saved. Fields missing from the stored JSON (saved by an older
// version) keep their default values, and so do values of the wrong type
// (decodeSettings). When the stored JSON cannot be read it
// returns DefaultSettings together with the error, so the app can start with
// defaults and still tell the person.
func (d *DB) LoadSettings() (Settings, error) {
	var raw string
	err := d.r.QueryRow(`SELECT value FROM settings WHERE key = ?`, settingsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("load settings: %w", err)
	}
	s, err := decodeSettings(raw)
	if err != nil {
		return DefaultSettings(), fmt.Errorf("load settings: stored JSON is invalid: %w", err)
	}
	return s.Normalize(), nil
}

// decodeSettings reads stored settings over the defaults. A value of the
// wrong type (settings edited by hand: "4" or 4.5 for a count, 1e30 for a
// limit, "no" for a switch, an account that is not an object) keeps its
// default, as an unknown value does in Normalize, and the rest is read as
// stored: encoding/json skips such a value and reads on. Text that is not
// JSON, or JSON that is not an object, is an error.
//
// The folder id is read again on its own: encoding/json makes the pointer
// before it finds the value of the wrong type ("12", 1.5), and would leave
// it pointing at 0, the account's root, where uploads would go instead of
// the default folder path.
func decodeSettings(raw string) (Settings, error) {
	s := DefaultSettings()
	err := json.Unmarshal([]byte(raw), &s)
	if typeErr, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && typeErr.Field != "" {
		var id struct {
			ParentID *int64 `json:"parent_id"`
		}
		if s.ParentID != nil && json.Unmarshal([]byte(raw), &id) != nil {
			s.ParentID = DefaultSettings().ParentID
		}
		return s, nil
	}
	return s, err
}

// UpdateSettings applies f to the settings stored now and stores the
// result, normalized, in one write transaction, and returns it. The window
// and command-line runs share the settings: each changes only what it
// changes, so a login, a sign-out or a setting saved by another process
// meanwhile is kept, where saving a copy read earlier would undo it.
// Stored settings that cannot be read are replaced, as SaveSettings does.
func (d *DB) UpdateSettings(f func(Settings) Settings) (Settings, error) {
	var out Settings
	err := d.withTx("save settings", func(tx *sql.Tx) error {
		s := DefaultSettings()
		var raw string
		err := tx.QueryRow(`SELECT value FROM settings WHERE key = ?`, settingsKey).Scan(&raw)
		switch {
		case err == nil:
			if s, err = decodeSettings(raw); err != nil {
				s = DefaultSettings()
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		out = f(s.Normalize()).Normalize()
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, settingsKey, string(b))
		return err
	})
	if err != nil {
		return Settings{}, err
	}
	return out, nil
}

// SaveSettings normalizes s and stores it, replacing the previous settings
// (UpdateSettings keeps what another process changed meanwhile).
func (d *DB) SaveSettings(s Settings) error {
	b, err := json.Marshal(s.Normalize())
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return d.withTx("save settings", func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, settingsKey, string(b))
		return err
	})
}
