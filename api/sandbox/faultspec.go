package sandbox

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FaultSpecHelp documents the syntax ParseFaultSpec reads; the sandbox
// command prints it under --help.
const FaultSpecHelp = `A fault SPEC is a list of items separated by ":" (or ","), for example:
  503:every=3                 every 3rd request answers 503
  503:count=2:retry-after=1s  the next 2 requests answer 503 with Retry-After: 1
  429:retry-after=2s          every request answers 429 with Retry-After: 2
  cut=50%:path=add            uploads lose their connection after half the body
  cut=65536                   the connection is cut after 65,536 bytes of body
  stall=30s:count=1           the next request gets no answer for 30 s
  delay=200ms                 every request waits 200 ms first, then is served
  wrong-hash:every=2          every 2nd upload answers the CID of other bytes
  malformed                   200 with broken JSON
  html=502                    an nginx-style HTML error page with status 502
  413:path=add                every upload is refused as too large
Items:
  NNN             answer this HTTP status (400-599) with a JSON error body
  html[=NNN]      answer an HTML error page (status NNN, default 502)
  malformed       answer broken JSON (status 200, or NNN when given)
  wrong-hash      store the upload, answer a valid CIDv0 of other bytes
  cut=N | cut=P%  read N bytes (or P percent of Content-Length) of the body, then close
  stall=D         send nothing for D, then serve normally (a hung server)
  delay=D         wait D, then apply the rest (or serve normally)
  retry-after=D   add Retry-After (rounded up to whole seconds) to a status or HTML answer
  count=N|all     apply to the next N matching requests (all: every one)
  every=N         apply to every Nth matching request
  path=P          only requests to exactly path P; "add" is short for
                  /api/v0/add, "token" for /v1/dev/temp-token
Durations are Go durations (1s, 200ms, 2m) or plain seconds (30). Without
count= or every=, the fault applies to every matching request; without
path=, to every path. Faults given with several --fault flags are checked in
order, and the first that fires applies.`

// maxFaultDuration bounds stall=, delay= and retry-after=, so a typo cannot
// park the sandbox for days.
const maxFaultDuration = 24 * time.Hour

// ParseFaultSpec reads a fault written as on the sandbox command line (see
// FaultSpecHelp), e.g. "503:every=3" or "cut=50%:path=add", into a Fault for
// InjectFault. Errors say which item is wrong (by its place) and why,
// without repeating the spec: the sandbox command's --fault may hold a
// secret typed in the wrong place.
func ParseFaultSpec(spec string) (Fault, error) {
	var f Fault
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return f, fmt.Errorf("empty fault: give at least one item, e.g. 503 or cut=50%% (see --help)")
	}
	items := strings.FieldsFunc(spec, func(r rune) bool { return r == ':' || r == ',' })
	if len(items) == 0 {
		return f, errors.New("the fault has no items (see --help)")
	}
	seen := map[string]bool{}
	for i, raw := range items {
		it := newFaultItem(raw)
		// The item wrong, by its place when the fault has several.
		where := "fault"
		if len(items) > 1 {
			where = fmt.Sprintf("fault, item %d of %d", i+1, len(items))
		}
		set, known := faultItems[it.key]
		if !known {
			return f, fmt.Errorf("%s: unknown item; known: NNN, html, malformed, wrong-hash, cut, stall, delay, retry-after, count, every, path", where)
		}
		if seen[it.key] {
			return f, fmt.Errorf("%s: %s is given twice", where, it.key)
		}
		seen[it.key] = true
		if err := set(&f, it); err != nil {
			return f, fmt.Errorf("%s: %w", where, err)
		}
	}
	if err := checkFault(f, seen["count"]); err != nil {
		return f, err
	}
	if !seen["count"] && f.Every == 0 {
		f.Count = -1 // the command line's default: every matching request
	}
	return f, nil
}

// faultItem is one item of a SPEC: "key=value", "key", or a bare status.
type faultItem struct {
	text, key, val string
	hasVal         bool
}

func newFaultItem(raw string) faultItem {
	it := faultItem{text: strings.TrimSpace(raw)}
	key, val, hasVal := strings.Cut(it.text, "=")
	it.key, it.val, it.hasVal = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val), hasVal
	if isStatus(it.key) && !it.hasVal {
		it.val, it.key, it.hasVal = it.key, "status", true
	}
	return it
}

// faultItems set a Fault's fields from one item, by the item's key.
var faultItems = map[string]func(f *Fault, it faultItem) error{
	"status":      withValue(setStatus),
	"html":        setHTML,
	"malformed":   withoutValue(func(f *Fault) { f.Malformed = true }),
	"wrong-hash":  withoutValue(func(f *Fault) { f.WrongHash = true }),
	"wronghash":   withoutValue(func(f *Fault) { f.WrongHash = true }),
	"wrong_hash":  withoutValue(func(f *Fault) { f.WrongHash = true }),
	"cut":         withValue(setCut),
	"stall":       withValue(duration(func(f *Fault, d time.Duration) { f.Stall = d })),
	"delay":       withValue(duration(func(f *Fault, d time.Duration) { f.Delay = d })),
	"retry-after": withValue(duration(func(f *Fault, d time.Duration) { f.RetryAfter = d })),
	"count":       withValue(setCount),
	"every":       withValue(setEvery),
	"path":        withValue(setPath),
}

// withValue is an item that needs a value, e.g. cut=50%.
func withValue(set func(f *Fault, val string) error) func(*Fault, faultItem) error {
	return func(f *Fault, it faultItem) error {
		if !it.hasVal || it.val == "" {
			return fmt.Errorf("needs a value, e.g. %s=…", it.key)
		}
		return set(f, it.val)
	}
}

// withoutValue is an item that is a flag, e.g. malformed.
func withoutValue(set func(f *Fault)) func(*Fault, faultItem) error {
	return func(f *Fault, it faultItem) error {
		if it.hasVal {
			return errors.New("takes no value")
		}
		set(f)
		return nil
	}
}

// duration is an item whose value is a duration (parseFaultDuration).
func duration(set func(f *Fault, d time.Duration)) func(*Fault, string) error {
	return func(f *Fault, val string) error {
		d, err := parseFaultDuration(val)
		if err != nil {
			return err
		}
		set(f, d)
		return nil
	}
}

func setStatus(f *Fault, val string) error {
	n, err := parseStatus(val)
	if err != nil {
		return err
	}
	if f.Status != 0 {
		return fmt.Errorf("a status is already given (%d)", f.Status)
	}
	f.Status = n
	return nil
}

func setHTML(f *Fault, it faultItem) error {
	f.HTMLError = true
	if !it.hasVal {
		return nil
	}
	n, err := parseStatus(it.val)
	if err != nil {
		return err
	}
	if f.Status != 0 && f.Status != n {
		return fmt.Errorf("conflicts with status %d", f.Status)
	}
	f.Status = n
	return nil
}

func setCut(f *Fault, val string) error {
	if pct, ok := strings.CutSuffix(val, "%"); ok {
		p, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if err != nil || p != p || p <= 0 || p > 100 {
			return errors.New("the percentage must be a number above 0 and at most 100")
		}
		f.CutFraction = p / 100
		return nil
	}
	n, err := strconv.ParseInt(val, 10, 64)
	if err != nil || n <= 0 {
		return errors.New("give a positive number of bytes (cut=65536) or a percentage of the body (cut=50%)")
	}
	f.CutAfter = n
	return nil
}

func setCount(f *Fault, val string) error {
	if strings.EqualFold(val, "all") || val == "-1" {
		f.Count = -1
		return nil
	}
	n, err := strconv.Atoi(val)
	if err != nil || n <= 0 {
		return errors.New("give a positive number of requests, or all")
	}
	f.Count = n
	return nil
}

func setEvery(f *Fault, val string) error {
	n, err := strconv.Atoi(val)
	if err != nil || n <= 0 {
		return errors.New("give a positive number (every=3: the 3rd, 6th, … request)")
	}
	f.Every = n
	return nil
}

func setPath(f *Fault, val string) error {
	switch strings.ToLower(val) {
	case "add":
		f.Path = "/api/v0/add"
	case "token":
		f.Path = "/v1/dev/temp-token"
	default:
		if !strings.HasPrefix(val, "/") {
			return errors.New(`the path must start with "/" (or be add or token)`)
		}
		f.Path = val
	}
	return nil
}

// checkFault checks that the items of f go together: one kind of
// answer, retry-after with an answer that carries it, something that
// happens, count or every.
func checkFault(f Fault, countSet bool) error {
	answers := 0
	for _, set := range []bool{f.CutAfter > 0 || f.CutFraction > 0, f.HTMLError, f.Malformed, f.WrongHash, f.Status != 0 && !f.HTMLError && !f.Malformed} {
		if set {
			answers++
		}
	}
	switch {
	case answers > 1:
		return errors.New("fault: choose one kind of answer (a status, html, malformed, wrong-hash or cut), not several")
	case f.RetryAfter > 0 && f.Status == 0 && !f.HTMLError:
		return errors.New("fault: retry-after goes with a status or html answer, e.g. 503:retry-after=1s")
	case answers == 0 && f.Stall == 0 && f.Delay == 0:
		return errors.New("the fault does nothing: give a status, html, malformed, wrong-hash, cut, stall or delay")
	case countSet && f.Every > 0:
		return errors.New("fault: use count= or every=, not both")
	}
	return nil
}

// isStatus reports whether s is three digits, the short form of status=s.
func isStatus(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseStatus(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 400 || n > 599 {
		return 0, errors.New("the status must be an error status from 400 to 599")
	}
	return n, nil
}

// parseFaultDuration reads a Go duration ("1.5s", "200ms") or plain
// seconds ("30").
func parseFaultDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		secs, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || secs != secs {
			return 0, errors.New("not a duration such as 30s, 200ms or 2m")
		}
		if secs > maxFaultDuration.Seconds() {
			return 0, fmt.Errorf("the duration is longer than %s", maxFaultDuration)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d <= 0 {
		return 0, errors.New("the duration must be positive")
	}
	if d > maxFaultDuration {
		return 0, fmt.Errorf("the duration is longer than %s", maxFaultDuration)
	}
	return d, nil
}
