package ui

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// refusedInputs are values the window's forms check, one for each problem
// of each field it words.
var refusedInputs = []struct {
	name string
	err  error
}{
	{"email empty", api.ValidateEmail("")},
	{"email not text", api.ValidateEmail("dev\xff@example.com")},
	{"email space", api.ValidateEmail("dev @example.com")},
	{"email too long", api.ValidateEmail(strings.Repeat("a", 250) + "@example.com")},
	{"email no at", api.ValidateEmail("dev.example.com")},
	{"comment not text", api.ValidateComment("a\xc3")},
	{"comment line break", api.ValidateComment("a\nb")},
	{"comment too long", api.ValidateComment(strings.Repeat("x", 1025))},
	{"folder not text", api.ValidateFolderPath("/\xff")},
	{"folder line break", api.ValidateFolderPath("/a\nb")},
	{"folder too long", api.ValidateFolderPath("/" + strings.Repeat("a", 1024))},
	{"folder relative", api.ValidateFolderPath("photos")},
	{"folder dot-dot", api.ValidateFolderPath("/a/../b")},
	{"parent negative", api.ValidateParentID(-1)},
	{"folder spaces", api.ValidateFolderPath("  ")},
	{"parent not a number", parseErr(api.ParseParentID("x"))},
	{"parent too big", parseErr(api.ParseParentID("99999999999999999999"))},
	{"base empty", customEnvErr(" ", "", "")},
	{"upload not a URL", customEnvErr("https://dstor.example", "https://a b/%zz", "")},
	{"gateway user info", customEnvErr("https://dstor.example", "", "https://me:pw@gw.example/ipfs/")},
	{"base scheme", customEnvErr("ftp://dstor.example", "", "")},
	{"base no host", customEnvErr("https://:8080", "", "")},
	{"base cleartext", customEnvErr("http://dstor.example", "", "")},
	{"upload query", customEnvErr("https://dstor.example", "https://dstor.example/add?x=1", "")},
	{"file is a folder", &api.ValidationError{Field: "file", Problem: api.ProblemIsFolder}},
	{"file unreadable", &api.ValidationError{Field: "file", Problem: api.ProblemUnreadable, Detail: "input/output error"}},
	{"file changed opening", &api.ValidationError{Field: "file", Problem: api.ProblemChangedOpening}},
	{"file online only", &api.ValidationError{Field: "file", Problem: api.ProblemOnlineOnly}},
	{"file locked", &api.ValidationError{Field: "file", Problem: api.ProblemLocked}},
	{"file drive not ready", &api.ValidationError{Field: "file", Problem: api.ProblemDriveNotReady}},
	{"file share unreachable", &api.ValidationError{Field: "file", Problem: api.ProblemShareUnreachable}},
	{"file path too long", &api.ValidationError{Field: "file", Problem: api.ProblemPathTooLong}},
	{"file invalid path", &api.ValidationError{Field: "file", Problem: api.ProblemInvalidPath}},
	{"file reserved name", &api.ValidationError{Field: "file", Problem: api.ProblemReservedName, Detail: "nul.txt"}},
	{"file Windows cannot open", &api.ValidationError{Field: "file", Problem: api.ProblemCannotAccess}},
}

// customEnvErr is the error of a custom environment's URLs.
func customEnvErr(base, upload, gateway string) error {
	_, err := session.CustomEnv(base, upload, gateway)
	return err
}

// TestEnvURLTextNamesTheURL: a refused URL of a custom environment is
// named by which one it is and, where it holds no password, by itself up
// to its query or fragment (which may carry a key: 1b78ccb); one with a
// password in it is never echoed.
func TestEnvURLTextNamesTheURL(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	assert.Equal(t, "Die API-Basis-URL „http://dstor.example“ verwendet http://, dadurch würden API-Schlüssel, Passwort und Token unverschlüsselt durchs Netz gehen. Verwenden Sie https:// – http:// nur für diesen Computer (127.0.0.1, ::1 oder localhost).",
		errorText(customEnvErr("http://dstor.example", "", "")))
	assert.Equal(t, "Die Upload-URL „https://dstor.example/add?…“ darf keine Abfrage (?…) und keinen Anker (#…) enthalten.",
		errorText(customEnvErr("https://dstor.example", "https://dstor.example/add?api_key=x1", "")))
	leaky := errorText(customEnvErr("https://dstor.example", "", "https://me:pw@gw.example/ipfs/"))
	assert.True(t, strings.HasPrefix(leaky, "Die Gateway-URL darf keinen Benutzernamen"), leaky)
	assert.NotContains(t, leaky, "pw")
}

// TestSecretInTheCustomURLIsNotShown: an API key pasted into Settings →
// Custom URL was shown in full by the refusal ("The API base URL "KEY"
// must start with https://."), where a screenshot or a shared screen
// takes it; a token or a key after https:// alike. In every language the
// sentence names the URL field, not the text, and reads whole without it.
func TestSecretInTheCustomURLIsNotShown(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	const key = "Sk7Rt9qWz1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijklmnopqr"
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXYifQ.Qm9ndXNTaWduYXR1cmVTZWNyZXRWYWx1ZQ"
	for _, lang := range []string{"en", "de", "fr", "es", "pt_BR", "ru"} {
		t.Setenv("LANGUAGE", lang)
		require.NoError(t, useLanguage(""))
		for _, in := range []string{key, jwt, "https:" + key, "https://" + key, "https://" + jwt, "https://" + key + "/x?y"} {
			for _, err := range []error{customEnvErr(in, "", ""), customEnvErr("https://dstor.example", in, ""), customEnvErr("https://dstor.example", "", in)} {
				got := errorText(err)
				assert.NotContains(t, strings.ToLower(got), strings.ToLower(key[:10]), "%s: %s", lang, in)
				assert.NotContains(t, strings.ToLower(got), strings.ToLower(jwt[:10]), "%s: %s", lang, in)
				assert.NotRegexp(t, `“”|„“|«»|« »|\(\)|  `, got, "%s: an empty quote", lang)
				assert.True(t, strings.HasSuffix(got, "."), "%s: %q reads whole", lang, got)
			}
		}
	}
}

// TestSystemErrorText: a system error a person can act on is worded in
// the window's language without the system's English; any other keeps
// the system's words, marked as its message.
func TestSystemErrorText(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	for _, e := range systemErrors {
		got := systemErrorText(e.errno.Error())
		assert.NotContains(t, got, e.errno.Error(), "%v is worded in German", e.errno)
		assert.NotEmpty(t, got)
	}
	assert.Equal(t, "Diese Datei kann nicht gelesen werden (der Datenträger meldet einen Lese- oder Schreibfehler; er ist möglicherweise defekt).",
		reasonText(worker.ReasonFileUnreadable, syscall.EIO.Error(), fixedNow))
	assert.Equal(t, "Meldung des Systems: „structure needs cleaning“", systemErrorText("structure needs cleaning"))
}

// TestStalledTextInTheWindowsLanguage: uploads waiting for room on a full
// disk say so in the window's language, with the disk and the space.
func TestStalledTextInTheWindowsLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	full := &storage.DiskFullError{Dir: "/data", Free: -1, Need: 64_000_000}
	s := worker.Summary{Stalled: full.Error(), StalledDisk: full}
	assert.Equal(t, "Uploads angehalten: Der Datenträger mit /data ist voll. Geben Sie dort mindestens 64 MB frei; bis dahin warten fertige Uploads darauf, im Verlauf eingetragen zu werden, und nichts geht verloren oder wird doppelt gesendet.", stalledText(s))
	full.Free = 900_000
	assert.Contains(t, stalledText(s), "(900 kB frei)")
}

// TestFullTemporaryFolderIsSaidInEveryLanguage: a full disk of the
// folder for temporary files (a large sort's) is named as that folder in
// every language, in the error's dialog with the variable that moves it,
// and asks for no figure: what a sort needs is not known, and the data
// folder's 64 MB may be more than that disk holds.
func TestFullTemporaryFolderIsSaidInEveryLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	data := &storage.DiskFullError{Dir: "/data", Free: 200_000, Need: 64_000_000}
	temp := &storage.DiskFullError{Dir: "/tmp", Free: 200_000, TempVar: "TMPDIR"}
	for _, lang := range []string{"en", "de", "fr", "es", "pt_BR", "ru"} {
		t.Setenv("LANGUAGE", lang)
		require.NoError(t, useLanguage(""))
		dataTexts := []string{diskFullText(data), stalledText(worker.Summary{Stalled: data.Error(), StalledDisk: data})}
		tempTexts := []string{diskFullText(temp), stalledText(worker.Summary{Stalled: temp.Error(), StalledDisk: temp})}
		for i, s := range tempTexts {
			assert.Contains(t, s, "/tmp", lang)
			assert.Contains(t, s, formatSize(200_000), "%s: the room left", lang)
			assert.NotContains(t, s, formatSize(0), "%s: no figure to free", lang)
			assert.NotContains(t, s, "{{", lang)
			assert.NotEqual(t, strings.Replace(dataTexts[i], "/data", "/tmp", 1), s, "%s: worded as the data folder's disk", lang)
		}
		assert.Contains(t, tempTexts[0], "TMPDIR", "%s: the variable that moves the temporary files", lang)
	}
}

// TestValidationTextInTheWindowsLanguage: each way the forms' checks
// refuse an email address, a comment, a folder path or a parent folder id
// has the window's sentence, and a German window says it in German.
func TestValidationTextInTheWindowsLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	t.Setenv("LANGUAGE", "en")
	require.NoError(t, useLanguage(""))
	en := map[string]string{}
	for _, c := range refusedInputs {
		var ve *api.ValidationError
		require.ErrorAs(t, c.err, &ve, c.name)
		en[c.name] = validationText(ve)
		assert.NotEmpty(t, en[c.name], "%s has no sentence of the window's", c.name)
	}
	assert.Equal(t, "The comment is too long: at most 1024 bytes, this one has 1025. Shorten it.", en["comment too long"])
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	for _, c := range refusedInputs {
		de := errorText(c.err)
		assert.NotEqual(t, en[c.name], de, "%s is not translated", c.name)
		assert.NotEmpty(t, de, c.name)
	}
	assert.Contains(t, errorText(api.ValidateComment(strings.Repeat("x", 1025))), "1025")
}

// TestKeyringTextInTheWindowsLanguage: each reason the keyring keeps no
// secrets has the window's sentence, in German in a German window; a
// keyring that works needs none.
func TestKeyringTextInTheWindowsLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	states := []storage.KeyringState{storage.KeyringOff, storage.KeyringNoSession, storage.KeyringTimedOut, storage.KeyringFailed}
	probe := errors.New("org.freedesktop.DBus.Error.ServiceUnknown")
	t.Setenv("LANGUAGE", "en")
	require.NoError(t, useLanguage(""))
	en := map[storage.KeyringState]string{}
	for _, s := range states {
		en[s] = keyringText(s, probe)
		assert.NotEmpty(t, en[s], "state %d", s)
	}
	assert.Empty(t, keyringText(storage.KeyringWorks, nil))
	assert.Equal(t, keyringText(storage.NewMemorySecretStore().State()), en[storage.KeyringOff])
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	for _, s := range states {
		de := keyringText(s, probe)
		assert.NotEqual(t, en[s], de, "state %d is not translated", s)
	}
	assert.Contains(t, keyringText(storage.KeyringFailed, probe), "ServiceUnknown", "the system's error stays as it is")
	assert.NotEqual(t, "The system keyring did not answer in time. Try again, or restart the app.",
		errorText(storage.ErrKeyringTimeout))
}

// TestSystemDetailWithAndWithout: each sentence that names the system's
// error in parentheses reads whole without one, in every language: an
// error with no text (none at all, blank, or a wrapping with nothing
// inside) gives the sentence without parentheses, never an empty "()" or
// quotes; one with text shows the system's own words, without the
// program's English wrapping around them.
func TestSystemDetailWithAndWithout(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	keyring := func(err error) func() string {
		return func() string { return keyringText(storage.KeyringFailed, err) }
	}
	reason := func(code worker.ReasonCode, arg string) func() string {
		return func() string { return reasonText(code, arg, fixedNow) }
	}
	refused := func(detail string) func() string {
		return func() string {
			return validationText(&api.ValidationError{Field: "file", Problem: api.ProblemUnreadable, Detail: detail})
		}
	}
	noKeyring := func() string {
		return tr("No working keyring was found: your sign-in is kept only until you quit. Install and unlock {{.Keyring}} to have it remembered.",
			map[string]any{"Keyring": systemKeyringName()})
	}
	noFile := func() string { return tr("This file cannot be read.") }
	noFolder := func() string { return tr("This folder cannot be read.") }
	noReason := func() string { return tr("The upload failed for an unknown reason.") }
	cases := []struct {
		name   string
		text   func() string
		plain  func() string // the sentence without a detail
		detail string        // what it must show, "" for none
	}{
		{"keyring, no error", keyring(nil), noKeyring, ""},
		{"keyring, empty error", keyring(errors.New("")), noKeyring, ""},
		{"keyring, blank error", keyring(errors.New(" \t")), noKeyring, ""},
		{"keyring, wrapping of nothing", keyring(fmt.Errorf("store a test entry: %w", errors.New(""))), noKeyring, ""},
		{"keyring, the system's words", keyring(fmt.Errorf("store a test entry: %w", errors.New(systemWords))), noKeyring, systemWords},
		{"file, no detail", reason(worker.ReasonFileUnreadable, ""), noFile, ""},
		{"file, blank detail", reason(worker.ReasonFileUnreadable, "  "), noFile, ""},
		{"file, the system's words", reason(worker.ReasonFileUnreadable, systemWords), noFile, systemWords},
		{"file refused, no detail", refused(""), noFile, ""},
		{"file refused, the system's words", refused(systemWords), noFile, systemWords},
		{"folder, no detail", reason(worker.ReasonFolderUnreadable, ""), noFolder, ""},
		{"folder, the system's words", reason(worker.ReasonFolderUnreadable, systemWords), noFolder, systemWords},
		{"unknown reason, no detail", reason(worker.ReasonOther, ""), noReason, ""},
		{"unknown reason, the system's words", reason(worker.ReasonOther, systemWords), noReason, systemWords},
	}
	emptyMarks := regexp.MustCompile(`\(\s*\)|[“„«]\s*[”“»]|\s\s|\s[.,)]|\(\s`)
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		for _, c := range cases {
			got := c.text()
			assert.NotRegexp(t, emptyMarks, got, "%s, %s", l.Tag, c.name)
			assert.NotContains(t, got, "test entry", "%s, %s: the program's English wrapping", l.Tag, c.name)
			if c.detail == "" {
				assert.Equal(t, c.plain(), got, "%s, %s", l.Tag, c.name)
				continue
			}
			assert.NotEqual(t, c.plain(), got, "%s, %s", l.Tag, c.name)
			assert.Contains(t, got, "("+systemErrorText(c.detail)+")", "%s, %s", l.Tag, c.name)
		}
	}
}

// parseErr is the error of a parse.
func parseErr(_ int64, err error) error { return err }

// TestDottedLocalhostSaysWhatToType: Settings → Custom URL
// "http://localhost.:8787" (localhost with its final dot, which Go's
// resolver asks the network's DNS server for) was refused, rightly, with
// "… Use https://, or http:// only for this computer (127.0.0.1, ::1 or
// localhost).", which reads as if localhost were refused. In every
// language the window now says the dot is looked up in DNS and gives the
// URL to type; another host's refusal is as before.
func TestDottedLocalhostSaysWhatToType(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	for _, lang := range []string{"en", "de", "fr", "es", "pt_BR", "ru"} {
		t.Setenv("LANGUAGE", lang)
		require.NoError(t, useLanguage(""))
		dotted := errorText(customEnvErr("http://localhost.:8787", "", ""))
		other := errorText(customEnvErr("http://dstor.example:8787", "", ""))
		assert.Contains(t, dotted, "http://localhost.:8787", lang)
		assert.Contains(t, dotted, "DNS", lang)
		assert.Contains(t, dotted, " http://localhost:8787,", "%s: the URL to type", lang)
		assert.NotEqual(t, strings.Replace(other, "dstor.example", "localhost.", 1), dotted, "%s: not the other hosts' sentence", lang)
		assert.NotContains(t, other, "DNS", "%s: another host's sentence is as before", lang)
	}
	t.Setenv("LANGUAGE", "en")
	require.NoError(t, useLanguage(""))
	assert.Equal(t, "The gateway URL “http://localhost.:8787/ipfs/” uses http:// to “localhost.”: with its final dot, that name is looked up in DNS, which may name another computer, so the API key, password and token could cross the network unencrypted. Write http://localhost:8787, without the dot.",
		errorText(customEnvErr("https://dstor.example", "", "http://localhost.:8787/ipfs/")))
}
