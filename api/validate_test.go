package api

import (
	"errors"
	"io/fs"
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// checkValidation runs one validation case: want "" means valid, otherwise
// a *ValidationError for field whose message contains want.
func checkValidation(t *testing.T, err error, field, want string, secrets ...string) {
	t.Helper()
	if want == "" {
		assert.NoError(t, err)
		return
	}
	require.Error(t, err)
	var ve *ValidationError
	require.True(t, errors.As(err, &ve), "want *ValidationError, got %T", err)
	assert.Equal(t, field, ve.Field)
	assert.Contains(t, ve.Error(), want)
	assert.Equal(t, ve.Message, Human(err))
	assertNoSecret(t, ve.Error(), secrets...)
}

func TestValidateAPIKey(t *testing.T) {
	tests := []struct{ name, key, want string }{
		{"valid", testAPIKey, ""},
		{"all alphabet", strings.Repeat("aZ09-_", 10) + "abcd", ""},
		{"empty", "", "enter your dStor API key"},
		{"too short", testAPIKey[:63], "exactly 64 characters long, but this one has 63"},
		{"too long", testAPIKey + "x", "but this one has 65"},
		{"trailing newline", testAPIKey + "\n", "space or a line break"},
		{"inner space", testAPIKey[:30] + " " + testAPIKey[31:], "space or a line break"},
		{"punctuation", testAPIKey[:63] + "!", "only letters A–Z and a–z, digits 0–9, '-' and '_'"},
		{"non-ASCII", testAPIKey[:62] + "é", "only letters A–Z and a–z"},
		{"header injection", testAPIKey[:40] + "\r\nx-evil: 1", "space or a line break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidation(t, ValidateAPIKey(tt.key), "api key", tt.want, tt.key)
		})
	}
}

func TestValidateEmail(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"valid", "dev@example.com", ""},
		{"plus and subdomain", "a.b+tag@mail.example.co.uk", ""},
		{"IDN domain", "ana@exämple.de", ""},
		{"empty", "", "enter your email address"},
		{"no at", "dev.example.com", "not an email address like name@example.com"},
		{"display name", "Dev <dev@example.com>", "must not contain spaces"},
		{"angle brackets", "<dev@example.com>", "not an email address"},
		{"trailing space", "dev@example.com ", "must not contain spaces"},
		{"newline", "dev@example.com\nBcc: x@y.z", "must not contain spaces or control characters"},
		{"control", "dev\x00@example.com", "control characters"},
		{"invalid UTF-8", "dev\xff@example.com", "not valid text"},
		{"too long", strings.Repeat("a", 250) + "@example.com", "too long"},
		{"two ats", "a@b@example.com", "not an email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidation(t, ValidateEmail(tt.in), "email", tt.want)
		})
	}
}

func TestValidateComment(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"plain", "holiday photos, 2026", ""},
		{"unicode", "fotos de férias 📷 — ok", ""},
		{"max length", strings.Repeat("x", 1024), ""},
		{"too long", strings.Repeat("x", 1025), "at most 1024 bytes, this one has 1025"},
		{"CR", "a\rb", "without tabs, line breaks or other control characters"},
		{"LF", "a\nx-dstor-parent-id: 1", "sent as an HTTP header"},
		{"tab", "a\tb", "control characters"},
		{"NUL", "a\x00b", "control characters"},
		{"DEL", "a\x7fb", "control characters"},
		{"C1 control", "a\u0085b", "control characters"},
		{"invalid UTF-8", "a\xc3", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidation(t, ValidateComment(tt.in), "comment", tt.want)
		})
	}
}

// TestTrimDestination: spaces around a folder path or a comment, which an
// HTTP header loses, are dropped; a folder path of spaces alone is kept,
// so ValidateFolderPath refuses it rather than it reading as the root.
func TestTrimDestination(t *testing.T) {
	for _, tt := range []struct{ folder, comment, wantFolder, wantComment string }{
		{"", "", "", ""},
		{"/photos/", "trip", "/photos/", "trip"},
		{" /photos/ ", "  trip  ", "/photos/", "trip"},
		{"/a b/", "a  b", "/a b/", "a  b"},
		{"   ", "   ", "   ", ""},
	} {
		folder, comment := TrimDestination(tt.folder, tt.comment)
		assert.Equal(t, tt.wantFolder, folder, "%q", tt.folder)
		assert.Equal(t, tt.wantComment, comment, "%q", tt.comment)
	}
	folder, _ := TrimDestination("   ", "")
	require.Error(t, ValidateFolderPath(folder), "spaces alone are not the root")
}

func TestValidateFolderPath(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty means root", "", ""},
		{"root", "/", ""},
		{"nested with slash", "/photos/2026/", ""},
		{"unicode", "/fotos/férias", ""},
		{"dots inside names", "/a..b/.hidden/...", ""},
		{"relative", "photos/2026", "must start with /"},
		{"dot-dot segment", "/photos/../secret", `must not contain ".."`},
		{"trailing dot-dot", "/photos/..", `must not contain ".."`},
		{"LF", "/photos\n/x", "control characters"},
		{"CR", "/photos\r", "control characters"},
		{"invalid UTF-8", "/\xff", "not valid UTF-8"},
		{"too long", "/" + strings.Repeat("a", 1024), "at most 1024 bytes"},
		// Spaces alone are not the root: the person typed something, and
		// an upload to the root would not be what they meant.
		{"one space", " ", "only spaces"},
		{"spaces", "     ", "only spaces"},
		{"no-break spaces", "\u00a0\u2003", "only spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidation(t, ValidateFolderPath(tt.in), "folder path", tt.want)
		})
	}
}

func TestValidateParentID(t *testing.T) {
	checkValidation(t, ValidateParentID(0), "parent id", "")
	checkValidation(t, ValidateParentID(1<<62), "parent id", "")
	checkValidation(t, ValidateParentID(-1), "parent id", "0 (the root folder) or a positive number")
}

// TestParseParentID: a parent folder id as a person types it. A number
// too big for a folder id says so in a short sentence, without the digits
// (a pasted thousand of them made the message unreadable, and "must be a
// whole number" was not true of them).
func TestParseParentID(t *testing.T) {
	tests := []struct {
		name, in string
		id       int64
		want     string
	}{
		{"zero is the root", "0", 0, ""},
		{"an id", "1234", 1234, ""},
		{"spaces around", " 42 ", 42, ""},
		{"plus sign", "+7", 7, ""},
		{"largest", "9223372036854775807", math.MaxInt64, ""},
		{"one past the largest", "9223372036854775808", 0, "too big"},
		{"huge", strings.Repeat("9", 1000), 0, "too big"},
		{"negative", "-1", 0, "0 (the root folder) or a positive number"},
		{"huge negative", "-" + strings.Repeat("9", 1000), 0, "0 (the root folder) or a positive number"},
		{"empty", "", 0, "whole number"},
		{"word", "photos", 0, "whole number"},
		{"decimal", "12.5", 0, "whole number"},
		{"exponent", "1e3", 0, "whole number"},
		{"hex", "0x10", 0, "whole number"},
		{"grouped", "1 234", 0, "whole number"},
		{"other digits", "١٢٣", 0, "whole number"},
		{"huge word", strings.Repeat("x", 1000), 0, "whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ParseParentID(tt.in)
			checkValidation(t, err, "parent id", tt.want)
			assert.Equal(t, tt.id, id)
			if err != nil {
				assert.Less(t, len(err.Error()), 120, "a short sentence: %q", err)
			}
		})
	}
}

func TestUploadRequestValidate(t *testing.T) {
	tests := []struct {
		name  string
		req   UploadRequest
		field string
		want  string
	}{
		{"minimal", UploadRequest{Path: "/tmp/x"}, "", ""},
		{"everything", UploadRequest{Path: "/tmp/x", Name: "résumé \"final\".pdf", FolderPath: "/docs/", Comment: "v2"}, "", ""},
		{"parent id zero", UploadRequest{Path: "/tmp/x", ParentID: ptr(int64(0))}, "", ""},
		{"no path", UploadRequest{}, "file", "choose a file to upload"},
		{"both folder headers", UploadRequest{Path: "/tmp/x", FolderPath: "/a/", ParentID: ptr(int64(3))}, "folder path", "not both"},
		{"negative parent", UploadRequest{Path: "/tmp/x", ParentID: ptr(int64(-5))}, "parent id", "positive number"},
		{"bad folder", UploadRequest{Path: "/tmp/x", FolderPath: "a/b"}, "folder path", "must start with /"},
		{"bad comment", UploadRequest{Path: "/tmp/x", Comment: "a\r\nb"}, "comment", "control characters"},
		{"name with slash", UploadRequest{Path: "/tmp/x", Name: "a/b.txt"}, "name", "must not contain / or \\"},
		{"name with newline", UploadRequest{Path: "/tmp/x", Name: "a\nb.txt"}, "name", "control characters"},
		{"name dot-dot", UploadRequest{Path: "/tmp/x", Name: ".."}, "name", "give the file a name"},
		{"name too long", UploadRequest{Path: "/tmp/x", Name: strings.Repeat("n", 256)}, "name", "at most 255 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidation(t, tt.req.Validate(), tt.field, tt.want)
		})
	}
}

func TestPartNameDefaultsToSafeBaseName(t *testing.T) {
	assert.Equal(t, "photo.jpg", UploadRequest{Path: "/a/b/photo.jpg"}.partName())
	assert.Equal(t, "chosen.txt", UploadRequest{Path: "/a/b/photo.jpg", Name: "chosen.txt"}.partName())
	assert.Equal(t, "bad%0Aname%FF.txt", UploadRequest{Path: "/a/bad\nname\xff.txt"}.partName())
}

// unescapeRemoteName undoes RemoteName: every %XX becomes its byte.
func unescapeRemoteName(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && isHexPair(s[i+1:]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b = append(b, byte(v))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// TestRemoteName: names with invalid UTF-8 must not collide; each
// local name gets a distinct dStor name that is valid, one-line UTF-8 and
// gives the local bytes back.
func TestRemoteName(t *testing.T) {
	tests := []struct{ local, want string }{
		{"photo.jpg", "photo.jpg"},
		{"été 🎉.txt", "été 🎉.txt"},
		{"50% off.pdf", "50% off.pdf"},
		{"\xff.txt", "%FF.txt"},
		{"\xfe.txt", "%FE.txt"},
		{"%FF.txt", "%25FF.txt"},
		{"dir\xff", "dir%FF"},
		{"two\nlines", "two%0Alines"},
		{"esc\x1b[31m", "esc%1B[31m"},
		{"c1\u009b2J", "c1%C2%9B2J"},
		{"del\x7f", "del%7F"},
		{"%\xff", "%%FF"},
		{"%A\xff", "%A%FF"},
		{"100%", "100%"},
		{"%%41", "%%2541"},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		got := RemoteName(tt.local)
		assert.Equal(t, tt.want, got, "RemoteName(%q)", tt.local)
		assert.True(t, utf8.ValidString(got), "%q", got)
		assert.NoError(t, validateFileName(got), "%q is sendable", got)
		assert.Equal(t, tt.local, unescapeRemoteName(got), "reversible: %q", got)
		if prev, dup := seen[got]; dup {
			t.Errorf("%q and %q both become %q", prev, tt.local, got)
		}
		seen[got] = tt.local
	}
}

// FuzzRemoteName: any local name comes back from its remote name, and the
// remote name is valid UTF-8 without control characters.
func FuzzRemoteName(f *testing.F) {
	for _, s := range []string{"a", "\xff", "%FF", "%", "%%4", "a\x00b", "\u009b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, local string) {
		if len(local) > 80 {
			return // longer names may be cut to 255 bytes
		}
		got := RemoteName(local)
		if !utf8.ValidString(got) || strings.IndexFunc(got, unicode.IsControl) >= 0 {
			t.Fatalf("RemoteName(%q) = %q is not clean", local, got)
		}
		if back := unescapeRemoteName(got); back != local {
			t.Fatalf("RemoteName(%q) = %q reads back as %q", local, got, back)
		}
	})
}

// devNullSentence is how ValidateFile refuses os.DevNull: Windows' NUL is
// refused by its reserved name before it is opened.
var devNullSentence = map[bool]string{
	false: "is a device, not a regular file",
	true:  `"NUL" is a name Windows keeps for the NUL device, so it cannot be read as a file`,
}[runtime.GOOS == "windows"]

func TestValidateFile(t *testing.T) {
	dir := t.TempDir()
	regular := testfs.WriteTemp(t, "ok.bin", []byte("hello"))
	empty := testfs.WriteTemp(t, "empty.bin", nil)
	link := filepath.Join(dir, "link")
	dangling := filepath.Join(dir, "dangling")
	linksWork := testfs.Symlink(t, regular, link) && testfs.Symlink(t, filepath.Join(dir, "nowhere"), dangling) &&
		testfs.Resolves(link)

	tests := []struct {
		name, path, want string
		size             int64
		needsLink        bool
	}{
		{name: "regular file", path: regular, size: 5},
		{name: "empty file", path: empty, size: 0},
		{name: "symlink to a file", path: link, size: 5, needsLink: true},
		{name: "no path", path: "", want: "choose a file to upload"},
		{name: "missing", path: filepath.Join(dir, "missing.txt"), want: "does not exist — it may have been moved or deleted"},
		{name: "dangling symlink", path: dangling, want: "does not exist", needsLink: true},
		// A path typed through a file (Linux: ENOTDIR), not "cannot be read: not a directory".
		{name: "path through a file", path: filepath.Join(regular, "x.txt"), want: "does not exist — "},
		{name: "folder", path: dir, want: "is a folder, not a file"},
		{name: "device", path: os.DevNull, want: devNullSentence},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needsLink && !linksWork {
				t.Skip(testfs.NoSymlinks)
			}
			info, err := ValidateFile(tt.path)
			checkValidation(t, err, "file", tt.want)
			if tt.want == "" {
				require.NotNil(t, info)
				assert.Equal(t, tt.size, info.Size)
			}
		})
	}

	_, err := ValidateFile(filepath.Join(dir, "missing.txt"))
	assert.ErrorIs(t, err, fs.ErrNotExist, "the cause stays reachable")
}

func TestValidateFileRefusesSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("unix sockets unavailable: %v", err)
	}
	defer func() { _ = l.Close() }()
	_, err = ValidateFile(sock)
	checkValidation(t, err, "file", "is a socket, not a regular file")
}

func TestValidateFileUnreadable(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no permission bits (os.Chmod(0) only sets read-only); its unreadable case, a file locked by another program, is TestValidateFileLockedByAnotherProgram")
	}
	if os.Geteuid() == 0 {
		t.Skip("root can read any file")
	}
	path := testfs.WriteTemp(t, "secret.bin", []byte("x"))
	require.NoError(t, os.Chmod(path, 0))
	_, err := ValidateFile(path)
	checkValidation(t, err, "file", "cannot be read — check that you have permission to read it")
	assert.ErrorIs(t, err, fs.ErrPermission)
}

func TestQuotePathKeepsTheFileName(t *testing.T) {
	long := "/" + strings.Repeat("deep/", 60) + "the-file.txt"
	q := quotePath(long)
	assert.True(t, strings.HasSuffix(q, `the-file.txt"`))
	assert.LessOrEqual(t, len(q), 130)
	assert.Equal(t, `"/a?b"`, quotePath("/a\nb"))
}

// problemCase is a refusal and the problem (and detail) it must name.
type problemCase struct {
	name   string
	err    error
	want   Problem
	detail string
}

// fileAndURLProblemCases are refusals of an environment's URLs and of
// files, with their problem and detail.
func fileAndURLProblemCases(t *testing.T) []problemCase {
	dir := t.TempDir()
	_, longErr := ValidateFile(filepath.Join(dir, strings.Repeat("n", 300)))
	_, folderErr := ValidateFile(dir)
	_, goneErr := ValidateFile(filepath.Join(dir, "gone.txt"))
	_, devErr := ValidateFile(os.DevNull)
	_, emptyErr := ValidateFile("")
	cases := []problemCase{
		{"base empty", firstErr(CustomEnvironment(" ")), ProblemEmpty, ""},
		{"upload not a URL", Environment{APIBase: "https://a.example", UploadURL: "https://a b/%zz", GatewayURL: "https://a.example/ipfs/"}.Validate(), ProblemNotURL, ""},
		{"user info", firstErr(CustomEnvironment("https://me:pw@a.example")), ProblemUserInfo, ""},
		{"scheme", firstErr(CustomEnvironment("ftp://a.example")), ProblemScheme, "ftp://a.example"},
		{"no host", firstErr(CustomEnvironment("https://:8080")), ProblemNoHost, ""}, // no host, so not named (namedURL)
		{"cleartext", firstErr(CustomEnvironment("http://dstor.example")), ProblemCleartext, "http://dstor.example"},
		{"query", firstErr(CustomEnvironment("https://dstor.example/?a=1")), ProblemQuery, "https://dstor.example/?…"},
		{"file empty", emptyErr, ProblemEmpty, ""},
		{"file gone", goneErr, ProblemNotExist, ""},
		{"file is a folder", folderErr, ProblemIsFolder, ""},
	}
	if runtime.GOOS == "windows" {
		return append(cases, problemCase{"NUL", devErr, ProblemReservedName, "NUL"})
	}
	return append(cases, problemCase{"/dev/null", devErr, ProblemNotRegular, KindDevice},
		problemCase{"long name", longErr, ProblemUnreadable, syscall.ENAMETOOLONG.Error()})
}

// firstErr is the error of a call that also returns a value.
func firstErr[T any](_ T, err error) error { return err }

// problemsNotMetHere are the problems no check meets on this system in a
// test: a file replaced while it is opened, one denied (the tests may run
// as root), and the reasons only Windows gives (fileerr_windows_test.go
// checks those).
func problemsNotMetHere() []Problem {
	out := []Problem{ProblemChangedOpening, ProblemDenied, ProblemOnlineOnly, ProblemLocked, ProblemDriveNotReady,
		ProblemShareUnreachable, ProblemInvalidPath, ProblemPathTooLong, ProblemCannotAccess}
	if runtime.GOOS == "windows" {
		return append(out, ProblemUnreadable, ProblemNotRegular)
	}
	return append(out, ProblemReservedName)
}

// TestValidationProblems: each refusal of an email address, a comment, a
// folder path, a parent folder id, an environment's URL or a file names
// its problem, so the window can word it in its own language; too long
// ones also say the limit and length.
func TestValidationProblems(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Problem
	}{
		{"email empty", ValidateEmail(""), ProblemEmpty},
		{"email invalid UTF-8", ValidateEmail("dev\xff@example.com"), ProblemNotText},
		{"email space", ValidateEmail("dev @example.com"), ProblemSpaces},
		{"email too long", ValidateEmail(strings.Repeat("a", 250) + "@example.com"), ProblemTooLong},
		{"email no at", ValidateEmail("dev.example.com"), ProblemNotEmail},
		{"comment invalid UTF-8", ValidateComment("a\xc3"), ProblemNotText},
		{"comment line break", ValidateComment("a\nb"), ProblemControl},
		{"comment too long", ValidateComment(strings.Repeat("x", 1025)), ProblemTooLong},
		{"folder relative", ValidateFolderPath("photos"), ProblemNotAbsolute},
		{"folder dot-dot", ValidateFolderPath("/a/../b"), ProblemDotDot},
		{"folder tab", ValidateFolderPath("/a\tb"), ProblemControl},
		{"parent negative", ValidateParentID(-1), ProblemNegative},
		{"folder spaces", ValidateFolderPath("  "), ProblemBlank},
		{"parent not a number", parseErr(ParseParentID("x")), ProblemNotNumber},
		{"parent too big", parseErr(ParseParentID("99999999999999999999")), ProblemTooBig},
	}
	seen := map[Problem]bool{}
	for _, tt := range tests {
		var ve *ValidationError
		require.ErrorAs(t, tt.err, &ve, tt.name)
		assert.Equal(t, tt.want, ve.Problem, tt.name)
		assert.Contains(t, Problems, ve.Problem, tt.name)
		seen[ve.Problem] = true
	}
	for _, tt := range fileAndURLProblemCases(t) {
		var ve *ValidationError
		require.ErrorAs(t, tt.err, &ve, tt.name)
		assert.Equal(t, tt.want, ve.Problem, tt.name)
		assert.Equal(t, tt.detail, ve.Detail, tt.name)
		assert.Contains(t, Problems, ve.Problem, tt.name)
		seen[ve.Problem] = true
	}
	for _, p := range Problems {
		if !seen[p] && !slices.Contains(problemsNotMetHere(), p) {
			t.Errorf("problem %q is met by no check", p)
		}
	}
	var ve *ValidationError
	require.ErrorAs(t, ValidateComment(strings.Repeat("x", 1030)), &ve)
	assert.Equal(t, [2]int{1024, 1030}, [2]int{ve.Limit, ve.Length})
}

// parseErr is the error of a parse.
func parseErr(_ int64, err error) error { return err }
