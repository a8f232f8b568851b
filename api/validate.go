package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/mail"
	"os"
	"os/user"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/dstor-uploader/dstor-uploader/internal/linkchain"
)

// ValidationError is a value a person entered (or a file they chose) that
// cannot be sent, found before any request. Message is a full sentence that
// says what to do; Field names the input so a form can point at it ("api
// key", "email", "password", "comment", "folder path", "parent id", "file",
// "name", "token", "api base", …). Messages never contain the value when it
// is a secret.
type ValidationError struct {
	Field   string
	Message string
	// Problem says what is wrong, for a caller that words it in its own
	// language (the window); empty where Message alone says it. A
	// ProblemTooLong also gives the Limit and the Length, in bytes.
	Problem       Problem
	Limit, Length int
	// Detail is the one detail the Problem's wording needs: the value
	// cut to a readable length (a URL, only once it is known to be one and
	// to hold no user name or password), the system's own error (ProblemUnreadable) or the
	// file name Windows keeps for a device (ProblemReservedName), the kind
	// of a file that is not a regular one (ProblemNotRegular); empty when
	// it needs none.
	Detail string
	err    error // underlying cause, e.g. fs.ErrNotExist
}

// Problem names what is wrong with a value a person entered, in no
// language: Message is its English sentence.
type Problem string

// The problems the checks of an email address, a comment, a folder path,
// a parent folder id, an environment's URLs and a local file name.
const (
	ProblemEmpty       Problem = "empty"
	ProblemNotText     Problem = "not-text"     // not valid UTF-8
	ProblemSpaces      Problem = "spaces"       // spaces or control characters in an email address
	ProblemControl     Problem = "control"      // tabs, line breaks or other control characters in one line
	ProblemTooLong     Problem = "too-long"     // more than Limit bytes
	ProblemNotEmail    Problem = "not-email"    // not an address like name@example.com
	ProblemNotAbsolute Problem = "not-absolute" // a folder path not starting with /
	ProblemDotDot      Problem = "dot-dot"      // a folder path with a ".." segment
	ProblemNegative    Problem = "negative"     // a parent folder id below 0
	ProblemBlank       Problem = "blank"        // a folder path of only spaces
	ProblemNotNumber   Problem = "not-number"   // a parent folder id that is not a whole number
	ProblemTooBig      Problem = "too-big"      // a parent folder id above MaxParentID

	// The checks of an environment's URLs (Field "api base", "upload url",
	// "gateway url"); Detail is the URL, cut, only where it is one with a
	// scheme and a host name and no user name or password (never for
	// ProblemEmpty, ProblemNotURL, ProblemUserInfo or ProblemNoHost), else
	// empty: text that is no URL may be a secret pasted into the field.
	ProblemNotURL    Problem = "not-url"   // does not parse as a URL
	ProblemUserInfo  Problem = "user-info" // holds a user name or password
	ProblemScheme    Problem = "scheme"    // neither http:// nor https://
	ProblemNoHost    Problem = "no-host"   // no host name
	ProblemCleartext Problem = "cleartext" // http:// to a host other than this computer
	ProblemQuery     Problem = "query"     // a query (?…) or fragment (#…)

	// The checks of a local file to upload (Field "file").
	ProblemNotExist         Problem = "not-exist"         // moved or deleted
	ProblemDenied           Problem = "denied"            // no permission to read it
	ProblemIsFolder         Problem = "is-folder"         // a folder, not a file
	ProblemNotRegular       Problem = "not-regular"       // a named pipe, socket, device or other special file; Detail is its Kind
	ProblemChangedOpening   Problem = "changed-opening"   // replaced between its check and its opening
	ProblemUnreadable       Problem = "unreadable"        // the system refused to read it; Detail says how
	ProblemOnlineOnly       Problem = "online-only"       // a cloud file (OneDrive's) that could not be downloaded
	ProblemLocked           Problem = "locked"            // open in a program that does not share it
	ProblemDriveNotReady    Problem = "drive-not-ready"   // on a removed or empty drive
	ProblemShareUnreachable Problem = "share-unreachable" // on a network share that cannot be reached
	ProblemPathTooLong      Problem = "path-too-long"     // a path longer than the system allows
	ProblemInvalidPath      Problem = "invalid-path"      // characters the system does not allow in names
	ProblemReservedName     Problem = "reserved-name"     // a name kept for a device (CON, NUL, …); Detail is the device
	ProblemCannotAccess     Problem = "cannot-access"     // a link or special file Windows cannot open (a WSL symbolic link, say)
)

// Problems are every Problem, for a caller that must word each one.
var Problems = []Problem{ProblemEmpty, ProblemNotText, ProblemSpaces, ProblemControl, ProblemTooLong,
	ProblemNotEmail, ProblemNotAbsolute, ProblemDotDot, ProblemNegative, ProblemBlank, ProblemNotNumber, ProblemTooBig,
	ProblemNotURL, ProblemUserInfo, ProblemScheme, ProblemNoHost, ProblemCleartext, ProblemQuery,
	ProblemNotExist, ProblemDenied, ProblemIsFolder, ProblemNotRegular, ProblemChangedOpening, ProblemUnreadable, ProblemOnlineOnly,
	ProblemLocked, ProblemDriveNotReady, ProblemShareUnreachable, ProblemPathTooLong, ProblemInvalidPath,
	ProblemReservedName, ProblemCannotAccess}

// Error is the sentence that says what to do.
func (e *ValidationError) Error() string { return e.Message }

// Unwrap exposes the cause, so errors.Is(err, fs.ErrNotExist) works for a
// missing file.
func (e *ValidationError) Unwrap() error { return e.err }

// Limits on header values: long enough for any real use, short enough that
// no proxy refuses the request for its header size.
const (
	maxCommentLen  = 1024
	maxFileNameLen = 255
	maxEmailLen    = 254
)

// MaxFolderPathLen is the most bytes a destination folder path may have
// (it travels in a header): exported because a folder added whole makes
// folder paths of its own, which the worker and the window must say are too
// long with the same number.
const MaxFolderPathLen = 1024

// APIKeyLength is the length of every dStor API key.
const APIKeyLength = 64

// ValidateAPIKey checks the shape of a dStor API key: exactly 64 characters
// from A–Z, a–z, 0–9, '-' and '_'. The message never echoes the key.
func ValidateAPIKey(key string) error {
	fail := func(msg string) error { return &ValidationError{Field: "api key", Message: msg} }
	if key == "" {
		return fail("enter your dStor API key (64 characters, shown once when the key was created)")
	}
	for _, r := range key {
		if isAPIKeyChar(r) {
			continue
		}
		if unicode.IsSpace(r) {
			return fail("the API key contains a space or a line break — paste it again without extra characters")
		}
		return fail("the API key may contain only letters A–Z and a–z, digits 0–9, '-' and '_' — paste it again exactly as dStor showed it")
	}
	if len(key) != APIKeyLength {
		return fail("the API key must be exactly 64 characters long, but this one has " + strconv.Itoa(len(key)) +
			" — copy the whole key again")
	}
	return nil
}

// ValidAPIKeyChars reports whether s is made only of the characters an API
// key may hold (whatever its length), for a live check while it is typed.
func ValidAPIKeyChars(s string) bool {
	for _, r := range s {
		if !isAPIKeyChar(r) {
			return false
		}
	}
	return true
}

func isAPIKeyChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// ValidateEmail checks that s is a bare email address (name@example.com),
// without spaces or control characters.
func ValidateEmail(s string) error {
	fail := func(p Problem, msg string) error {
		return &ValidationError{Field: "email", Problem: p, Message: msg, Limit: maxEmailLen, Length: len(s)}
	}
	if s == "" {
		return fail(ProblemEmpty, "enter your email address")
	}
	if !utf8.ValidString(s) {
		return fail(ProblemNotText, "the email address is not valid text — type it again")
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fail(ProblemSpaces, "the email address must not contain spaces or control characters — check for a stray space")
		}
	}
	if len(s) > maxEmailLen {
		return fail(ProblemTooLong, "the email address is too long (at most 254 characters)")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return fail(ProblemNotEmail, "this is not an email address like name@example.com — check it")
	}
	return nil
}

// TrimDestination is a destination folder path and a comment as typed,
// without the spaces around them: both travel as HTTP header values, which
// lose them on the way, so what the history records is what dStor gets,
// and " /photos/" is the folder "/photos/". A folder path of spaces alone
// stays as it is, for ValidateFolderPath to refuse rather than take for
// the root. The window and the command line both read them so.
func TrimDestination(folderPath, comment string) (string, string) {
	if f := strings.TrimSpace(folderPath); f != "" {
		folderPath = f
	}
	return folderPath, strings.TrimSpace(comment)
}

// ValidateComment checks an upload comment, which travels in an HTTP header:
// one line of valid UTF-8 without CR, LF or any other control character (so
// header injection is impossible), at most 1024 bytes.
func ValidateComment(s string) error {
	return validateHeaderText("comment", "the comment", s, maxCommentLen)
}

// ValidateFolderPath checks a destination folder path: empty (the account's
// root), or absolute ("/photos/2026/"), without ".." segments or control
// characters, valid UTF-8, at most 1024 bytes. Spaces alone are not the
// root: whoever typed them meant some folder.
func ValidateFolderPath(s string) error {
	if s == "" {
		return nil
	}
	if strings.TrimSpace(s) == "" {
		return &ValidationError{Field: "folder path", Problem: ProblemBlank,
			Message: "the folder path is only spaces — clear it to upload to the root folder, or type a path like /photos/2026/"}
	}
	if err := validateHeaderText("folder path", "the folder path", s, MaxFolderPathLen); err != nil {
		return err
	}
	if !strings.HasPrefix(s, "/") {
		return &ValidationError{Field: "folder path", Problem: ProblemNotAbsolute,
			Message: "the folder path must start with / (for example /photos/2026/)"}
	}
	for seg := range strings.SplitSeq(s, "/") {
		if seg == ".." {
			return &ValidationError{Field: "folder path", Problem: ProblemDotDot,
				Message: `the folder path must not contain ".." — write the folder's full path from / instead`}
		}
	}
	return nil
}

// validateHeaderText is the common check for text sent as a header value.
func validateHeaderText(field, what, s string, maxLen int) error {
	fail := func(p Problem, msg string) error {
		return &ValidationError{Field: field, Problem: p, Message: msg, Limit: maxLen, Length: len(s)}
	}
	if !utf8.ValidString(s) {
		return fail(ProblemNotText, what+" is not valid UTF-8 text — type it again")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fail(ProblemControl, what+" must be one line without tabs, line breaks or other control characters (it is sent as an HTTP header) — remove them")
		}
	}
	if len(s) > maxLen {
		return fail(ProblemTooLong, what+" is too long: at most "+strconv.Itoa(maxLen)+" bytes, this one has "+
			strconv.Itoa(len(s))+" — shorten it")
	}
	return nil
}

// ValidateParentID checks a destination folder id: 0 (the root) or more.
func ValidateParentID(id int64) error {
	if id < 0 {
		return &ValidationError{Field: "parent id", Problem: ProblemNegative,
			Message: "the parent folder id must be 0 (the root folder) or a positive number"}
	}
	return nil
}

// MaxParentID is the largest parent folder id: dStor's ids are signed
// 64-bit numbers.
const MaxParentID = math.MaxInt64

// ParseParentID reads a destination folder id as a person types it,
// spaces around it allowed: a whole number from 0 (the root) to
// MaxParentID. Its refusals never repeat the text, however long.
func ParseParentID(s string) (int64, error) {
	t := strings.TrimSpace(s)
	id, err := strconv.ParseInt(t, 10, 64)
	switch {
	case err == nil:
		if err := ValidateParentID(id); err != nil {
			return 0, err
		}
		return id, nil
	case errors.Is(err, strconv.ErrRange) && strings.HasPrefix(t, "-"):
		return 0, ValidateParentID(-1)
	case errors.Is(err, strconv.ErrRange):
		return 0, &ValidationError{Field: "parent id", Problem: ProblemTooBig, Length: len(t),
			Message: "the parent folder id is too big: folder ids are at most " + strconv.FormatInt(MaxParentID, 10) + " — check it"}
	}
	return 0, &ValidationError{Field: "parent id", Problem: ProblemNotNumber,
		Message: "the parent folder id must be a whole number, like 1234"}
}

// validateFileName checks a file name chosen for the multipart part: one
// path element of valid UTF-8 without control characters.
func validateFileName(name string) error {
	fail := func(msg string) error { return &ValidationError{Field: "name", Message: msg} }
	if err := validateHeaderText("name", "the file name", name, maxFileNameLen); err != nil {
		return err
	}
	if strings.TrimSpace(name) == "" || name == "." || name == ".." {
		return fail("the file name is empty — give the file a name")
	}
	if strings.ContainsAny(name, `/\`) {
		return fail(`the file name must not contain / or \ — give just the name, not a path`)
	}
	return nil
}

// RemoteName is the name a local file or folder gets on dStor: the local
// name itself whenever it is valid UTF-8 without control characters and at
// most 255 bytes (the usual case), else the same name with each offending
// byte written as %XX ("\xff.txt" → "%FF.txt", "a\nb" → "a%0Ab"). A '%'
// that is followed by two hex digits in the local name is written %25, so
// distinct local names get distinct remote names and the local bytes can
// be read back from the remote name (undo each %XX).
//
// A name still longer than 255 bytes (escapes make a name grow; Windows
// allows 255 UTF-16 characters, up to 765 bytes) is cut: it keeps as much
// of its start as fits, without splitting a character or an escape, then
// "~" and the first 16 hex digits of the SHA-256 of the whole local name,
// then its extension when that is at most 32 bytes ("…~1a2b3c4d5e6f7a8b.jpg").
// Two names that differ only past the cut so still get distinct remote
// names, and the same local name always gets the same one; a cut name
// cannot be read back. A local name made to be another's cut name is sent
// as it is, so the two share a remote name (their CIDs still tell them
// apart): only a name built for it meets another.
func RemoteName(local string) string {
	name := local
	if needsEscape(local) {
		name = escapeName(local)
	}
	return fitName(name, local)
}

// escapeName is local with each byte of invalid UTF-8 or of a control
// character written %XX, and each '%' that would read as an escape
// written %25.
func escapeName(local string) string {
	var b strings.Builder
	for i := 0; i < len(local); {
		r, size := utf8.DecodeRuneInString(local[i:])
		switch {
		case r == utf8.RuneError && size == 1, unicode.IsControl(r):
			for _, c := range []byte(local[i : i+size]) {
				b.WriteString(percentByte(c))
			}
		case r == '%' && isHexPair(local[i+1:]):
			b.WriteString("%25")
		default:
			b.WriteString(local[i : i+size])
		}
		i += size
	}
	return b.String()
}

// The mark a cut remote name ends with (before its extension): its hex
// digits of the local name's SHA-256 (64 bits: two cut names of one folder
// sharing a mark is as unlikely as a random 64-bit clash), and the longest
// extension kept after it.
const (
	cutMarkHexDigits = 16
	maxKeptExtLen    = 32
)

// fitName is name, the remote name of local before any cut, when it is at
// most maxFileNameLen bytes; else its start, "~", the mark of local and its
// extension (see RemoteName). '~' is no hex digit, so the mark never makes
// an escape of a '%' left at the end of the start.
func fitName(name, local string) string {
	if len(name) <= maxFileNameLen {
		return name
	}
	sum := sha256.Sum256([]byte(local))
	mark := "~" + hex.EncodeToString(sum[:])[:cutMarkHexDigits]
	ext := path.Ext(name)
	if len(ext) > maxKeptExtLen {
		ext = ""
	}
	head := name[:len(name)-len(ext)]
	return truncateEscaped(head, maxFileNameLen-len(mark)-len(ext)) + mark + ext
}

// needsEscape reports whether RemoteName must change name.
func needsEscape(name string) bool {
	if !utf8.ValidString(name) {
		return true
	}
	for i, r := range name {
		if unicode.IsControl(r) || r == '%' && isHexPair(name[i+1:]) {
			return true
		}
	}
	return false
}

func isHexPair(s string) bool {
	isHex := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
	return len(s) >= 2 && isHex(s[0]) && isHex(s[1])
}

func percentByte(c byte) string {
	const hex = "0123456789ABCDEF"
	return string([]byte{'%', hex[c>>4], hex[c&15]})
}

// truncateEscaped cuts s to at most n bytes without splitting a %XX
// escape or a character.
func truncateEscaped(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(s[max(0, cut-2):cut], '%'); i >= 0 {
		cut = max(0, cut-2) + i
	}
	return s[:cut]
}

// ValidateFile checks that path is an existing regular file (not a folder,
// named pipe, device or socket) that this process can open for reading, and
// returns its identity (size included), for recognising it when it was
// uploaded before.
// A file the system makes up as it is read (/proc, /sys) is refused too:
// its size cannot tell what an upload must send.
func ValidateFile(path string) (FileIdentity, error) {
	f, id, err := OpenRegularFile(path)
	if err != nil {
		return FileIdentity{}, err
	}
	madeUp := madeUpAsRead(f, id.Size)
	_ = f.Close() // opened read-only: nothing to flush
	if madeUp {
		return FileIdentity{}, notStored(quotePath(path))
	}
	return id, nil
}

// OpenRegularFile is ValidateFile that keeps the file open, so an upload
// opens its file once and reads exactly what was checked. The path is
// stat'ed before opening because opening a named pipe would block (and
// one put there after the stat is opened without waiting, then refused).
// It is exported for the window's other reads of the person's files
// (History's thumbnails), so they refuse what an upload refuses, as
// soon, through this one opener.
func OpenRegularFile(path string) (*os.File, FileIdentity, error) {
	fail := func(p Problem, msg string, err error) error {
		return &ValidationError{Field: "file", Problem: p, Message: msg, err: err}
	}
	if path == "" {
		return nil, FileIdentity{}, fail(ProblemEmpty, "choose a file to upload", nil)
	}
	q := quotePath(path)
	if msg := reservedNameSentence(q, path); msg != "" {
		return nil, FileIdentity{}, &ValidationError{Field: "file", Problem: ProblemReservedName, Detail: filepath.Base(path), Message: msg}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, FileIdentity{}, fileAccessError(q, err)
	}
	if st.IsDir() {
		return nil, FileIdentity{}, fail(ProblemIsFolder, q+" is a folder, not a file — upload the files inside it", nil)
	}
	if !IsRegularFile(path, st.Mode()) {
		return nil, FileIdentity{}, notRegular(q, st.Mode())
	}
	f, err := openShared(path)
	if err != nil {
		return nil, FileIdentity{}, fileAccessError(q, err)
	}
	st2, id, err := statOpen(f)
	if err != nil || !regularOpen(f, st2) || !os.SameFile(st, st2) {
		_ = f.Close()
		return nil, FileIdentity{}, fail(ProblemChangedOpening, q+" changed while it was being opened — try again", err)
	}
	return f, id, nil
}

// AddAgainAdvice ends the sentence of a file whose path now goes through
// a file (ProblemNotExist: a folder on its path replaced by a file), what
// to do when nothing will try it again; RetryOrAddAgainAdvice replaces it
// where a Retry sends the file once the path leads to it again (a failed
// upload of a file named on its own), as for a file that is gone.
const (
	AddAgainAdvice        = "check the path, and add the file again from where it is now"
	RetryOrAddAgainAdvice = "put it back, then retry it, or add the file again from where it is now"
)

// ThroughFileSentence is the sentence of a file whose path goes through a
// file when that path never led to it, as far as anything saw: a file's
// name typed as a folder's ("notes.txt/x"), not a folder replaced since.
// It names the file on the way (FileOnTheWay) when it finds it.
func ThroughFileSentence(path string) string {
	return throughFileSentence(path, FileOnTheWay(path))
}

// throughFileSentence is ThroughFileSentence with the file on the way
// found ("" for none).
func throughFileSentence(path, file string) string {
	if file != "" {
		return quotePath(path) + " does not exist — its path goes through " + quotePath(file) + ", a file, not a folder: check the path"
	}
	return quotePath(path) + " does not exist — its path goes through a file, not a folder: check the path"
}

// NotThereError is a path named as a command or a window starts (or a
// launch hands to the running window) with no file or folder there
// (NamedNotThere). Its Error is the command line's sentence; the window
// words Kind, Detail and Link in its own language.
type NotThereError struct {
	// Path is the path as named.
	Path string
	// Kind says why nothing is there.
	Kind NotThereKind
	// Detail is the file Path goes through (NotThereThroughFile), the
	// link's target (NotThereLink, NotThereLinkOnTheWay) or the path its ~
	// stands for, which is there (NotThereTilde); "" for NotThereName.
	Detail string
	// Link is the symbolic link on Path's way that leads to nothing
	// (NotThereLinkOnTheWay; Detail is where it leads); "" for the
	// other kinds.
	Link string
	// End is the symbolic link that leads to nothing at the end of a
	// chain of them that Path (NotThereLink) or Link (NotThereLinkOnTheWay)
	// starts, when that is another link than the first (Detail is then
	// End's target); "" when the first leads to nothing itself.
	End string
}

// NotThereKind is why a path named is not there: each says what to check.
type NotThereKind int

// The kinds of NotThereError.
const (
	NotThereName         NotThereKind = iota // nothing by that name: check the name
	NotThereThroughFile                      // its path goes through a file: check the path
	NotThereLink                             // a symbolic link that leads to nothing: point it at the file
	NotThereTilde                            // typed starting with a ~ no shell replaced (quoted, or on Windows): name the path it stands for
	NotThereLinkOnTheWay                     // its path goes through a symbolic link that leads to nothing: point the link at the folder
	NotThereLoop                             // its path goes round a loop of symbolic links: point the link at the file
	NotThereTooLong                          // longer than the system takes a path, or a name in it longer than a name may be: a shorter path
)

// Error is the sentence that says what to check.
func (e *NotThereError) Error() string {
	switch e.Kind {
	case NotThereThroughFile:
		return throughFileSentence(e.Path, e.Detail)
	case NotThereLink:
		return quotePath(e.Path) + " is " + e.LeadsTo(quotePath) + ", which does not exist — point the link at the file, or name the file itself"
	case NotThereTilde:
		return quotePath(e.Path) + " does not exist — " + tildeAdvice() + ", or the full path, " + quotePath(e.Detail)
	case NotThereLoop:
		return quotePath(e.Path) + " " + loopSentence
	case NotThereTooLong:
		if e.NameTooLong() {
			return quotePath(e.Path) + " " + nameTooLongSentence
		}
		return quotePath(e.Path) + " has a path longer than this system allows — name it by a shorter path, or move it to a folder with a shorter one"
	case NotThereLinkOnTheWay:
		return quotePath(e.Path) + " does not exist — its path goes through " + quotePath(e.Link) + ", " + e.LeadsTo(quotePath) +
			", which does not exist: point the link at the folder, or name the file's own path"
	}
	return quotePath(e.Path) + " does not exist — check the name"
}

// NameTooLong reports whether a NotThereTooLong path is refused for a
// name in it longer than MaxNameLen (no file has it: a name typed wrong),
// not for its whole length, so each is said with what to do.
func (e *NotThereError) NameTooLong() bool {
	return hasNameTooLong(e.Path)
}

// LeadsTo says where the symbolic link to nothing (Path, or Link on its
// way) leads: to its target, or through others to End, and End's target,
// each path as name writes it (Error's quotes, or the history command's
// inert.Line), so every English sentence that names the chain says it
// alike.
func (e *NotThereError) LeadsTo(name func(path string) string) string {
	if e.End == "" {
		return "a symbolic link to " + name(e.Detail)
	}
	return "a symbolic link that leads to " + name(e.End) + ", a symbolic link to " + name(e.Detail)
}

// SplitNotThere splits the paths a launch names into those to go on with
// (there, or whose absence is not sure: NamedNotThere) and a
// *NotThereError for each not there, each path once, in the order named:
// what the window and a launch handed to it say of them. The paths come
// absolute; typed[i] is the spelling paths[i] was typed in (the launch's
// argument: instance.Request.Typed), "" or missing where that is not
// known (a launch of an older version), so a ~ no shell replaced is said
// only of a path typed starting with one: "/data/~/x" may name a folder ~
// deliberately.
func SplitNotThere(paths, typed []string) (there []string, notThere []*NotThereError) {
	seen := map[string]bool{}
	for i, p := range paths {
		spelled := ""
		if i < len(typed) {
			spelled = typed[i]
		}
		nt, ok := errors.AsType[*NotThereError](NamedNotThere(p, spelled))
		switch {
		case !ok:
			there = append(there, p)
		case !seen[p]:
			seen[p] = true
			notThere = append(notThere, nt)
		}
	}
	return there, notThere
}

// NamedNotThere is a *NotThereError for path, named as a command or a
// window starts, when no file or folder is there: one whose name is not
// there was never seen there, so it is a name typed wrong to check (not a
// file "moved or deleted" to put back, as for one seen before), one whose
// path goes through a file says so, and so do a symbolic link that leads
// to nothing, one on the path's way and a loop of links (the system
// opens nothing by any of them), and so does a path the system refuses
// for its length, which it never opens however often it is tried. It is
// nil for a path that is there, and for one whose absence is not sure (a
// drive not ready or not there, as a USB drive unplugged, a share out of
// reach, a folder not readable, or not searchable, which leave given later
// makes readable): reading it says what is wrong with those.
//
// typed is the path as the person typed it on the command line (path
// itself, or what was made absolute into path), "" where that is not
// known: a ~ no shell replaced is said only of a path typed starting
// with one (tildeMeant).
func NamedNotThere(path, typed string) error {
	if path == "" {
		return nil
	}
	fi, err := os.Lstat(path)
	switch {
	case Gone(err) && !volumeThere(path):
		return nil
	case Gone(err) || errors.Is(err, syscall.ENOTDIR):
		return namedGone(path, typed, Gone(err))
	case errors.Is(err, syscall.ELOOP):
		return &NotThereError{Path: path, Kind: NotThereLoop}
	case errors.Is(err, syscall.ENAMETOOLONG): // no retry opens it: the path, not the file, must change
		return tooLongNamed(path)
	case err != nil || fi.Mode()&fs.ModeSymlink == 0:
		return nil
	}
	_, err = os.Stat(path)
	switch {
	case errors.Is(err, syscall.ELOOP):
		return &NotThereError{Path: path, Kind: NotThereLoop}
	case !Gone(err) && !errors.Is(err, syscall.ENAMETOOLONG): // a link to a name too long leads to nothing too
		return nil
	}
	end, target, ok := linkEnd(path)
	if !ok {
		return nil
	}
	return &NotThereError{Path: path, Kind: NotThereLink, Detail: target, End: end}
}

// tooLongNamed is NamedNotThere of a path the system refuses for its
// length: a symbolic link on its way that leads to a name longer than a
// name may be leads to nothing, and is said as such; else the path's own
// text is too long.
func tooLongNamed(path string) error {
	if nt := deadLinkOnTheWay(path); nt != nil {
		return nt
	}
	return &NotThereError{Path: path, Kind: NotThereTooLong}
}

// deadLinkOnTheWay is the NotThereError of path when a symbolic link on
// its way leads to nothing (linkOnTheWay): the link itself when path
// names it ("proj/link/": the link, named as a folder), else a link on
// its way; nil when none does.
func deadLinkOnTheWay(path string) *NotThereError {
	link, end, target := linkOnTheWay(path)
	switch {
	case link == "":
		return nil
	case link == trimSeparators(path):
		return &NotThereError{Path: path, Kind: NotThereLink, Detail: target, End: end}
	}
	return &NotThereError{Path: path, Kind: NotThereLinkOnTheWay, Link: link, Detail: target, End: end}
}

// linkEnd follows the symbolic link link, which leads to nothing, to the
// link of its chain whose target is not there: that link (End: "" when it
// is link itself) and its target, as the link holds it; false when a link
// cannot be read. Each target is read from its link's folder as the
// system reads it (linkchain.Join).
func linkEnd(link string) (end, target string, ok bool) {
	p := link
	for range linkchain.MaxLinks {
		to, err := os.Readlink(p)
		if err != nil {
			return "", "", false
		}
		next := to
		if !filepath.IsAbs(to) {
			dir, _ := linkchain.Split(p)
			next = linkchain.Join(dir, to)
		}
		if fi, err := os.Lstat(next); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			if p == link {
				p = ""
			}
			return p, to, true
		}
		p = next
	}
	return "", "", false // more links than the system follows: it says ELOOP
}

// namedGone is NamedNotThere of a path the system says is not there
// (gone) or goes through something not a folder: why, or nil when that
// is not sure.
func namedGone(path, typed string, gone bool) error {
	if file := FileOnTheWay(path); file != "" {
		return &NotThereError{Path: path, Kind: NotThereThroughFile, Detail: file}
	}
	if !gone {
		return nil
	}
	if nt := deadLinkOnTheWay(path); nt != nil {
		return nt
	}
	if meant := tildeMeant(path, typed); meant != "" {
		return &NotThereError{Path: path, Kind: NotThereTilde, Detail: meant}
	}
	return &NotThereError{Path: path, Kind: NotThereName}
}

// linkOnTheWay is the last of path's leading parts that is there, as the
// system reads each ("link/.." from where link leads), when it is a
// symbolic link that leads to nothing (or to a name longer than a name
// may be, which nothing has), with where it leads; "", "" when it is
// anything else.
func linkOnTheWay(path string) (link, end, target string) {
	for i := len(path) - 1; i > 0; i-- {
		if !os.IsPathSeparator(path[i]) || os.IsPathSeparator(path[i-1]) {
			continue
		}
		part := path[:i]
		fi, err := os.Lstat(part)
		switch {
		case Gone(err) || errors.Is(err, syscall.ENAMETOOLONG):
			continue
		case err != nil || fi.Mode()&fs.ModeSymlink == 0:
			return "", "", ""
		}
		if _, err := os.Stat(part); !Gone(err) && !errors.Is(err, syscall.ENAMETOOLONG) {
			return "", "", ""
		}
		end, target, ok := linkEnd(part)
		if !ok {
			return "", "", ""
		}
		return part, end, target
	}
	return "", "", ""
}

// trimSeparators is path without the separators it ends with:
// "proj/link/" names the link proj/link (taken as a folder), no name
// after it.
func trimSeparators(path string) string {
	for len(path) > 1 && os.IsPathSeparator(path[len(path)-1]) {
		path = path[:len(path)-1]
	}
	return path
}

// tildeAdvice says why a ~ in a path named was left as it is and what to
// write instead: a shell replaces ~ with a home folder only outside
// quotes, and cmd never does.
func tildeAdvice() string {
	if runtime.GOOS == "windows" {
		return "~ is not expanded on Windows: write %USERPROFILE% for it"
	}
	return "~ is not expanded inside quotes: write it outside them"
}

// tildeMeant is the path a shell would have made of typed, a path as
// typed on the command line, when it starts with a ~ part the shell did
// not replace (typed quoted, or on Windows, whose cmd never replaces it)
// and what ~ stands for is there: "~/report.pdf" named from a folder with
// no "~" in it is the home folder's report.pdf. Off Windows "~user"
// stands for that user's home folder. A shell replaces ~ only at the
// start of a word, so a ~ later in the path ("/data/~/x") was typed as
// meant. It is "" for any other path, and when the path meant is not
// there either: a name typed wrong is still one to check. path is typed
// as named (relative) or made absolute where it was typed: a folder
// named ~ there is what was named, wherever this runs (a window handed a
// launch's path has another working folder).
func tildeMeant(path, typed string) string {
	first, rest := typed, ""
	if i := strings.IndexFunc(typed, func(r rune) bool { return r < utf8.RuneSelf && os.IsPathSeparator(uint8(r)) }); i >= 0 {
		first, rest = typed[:i], typed[i+1:]
	}
	home := homeOf(first)
	named := typedPart(path, typed, first)
	if home == "" || named == "" {
		return ""
	}
	if _, err := os.Lstat(named); !Gone(err) {
		return "" // a folder named ~ where the path was typed is what was named
	}
	meant := filepath.Join(home, rest)
	if _, err := os.Stat(meant); err != nil {
		return ""
	}
	return meant
}

// TypedTildes is args, paths as a launch was given them, when one of them
// starts with a ~ (NamedNotThere may then say that no shell replaced
// it), else nil: what a launch hands the window beside the paths made
// absolute (instance.Request.Typed), which the window reads nothing else
// from.
func TypedTildes(args []string) []string {
	for _, a := range args {
		if strings.HasPrefix(a, "~") {
			return args
		}
	}
	return nil
}

// typedPart is the part of path that first, typed's first part, names:
// path up to where typed (as given, or clean, as filepath.Abs leaves it)
// ends it, then first; "" when path does not end with typed.
func typedPart(path, typed, first string) string {
	for _, t := range []string{typed, filepath.Clean(typed)} {
		if before, ok := strings.CutSuffix(path, t); ok && (before == "" || os.IsPathSeparator(before[len(before)-1])) {
			return before + first
		}
	}
	return ""
}

// homeOf is the home folder a shell puts for part, a path's first part
// ("~", or off Windows "~user"), or "" when part is none of those or the
// folder is not known.
func homeOf(part string) string {
	name, ok := strings.CutPrefix(part, "~")
	switch {
	case !ok:
		return ""
	case name == "":
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		return home
	case runtime.GOOS == "windows":
		return ""
	}
	u, err := user.Lookup(name)
	if err != nil {
		return ""
	}
	return u.HomeDir
}

// volumeThere reports whether the drive (or share) of path is there, as
// it is for a path with none (Unix): Windows answers a path on a drive
// letter that is not there (a USB drive unplugged) "not found", as it
// does a name typed wrong.
func volumeThere(path string) bool {
	v := filepath.VolumeName(path)
	if v == "" {
		return true
	}
	_, err := os.Lstat(v + string(filepath.Separator))
	return err == nil
}

// FileOnTheWay is the nearest of path's parents that is there and is not
// a folder, or "" when there is none. Each parent is path up to one of its
// separators, read as the system reads it: off Windows "link/.." goes up
// from where link leads, and "file/.." is no folder (not a directory), so
// the file is found there, not in the text cut's parents.
func FileOnTheWay(path string) string {
	for i := len(path) - 1; i > len(filepath.VolumeName(path)); i-- {
		if !os.IsPathSeparator(path[i]) || os.IsPathSeparator(path[i-1]) {
			continue
		}
		if st, err := os.Stat(path[:i]); err == nil {
			if st.IsDir() {
				return ""
			}
			return path[:i]
		}
	}
	return ""
}

// fileAccessError explains why a file could not be stat'ed or opened.
func fileAccessError(q string, err error) error {
	fail := func(p Problem, msg string) error {
		return &ValidationError{Field: "file", Problem: p, Message: msg, err: err}
	}
	if p, msg := platformFileSentence(q, err); msg != "" {
		return fail(p, msg)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail(ProblemNotExist, q+" does not exist — it may have been moved or deleted")
	case errors.Is(err, syscall.ENOTDIR):
		// A folder on the path was replaced by a file (or the path was
		// typed through a file): the file is not there, as when deleted.
		return fail(ProblemNotExist, q+" does not exist — a folder on its path is now a file, not a folder; "+AddAgainAdvice)
	case errors.Is(err, fs.ErrPermission):
		return fail(ProblemDenied, q+" cannot be read — check that you have permission to read it")
	case PathTooLong(err):
		// Longer than PATH_MAX (4,096 bytes on Linux): no call takes it.
		return fail(ProblemPathTooLong, q+" has a path longer than this system allows — move it to a folder with a shorter path, then try again")
	default:
		cause := err
		var pe *fs.PathError
		if errors.As(err, &pe) {
			cause = pe.Err
		}
		e := fail(ProblemUnreadable, q+" "+unreadableSentence(cause)).(*ValidationError)
		e.Detail = cleanText(cause.Error())
		return e
	}
}

// unreadableSentence says why a file cannot be read, from the system's
// error cause: what to do for a name too long (PathTooLong's other case)
// or a loop of symbolic links, else the system's words. The window words
// these from the error's text (ValidationError.Detail) itself.
func unreadableSentence(cause error) string {
	switch {
	case errors.Is(cause, syscall.ENAMETOOLONG):
		return nameTooLongSentence
	case errors.Is(cause, syscall.ELOOP):
		return loopSentence
	}
	return "cannot be read: " + cleanText(cause.Error())
}

// nameTooLongSentence says, after a path, that a name in it is longer than
// a name may be and what to do: said of a file read (unreadableSentence)
// and of a path named (NotThereTooLong) alike.
var nameTooLongSentence = fmt.Sprintf("has a name longer than the system allows (%d bytes), so no file has that path — check the path for a mistake", MaxNameLen)

// loopSentence says, after a path, that it goes round a loop of symbolic
// links and what to do: said of a file read (unreadableSentence) and of a
// path named (NotThereLoop) alike.
const loopSentence = "goes round a loop of symbolic links (a link that leads, through others or none, back to itself) — point the link at the file, or give the file's own path"

// MaxNameLen is the longest a file or folder name may be on the systems
// this runs on (NAME_MAX: 255 bytes), for the sentences that say a name
// is longer.
const MaxNameLen = 255

// PathTooLong reports whether err is the system refusing a path for its
// length (ENAMETOOLONG: deeper than PATH_MAX lets a path be), not for a
// name in it longer than MaxNameLen, which no file has (a name typed
// wrong: it is unreadable as any missing file is), so that each is said
// with what to do.
func PathTooLong(err error) bool {
	if !errors.Is(err, syscall.ENAMETOOLONG) {
		return false
	}
	var pe *fs.PathError
	return !errors.As(err, &pe) || !hasNameTooLong(pe.Path)
}

// hasNameTooLong reports whether a name in path p is longer than
// MaxNameLen: the system refuses p for that name, not its length.
func hasNameTooLong(p string) bool {
	for _, name := range strings.Split(filepath.ToSlash(p), "/") {
		if len(name) > MaxNameLen {
			return true
		}
	}
	return false
}

// readError is a failure to read the file at path during its upload: the
// platform's sentence when it has one (an online-only file that could not
// be downloaded, say), else the error as it is.
func readError(path string, err error) error {
	if p, msg := platformFileSentence(quotePath(path), err); msg != "" {
		return &ValidationError{Field: "file", Problem: p, Message: msg, err: err}
	}
	return fmt.Errorf("read the file: %w", err)
}

// notRegular refuses a file of mode m that is not a regular file.
func notRegular(q string, m fs.FileMode) error {
	return &ValidationError{Field: "file", Problem: ProblemNotRegular, Detail: fileKindWord(m),
		Message: q + " is " + FileKind(m) + ", not a regular file — only regular files can be uploaded"}
}

// notStored refuses a file the system makes up as it is read
// (madeUpAsRead): its size cannot tell what an upload must send.
func notStored(q string) error {
	return &ValidationError{Field: "file", Problem: ProblemNotRegular, Detail: KindSpecial,
		Message: q + " is made up by the system as it is read (a file of /proc or /sys), not a stored file — only regular files can be uploaded; " +
			"to upload what it says now, save a copy of it (with cp or cat) and upload the copy"}
}

// quotePath quotes a local path for a message; a long one keeps its end,
// where the file's name is.
func quotePath(path string) string {
	p := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(path, "\uFFFD"))
	const maxLen = 120
	if len(p) > maxLen {
		cut := len(p) - maxLen
		for cut < len(p) && !utf8.RuneStart(p[cut]) {
			cut++
		}
		p = "…" + p[cut:]
	}
	return `"` + p + `"`
}

// The kinds of file that are not regular files, as ProblemNotRegular's
// Detail names them (in no language).
const (
	KindPipe    = "pipe"
	KindSocket  = "socket"
	KindDevice  = "device"
	KindSymlink = "symlink"
	KindSpecial = "special"
)

// fileKindWord names a non-regular file type in no language (one of the
// Kind constants).
func fileKindWord(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return KindPipe
	case m&fs.ModeSocket != 0:
		return KindSocket
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		return KindDevice
	case m&fs.ModeSymlink != 0:
		return KindSymlink
	}
	return KindSpecial
}

// FileKind names a non-regular file type for messages ("a device").
func FileKind(m fs.FileMode) string {
	return map[string]string{KindPipe: "a named pipe", KindSocket: "a socket", KindDevice: "a device",
		KindSymlink: "a symbolic link", KindSpecial: "a special file"}[fileKindWord(m)]
}
