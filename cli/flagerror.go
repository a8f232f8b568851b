package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// notRepeated is said of what a command line had in a flag's place, or as
// a flag's value, that is not named back: a word typed where a flag or its
// value goes may be an API key or a password pasted in the wrong place,
// and the error output ends up in a terminal's scrollback and a CI job's
// log. Only a word written as a flag's name is is named; a file or folder
// named is named back where it cannot be used (the person needs it).
const notRepeated = "(not repeated here, as it may be a secret)"

// flagErrorText is the sentence for an error of the flag parser on cmd:
// which flag is wrong and what it takes, never the value given, nor a
// flag cmd does not have unless it is written as a flag's name is. A
// value a number or a switch cannot take says what the flag takes, not
// Go's "strconv.ParseInt: parsing …: invalid syntax"; the app's own flag
// values say what is wrong themselves, without the value (api.ParseRate,
// sandbox.CheckAPIKey).
func flagErrorText(cmd *cobra.Command, err error) string {
	var unknown *pflag.NotExistError
	var syntax *pflag.InvalidSyntaxError
	var bad *pflag.InvalidValueError
	switch {
	case errors.As(err, &unknown):
		return unknownFlagText(cmd, unknown)
	case errors.As(err, &syntax):
		return `an argument begins with "--" but names no flag ` + notRepeated
	case errors.As(err, &bad):
		return badValueText(bad)
	}
	return err.Error() // "flag needs an argument: --env": a flag cmd has
}

// badValueText says what the flag of bad takes.
func badValueText(bad *pflag.InvalidValueError) string {
	name := bad.GetFlag().Name
	switch bad.GetFlag().Value.Type() {
	case "int", "int64":
		if errors.Is(bad, strconv.ErrRange) {
			return fmt.Sprintf("--%s: the number given is too large", name)
		}
		return fmt.Sprintf("--%s takes a whole number written in digits, such as 10: the value given %s is not one", name, notRepeated)
	case "bool":
		// Most often --api-key-stdin=KEY or --password-stdin=PASSWORD.
		return fmt.Sprintf("--%s is a switch: write --%s alone to turn it on (or --%s=false); the value given %s is neither", name, name, name, notRepeated)
	}
	return fmt.Sprintf("--%s: %v", name, errors.Unwrap(bad)) // the app's own value's sentence
}

// unknownFlagText says a flag is unknown without repeating a word that
// may be a secret (refusedArgs): an API key pasted after a dash was
// repeated whole ("unknown shorthand flag: 's' in -sk…", "unknown flag:
// --sk…"). A shorthand is named by its letter alone; a long flag by its
// name only when it is written as the app's flags are (lower-case
// letters and dashes, as --nope or --remove-failed), so a typo is still
// seen; a flag of cmd close to what was typed is suggested.
func unknownFlagText(cmd *cobra.Command, e *pflag.NotExistError) string {
	typed, text := e.GetSpecifiedName(), ""
	switch group := e.GetSpecifiedShortnames(); {
	case group != "":
		typed = group // "-env": one dash is for one-letter flags, read one by one
		letter, _ := utf8.DecodeRuneInString(e.GetSpecifiedName())
		text = "unknown shorthand flag " + notRepeated
		if unicode.IsLetter(letter) || unicode.IsDigit(letter) {
			text = fmt.Sprintf("unknown shorthand flag -%c", letter)
		}
	case looksLikeFlagName(typed):
		text = "unknown flag: --" + typed
	default:
		text = "unknown flag " + notRepeated
	}
	if near := closeFlag(cmd, typed); near != "" {
		text += fmt.Sprintf(`. Did you mean "--%s"?`, near)
	} else if wholeFolders(cmd, typed) {
		text += fmt.Sprintf(". A folder is %s with everything in it: name it, no flag is needed", map[string]string{"upload": "uploaded", "verify": "verified"}[cmd.Name()])
	}
	return text
}

// wholeFolders reports whether typed asks upload or verify for what they
// always do with a folder: -r, --recursive (cp's, scp's, rsync's habit)
// for its contents.
func wholeFolders(cmd *cobra.Command, typed string) bool {
	takesFolders := cmd != nil && (cmd.Name() == "upload" || cmd.Name() == "verify")
	return takesFolders && (typed == "r" || typed == "R" || strings.EqualFold(typed, "recursive"))
}

// looksLikeFlagName reports whether s is written as the app's flag names
// are: lower-case ASCII letters and inner dashes, at most 40 of them.
func looksLikeFlagName(s string) bool {
	if s == "" || len(s) > 40 || s[0] == '-' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return true
}

// typoEdits is how many edits a mistyped command or flag name may be from
// one of ours and still be suggested: a slip of one or two keys, not a
// different word.
const typoEdits = 2

// otherFlagNames are words people type for a flag of ours that neither a
// typo nor its first word reaches: other uploaders' and copiers' names
// for the destination folder (scp, rsync, rclone), the last word of
// --limit-rate. Not "path": upload's files are its arguments, and
// --folder-path is the folder in dStor.
var otherFlagNames = map[string]string{
	"dest":        "folder-path",
	"destination": "folder-path",
	"target":      "folder-path",
	"remote":      "folder-path",
	"rate":        "limit-rate",
}

// closeFlag is the name of a flag of cmd that typed was likely meant to
// be, or "" when none is: one at most typoEdits edits from it (a typo:
// "--concurency"); else the one flag whose first words typed is
// ("--folder", "--limit", "--password" for --folder-path, --limit-rate,
// --password-stdin); else what otherFlagNames calls it.
func closeFlag(cmd *cobra.Command, typed string) string {
	if cmd == nil || len(typed) < 3 {
		return "" // "-c" is as close to --csv as to any other
	}
	typed = strings.ToLower(typed)
	var near string
	var words []string
	visit := func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if near == "" && editDistance(typed, f.Name) <= typoEdits {
			near = f.Name
		}
		if strings.HasPrefix(f.Name, typed+"-") {
			words = append(words, f.Name)
		}
	}
	cmd.LocalFlags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	switch {
	case near != "":
		return near
	case len(words) == 1:
		return words[0] // "--api" on login would be --api-key-stdin alone
	}
	if f := cmd.Flags().Lookup(otherFlagNames[typed]); f != nil && !f.Hidden {
		return f.Name
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
