package storage

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

func TestLoadSettingsDefaultsWhenAbsent(t *testing.T) {
	d := openTestDB(t)
	s, err := d.LoadSettings()
	require.NoError(t, err)
	assert.Equal(t, DefaultSettings(), s)
	assert.Equal(t, 3, s.Concurrency)
	assert.True(t, s.Notifications)
	assert.Equal(t, LinkGateway, s.LinkStyle)
	assert.Equal(t, ThemeSystem, s.Theme)
}

func TestSaveLoadSettingsRoundTrip(t *testing.T) {
	d := openTestDB(t)
	want := Settings{
		Concurrency:         8,
		DefaultFolderPath:   "/photos",
		RecentFolders:       []string{"/photos", "/docs"},
		ParentID:            ptr(int64(42)),
		Comment:             "from the laptop",
		LinkStyle:           LinkIPFS,
		GatewayOverride:     "https://gw.example.com",
		CopyLinkAfterUpload: true,
		Notifications:       false,
		Theme:               ThemeDark,
		LastEnv:             "testnet",
		RememberedAccounts: []RememberedAccount{
			{Env: "testnet", Account: "a@example.com", Method: MethodPassword},
			{Env: "production", Account: "b@example.com", Method: MethodAPIKey},
		},
		Custom: CustomEnv{APIBase: "https://api.example.com", UploadURL: "https://up.example.com/add", GatewayURL: "https://gw.example.com/ipfs/"},
	}
	require.NoError(t, d.SaveSettings(want))
	got, err := d.LoadSettings()
	require.NoError(t, err)
	assert.Equal(t, want, got)

	// Saving again replaces, it does not add.
	want.Concurrency = 2
	require.NoError(t, d.SaveSettings(want))
	got, err = d.LoadSettings()
	require.NoError(t, err)
	assert.Equal(t, 2, got.Concurrency)
	var rows int
	require.NoError(t, d.r.QueryRow(`SELECT count(*) FROM settings`).Scan(&rows))
	assert.Equal(t, 1, rows)
}

func TestLoadSettingsFromOlderJSONKeepsDefaults(t *testing.T) {
	d := openTestDB(t)
	_, err := d.w.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, settingsKey, `{"concurrency": 99, "theme": "purple"}`)
	require.NoError(t, err)
	s, err := d.LoadSettings()
	require.NoError(t, err)
	assert.Equal(t, MaxConcurrency, s.Concurrency, "clamped")
	assert.Equal(t, ThemeSystem, s.Theme, "unknown theme falls back")
	assert.True(t, s.Notifications, "missing field keeps its default")
	assert.Equal(t, LinkGateway, s.LinkStyle)
	assert.True(t, s.Custom.IsZero(), "no Custom URL: an older version kept them in Fyne's preferences")
}

func TestLoadSettingsCorruptJSONReturnsDefaultsAndError(t *testing.T) {
	d := openTestDB(t)
	_, err := d.w.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, settingsKey, `{not json`)
	require.NoError(t, err)
	s, err := d.LoadSettings()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "load settings")
	assert.Equal(t, DefaultSettings(), s)
}

// TestLoadSettingsWithAWrongTypedValueKeepsTheRest: a value of the wrong
// type in settings edited by hand (a number written as a string or with a
// fraction, one too big for its field, an account that is not an object)
// falls back to its default like an unknown value does, and the rest of
// the settings stay: the remembered accounts, recent folders and link
// style are neither dropped at start nor overwritten by the next change.
func TestLoadSettingsWithAWrongTypedValueKeepsTheRest(t *testing.T) {
	for name, bad := range map[string]string{
		"string for a number":      `"concurrency": "4"`,
		"fraction":                 `"concurrency": 4.5`,
		"too big":                  `"upload_limit": 1e30`,
		"not an account":           `"remembered_accounts": [{"env": "testnet", "account": "a@example.com", "method": "password"}, "x"]`,
		"bool as string":           `"notifications": "no"`,
		"string for a folder id":   `"parent_id": "12"`,
		"fraction for a folder id": `"parent_id": 1.5`,
	} {
		t.Run(name, func(t *testing.T) {
			d := openTestDB(t)
			accounts := `"remembered_accounts": [{"env": "testnet", "account": "a@example.com", "method": "password"}], `
			if strings.HasPrefix(bad, `"remembered_accounts"`) {
				accounts = ""
			}
			raw := `{` + accounts + `"recent_folders": ["/photos/"], "link_style": "markdown", "theme": "dark", ` + bad + `}`
			require.NoError(t, json.Unmarshal([]byte(raw), new(any)), "the stored text is JSON")
			_, err := d.w.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, settingsKey, raw)
			require.NoError(t, err)

			check := func(s Settings) {
				t.Helper()
				assert.Equal(t, []RememberedAccount{{Env: "testnet", Account: "a@example.com", Method: MethodPassword}}, s.RememberedAccounts)
				assert.Equal(t, []string{"/photos/"}, s.RecentFolders)
				assert.Equal(t, LinkMarkdown, s.LinkStyle)
				assert.Equal(t, ThemeDark, s.Theme)
				assert.Equal(t, DefaultConcurrency, s.Concurrency)
				assert.Zero(t, s.UploadLimit)
				assert.True(t, s.Notifications)
				assert.Nil(t, s.ParentID, "no folder id: uploads go to the folder path")
			}
			s, err := d.LoadSettings()
			require.NoError(t, err)
			check(s)
			got, err := d.UpdateSettings(func(s Settings) Settings { s.LastEnv = "testnet"; return s })
			require.NoError(t, err)
			check(got)
			stored, err := d.LoadSettings()
			require.NoError(t, err)
			check(stored)
			assert.Equal(t, "testnet", stored.LastEnv)
		})
	}
}

// TestLoadSettingsThatAreNoObjectReturnsDefaultsAndError: stored settings
// that are JSON but no object at all cannot be read, as invalid JSON cannot.
func TestLoadSettingsThatAreNoObjectReturnsDefaultsAndError(t *testing.T) {
	for _, raw := range []string{`[]`, `"app"`, `5`} {
		d := openTestDB(t)
		_, err := d.w.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, settingsKey, raw)
		require.NoError(t, err)
		s, err := d.LoadSettings()
		require.Error(t, err, raw)
		assert.Equal(t, DefaultSettings(), s, raw)
	}
}

// TestUpdateSettingsKeepsWhatAnotherProcessSaved: two processes on one
// data folder (the window, a command-line login) each change the settings
// they read earlier. An update changes its own field and keeps the other
// process's change, where saving the copy read before would undo it.
func TestUpdateSettingsKeepsWhatAnotherProcessSaved(t *testing.T) {
	dir := t.TempDir()
	window, err := Open(dir)
	require.NoError(t, err)
	defer window.Close()
	cli, err := Open(dir)
	require.NoError(t, err)
	defer cli.Close()

	_, err = cli.UpdateSettings(func(s Settings) Settings {
		s.LastEnv = "testnet"
		return s.WithRememberedAccount(RememberedAccount{Env: "testnet", Account: "a@example.com", Method: MethodPassword})
	})
	require.NoError(t, err)
	got, err := window.UpdateSettings(func(s Settings) Settings { return s.WithRecentFolder("/photos/") })
	require.NoError(t, err)
	stored, err := cli.LoadSettings()
	require.NoError(t, err)
	assert.Equal(t, stored, got, "the settings stored are the ones returned")
	assert.Equal(t, "testnet", stored.LastEnv, "the other process's login is kept")
	assert.Equal(t, []RememberedAccount{{Env: "testnet", Account: "a@example.com", Method: MethodPassword}}, stored.RememberedAccounts)
	assert.Equal(t, []string{"/photos/"}, stored.RecentFolders)

	_, err = cli.UpdateSettings(func(s Settings) Settings { return s.WithoutRememberedAccount("testnet", "a@example.com") })
	require.NoError(t, err)
	_, err = window.UpdateSettings(func(s Settings) Settings { s.Concurrency = 5; return s })
	require.NoError(t, err)
	stored, err = window.LoadSettings()
	require.NoError(t, err)
	assert.Empty(t, stored.RememberedAccounts, "a sign-out by the other process is not undone")
	assert.Equal(t, 5, stored.Concurrency)
}

// TestUpdateSettingsReplacesUnreadableSettings: stored settings that are not
// JSON are replaced, as by SaveSettings, rather than every change failing.
func TestUpdateSettingsReplacesUnreadableSettings(t *testing.T) {
	d := openTestDB(t)
	_, err := d.w.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, settingsKey, `{not json`)
	require.NoError(t, err)
	got, err := d.UpdateSettings(func(s Settings) Settings { s.Theme = ThemeDark; return s })
	require.NoError(t, err)
	want := DefaultSettings()
	want.Theme = ThemeDark
	want = want.Normalize()
	assert.Equal(t, want, got)
	stored, err := d.LoadSettings()
	require.NoError(t, err)
	assert.Equal(t, want, stored)
}

// TestOldGatewayWithATypoIsKept: a gateway override an older version
// saved with a tab, a line break or an invisible character inside (or a
// space in its host) was dropped as the settings were read, since it is no
// URL as it is, and gone for good with the next setting saved, without a
// word. It is kept as saved, so Settings can show it with what to do
// (links do not use it: session.GatewayInUse); what is no http(s) address
// even without those characters is still dropped.
func TestOldGatewayWithATypoIsKept(t *testing.T) {
	for _, tc := range []struct{ name, stored, kept string }{
		{"tab in the path", "https://gw.example/my\tgateway", "https://gw.example/my\tgateway"},
		{"tab in the host", "https://gw\t.example/ipfs/", "https://gw\t.example/ipfs"},
		{"line break", "https://gw.example/\nipfs", "https://gw.example/\nipfs"},
		{"DEL", "https://gw.example/ip\x7ffs", "https://gw.example/ip\x7ffs"},
		{"space in the host", "https://my gw.example", "https://my gw.example"},
		// What url.Parse takes was kept before: it still is.
		{"zero-width space", "https://gw.example/\u200bipfs", "https://gw.example/\u200bipfs"},
		{"space in the path", "https://gw.example/my gateway", "https://gw.example/my gateway"},
		// So is one with a user name or password, for Settings to flag.
		{"a user and password", "https://me:secret@gw.example", "https://me:secret@gw.example"},
		{"no scheme, with a tab", "gw.example/\tipfs", ""},
		{"another scheme, with a tab", "ftp://gw.example/\tipfs", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := openTestDB(t)
			raw, err := json.Marshal(map[string]any{"concurrency": 5, "gateway_override": tc.stored})
			require.NoError(t, err)
			_, err = d.w.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, settingsKey, string(raw))
			require.NoError(t, err)
			s, err := d.LoadSettings()
			require.NoError(t, err)
			assert.Equal(t, tc.kept, s.GatewayOverride, "as read")
			s.Concurrency = 6
			require.NoError(t, d.SaveSettings(s))
			s, err = d.LoadSettings()
			require.NoError(t, err)
			assert.Equal(t, tc.kept, s.GatewayOverride, "after another setting is saved")
		})
	}
}

func TestSettingsNormalize(t *testing.T) {
	many := make([]string, 0, 15)
	for i := range 15 {
		many = append(many, "/f"+strings.Repeat("x", i))
	}
	tests := []struct {
		name  string
		in    Settings
		check func(t *testing.T, s Settings)
	}{
		{"concurrency unset", Settings{}, func(t *testing.T, s Settings) { assert.Equal(t, 3, s.Concurrency) }},
		{"concurrency negative", Settings{Concurrency: -4}, func(t *testing.T, s Settings) { assert.Equal(t, 1, s.Concurrency) }},
		{"concurrency too high", Settings{Concurrency: 64}, func(t *testing.T, s Settings) { assert.Equal(t, 16, s.Concurrency) }},
		{"concurrency in range", Settings{Concurrency: 16}, func(t *testing.T, s Settings) { assert.Equal(t, 16, s.Concurrency) }},
		{"link style unknown", Settings{LinkStyle: "magnet"}, func(t *testing.T, s Settings) { assert.Equal(t, LinkGateway, s.LinkStyle) }},
		{"link style cid", Settings{LinkStyle: LinkCID}, func(t *testing.T, s Settings) { assert.Equal(t, LinkCID, s.LinkStyle) }},
		{"theme light", Settings{Theme: ThemeLight}, func(t *testing.T, s Settings) { assert.Equal(t, ThemeLight, s.Theme) }},
		{"language system", Settings{}, func(t *testing.T, s Settings) { assert.Empty(t, s.Language) }},
		{"language tag", Settings{Language: " de "}, func(t *testing.T, s Settings) { assert.Equal(t, "de", s.Language) }},
		{"language with region", Settings{Language: "pt_BR"}, func(t *testing.T, s Settings) { assert.Equal(t, "pt-BR", s.Language) }},
		{"language not a tag", Settings{Language: "../../etc"}, func(t *testing.T, s Settings) { assert.Empty(t, s.Language) }},
		{"language too long", Settings{Language: "german-language"}, func(t *testing.T, s Settings) { assert.Empty(t, s.Language) }},
		{"gateway trailing slash", Settings{GatewayOverride: " https://gw.example.com/ipfs/ "}, func(t *testing.T, s Settings) {
			assert.Equal(t, "https://gw.example.com/ipfs", s.GatewayOverride)
		}},
		// A gateway's access token in the query, or a fragment, may end
		// in a slash: it is kept, the path's slash alone goes.
		{"gateway query ending in a slash", Settings{GatewayOverride: "https://gw.example.com/ipfs/?token=ab/"}, func(t *testing.T, s Settings) {
			assert.Equal(t, "https://gw.example.com/ipfs?token=ab/", s.GatewayOverride)
		}},
		{"gateway fragment ending in a slash", Settings{GatewayOverride: "https://gw.example.com/#/"}, func(t *testing.T, s Settings) {
			assert.Equal(t, "https://gw.example.com#/", s.GatewayOverride)
		}},
		{"gateway not a URL", Settings{GatewayOverride: "gw.example.com"}, func(t *testing.T, s Settings) { assert.Empty(t, s.GatewayOverride) }},
		{"gateway bad scheme", Settings{GatewayOverride: "ftp://gw.example.com"}, func(t *testing.T, s Settings) { assert.Empty(t, s.GatewayOverride) }},
		{"custom URLs trimmed", Settings{Custom: CustomEnv{APIBase: " https://api.example.com\n", UploadURL: "\thttps://up.example.com ", GatewayURL: " "}},
			func(t *testing.T, s Settings) {
				assert.Equal(t, CustomEnv{APIBase: "https://api.example.com", UploadURL: "https://up.example.com"}, s.Custom)
			}},
		{"recent folders capped", Settings{RecentFolders: many}, func(t *testing.T, s Settings) {
			assert.Len(t, s.RecentFolders, MaxRecentFolders)
			assert.Equal(t, many[:MaxRecentFolders], s.RecentFolders)
		}},
		{"recent folders cleaned", Settings{RecentFolders: []string{" /a ", "", "/b", "/a"}}, func(t *testing.T, s Settings) {
			assert.Equal(t, []string{"/a", "/b"}, s.RecentFolders)
		}},
		{"accounts cleaned", Settings{RememberedAccounts: []RememberedAccount{
			{Env: "testnet", Account: "a@x", Method: MethodPassword},
			{Env: "testnet", Account: "a@x", Method: MethodAPIKey},
			{Env: "", Account: "b@x"},
			{Env: "production", Account: "c@x", Method: "carrier pigeon"},
		}}, func(t *testing.T, s Settings) {
			assert.Equal(t, []RememberedAccount{
				{Env: "testnet", Account: "a@x", Method: MethodPassword},
				{Env: "production", Account: "c@x", Method: MethodAPIKey},
			}, s.RememberedAccounts)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.Normalize()
			tt.check(t, got)
			assert.Equal(t, got, got.Normalize(), "Normalize is idempotent")
		})
	}
}

func TestSettingsHelpers(t *testing.T) {
	s := DefaultSettings()
	for _, f := range []string{"/a", "/b", "/c", "/a"} {
		s = s.WithRecentFolder(f)
	}
	assert.Equal(t, []string{"/a", "/c", "/b"}, s.RecentFolders, "most recent first, no duplicates")

	s = s.WithRememberedAccount(RememberedAccount{Env: "testnet", Account: "a@x", Method: MethodAPIKey})
	s = s.WithRememberedAccount(RememberedAccount{Env: "production", Account: "b@x", Method: MethodPassword})
	s = s.WithRememberedAccount(RememberedAccount{Env: "testnet", Account: "a@x", Method: MethodPassword})
	assert.Equal(t, []RememberedAccount{
		{Env: "testnet", Account: "a@x", Method: MethodPassword},
		{Env: "production", Account: "b@x", Method: MethodPassword},
	}, s.RememberedAccounts)

	s = s.WithoutRememberedAccount("testnet", "a@x")
	assert.Equal(t, []RememberedAccount{{Env: "production", Account: "b@x", Method: MethodPassword}}, s.RememberedAccounts)
}

// secretLike matches JSON field names that would suggest a secret is stored.
var secretLike = regexp.MustCompile(`(?i)key|token|password|passwd|secret|credential`)

func jsonKeys(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			*out = append(*out, k)
			jsonKeys(vv, out)
		}
	case []any:
		for _, vv := range x {
			jsonKeys(vv, out)
		}
	}
}

func TestSavedSettingsHoldNoSecretFields(t *testing.T) {
	d := openTestDB(t)
	s := DefaultSettings()
	s.ParentID = ptr(int64(1))
	s.RecentFolders = []string{"/x"}
	s.RememberedAccounts = []RememberedAccount{{Env: "testnet", Account: "a@x", Method: MethodPassword}}
	s.Custom = CustomEnv{APIBase: "https://api.example.com", UploadURL: "https://up.example.com", GatewayURL: "https://gw.example.com"}
	require.NoError(t, d.SaveSettings(s))

	var raw string
	require.NoError(t, d.r.QueryRow(`SELECT value FROM settings WHERE key = ?`, settingsKey).Scan(&raw))
	var doc any
	require.NoError(t, json.Unmarshal([]byte(raw), &doc))
	var keys []string
	jsonKeys(doc, &keys)
	require.NotEmpty(t, keys)
	for _, k := range keys {
		assert.NotRegexp(t, secretLike, k, "settings JSON field %q looks like a secret", k)
	}

	// The Go field names too, so a secret cannot sneak in under a json:"-" tag
	// or an innocent JSON name.
	for _, typ := range []reflect.Type{reflect.TypeFor[Settings](), reflect.TypeFor[RememberedAccount](), reflect.TypeFor[CustomEnv]()} {
		for f := range typ.Fields() {
			assert.NotRegexp(t, secretLike, f.Name, "%s.%s looks like a secret", typ.Name(), f.Name)
		}
	}
}
