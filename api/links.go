package api

import (
	"cmp"
	"errors"
	"html"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dstor-uploader/dstor-uploader/internal/cidtext"
	"github.com/dstor-uploader/dstor-uploader/internal/envkey"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"golang.org/x/net/idna"
)

// SandboxKey names the window's built-in Local sandbox wherever accounts,
// secrets and history are filed: its port changes every run, so its URL
// cannot name it.
const SandboxKey = "sandbox"

// Key names the environment in the keyring, the history, the queue and the
// settings, the same way in the window and on the command line: production
// and testnet by name, the Local sandbox by SandboxKey, any other by its
// API base in normal form (envkey.Key), so every spelling of one server
// ("HTTP://127.0.0.1:8787/", "http://127.0.0.1:8787") is one environment
// with one queue.
func (e Environment) Key() string {
	if e.Name == SandboxKey {
		return SandboxKey
	}
	return envkey.Key(e.APIBase)
}

// The link styles a person can choose for copied links (the same strings as
// storage's settings).
const (
	LinkGateway  = "gateway"  // https://<gateway>/ipfs/<cid>?filename=<name>: opens in any browser
	LinkIPFS     = "ipfs"     // ipfs://<cid>: for IPFS-aware tools
	LinkCID      = "cid"      // the bare CID
	LinkMarkdown = "markdown" // [name](gateway link): for chats, issues, READMEs
	LinkHTML     = "html"     // <a href="gateway link">name</a>: for web pages and mail
)

// LinkStyles are the link styles in the order menus offer them.
var LinkStyles = []string{LinkGateway, LinkIPFS, LinkCID, LinkMarkdown, LinkHTML}

// Links makes the shareable links of uploads — the one place the window
// and the command line build them: in the style a person chose, on the
// gateway of the environment each file was uploaded to.
type Links struct {
	// Style is LinkGateway (also for ""), LinkIPFS, LinkCID, LinkMarkdown
	// or LinkHTML.
	Style string
	// Override is a gateway that replaces every environment's: a bare
	// host ("https://ipfs.io") gets the usual /ipfs/ path, a URL with a
	// path is used as the prefix; its query (an access token) and
	// fragment go after the CID, without a filename of its own (each
	// link carries its file's).
	Override string
	// NoFilename leaves ?filename=<name> off gateway links. With it (the
	// IPFS gateway convention) a download gets the file's name instead of
	// its CID.
	NoFilename bool
	// Gateways are the gateways of environments their key alone does not
	// tell: a custom environment signed in to with its own gateway URL,
	// the Local sandbox of this run.
	Gateways map[string]string
}

// Gateway is the gateway for uploads to the environment named envKey
// (Environment.Key): the override, else a known one, else the one the key
// names; "" when none is known (the Local sandbox of another run).
func (l Links) Gateway(envKey string) string {
	if l.Override != "" {
		return l.Override
	}
	if g, ok := l.Gateways[envKey]; ok {
		return g
	}
	if envKey == SandboxKey {
		return ""
	}
	env, err := ParseEnvironment(envKey)
	if err != nil {
		return ""
	}
	return env.GatewayURL
}

// Link is the link of the file name with hash, uploaded to envKey, in the
// chosen style.
func (l Links) Link(envKey, hash, name string) string {
	return l.As(l.Style, envKey, hash, name)
}

// GatewayLink is the web link of hash whatever the style (what "Open in
// browser", the QR code and the live check use); with no gateway known it
// is ipfs://.
func (l Links) GatewayLink(envKey, hash, name string) string {
	return l.As(LinkGateway, envKey, hash, name)
}

// As is the link of the file name with hash, uploaded to envKey, in style
// (one of LinkStyles; unknown means LinkGateway). A gateway link carries
// ?filename=<name> unless NoFilename; with no gateway known it is
// ipfs://. Markdown and HTML wrap the gateway link with the name as its
// text (the CID when there is no name), escaped for that format; in the
// text, a control, formatting (a bidirectional override) or invalid byte
// shows escaped (linkText), so a name cannot draw text it does not
// hold. The gateway link is percent-encoded where it would break as it
// is copied (linkSafe), the same in every style: a space in a gateway
// override is %20 in the gateway link, the Markdown link's target and the
// HTML link's href alike.
func (l Links) As(style, envKey, hash, name string) string {
	switch style {
	case LinkIPFS:
		return "ipfs://" + hash
	case LinkCID:
		return hash
	}
	web := l.webLink(envKey, hash, name)
	text := linkText(name, hash)
	switch style {
	case LinkMarkdown:
		return "[" + markdownText.Replace(text) + "](" + web + ")"
	case LinkHTML:
		return `<a href="` + html.EscapeString(web) + `">` + html.EscapeString(text) + "</a>"
	}
	return web
}

// List is the links of files in style, one per line (what "Copy links"
// and "Copy all links" give): each line as As makes it.
func (l Links) List(style string, files []SharedFile) string {
	var b strings.Builder
	for i, f := range files {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.As(style, f.Env, f.Hash, f.Name))
	}
	return b.String()
}

// SharedFile is what a link is made of: where a file was uploaded
// (Environment.Key), its CID and its name.
type SharedFile struct {
	Env, Hash, Name string
}

// linkText is the text of the link of the file name with hash wherever a
// link shows one (Markdown, HTML, the index page): the name, else the CID,
// with what could draw text it does not hold escaped, and a backslash
// that would read as an escape too (inert.Literal: \x5cu202e is the six
// characters, \u202e U+202E), and quoted when only spaces
// (inert.LiteralName), as the window shows it. The name in the history
// and in ?filename= stays as it is.
func linkText(name, hash string) string {
	return inert.LiteralName(cmp.Or(name, hash))
}

// markdownText escapes what would end or break a Markdown link's text:
// a < that would begin an autolink (<https:elsewhere>, which a link's
// text would link to instead) or an HTML tag, and a backtick that would
// begin a code span, all of which bind tighter than the link around them
// (a code span shows the escapes inside it, and one closed by a backtick
// in the target ends the link); and an & that would begin an entity
// reference, which a reader turns into the character it names
// ("&#x202e;", a bidi control inert.Line escaped); and the marks of
// emphasis and strikethrough (* _ ~), which a reader draws rather than
// shows ("__init__.py" as "init.py" in bold). Line breaks never get here
// (inert.Line).
var markdownText = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, `<`, `\<`, "`", "\\`", `&`, `\&`,
	`*`, `\*`, `_`, `\_`, `~`, `\~`)

// linkSafe is link percent-encoded where it would break as it is copied
// — the one encoder of every link's address, so the gateway link, a
// Markdown link's target and an HTML link's href are the same link: a
// space (a gateway override saved before Settings refused it) or a
// control would end it in a chat, a mail or Markdown, or keep it from
// being a link at all; "(" and ")" would end or unbalance a Markdown
// link, "<", ">" and a quote end it in mail and HTML, a backtick in
// Markdown, a backslash escapes the next character in Markdown; non-ASCII
// holds what a reader cannot see (a bidi control among it). Browsers
// encode most of these themselves, and a gateway decodes them all, so the
// link leads to the same place; a "%" already there stays, so an encoded
// query keeps its meaning.
func linkSafe(link string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(link); i++ {
		c := link[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>\\\"`", c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// asciiHost is gateway (scheme://authority/path, without its query and
// fragment) with a host written in Unicode (an IDN: "bücher.example", or
// percent-encoded) in its ASCII form ("xn--bcher-kva.example"), which
// every browser, chat and command reads; a host that has no ASCII form
// stays as it is (linkSafe percent-encodes it).
func asciiHost(gateway string) string {
	scheme, rest, ok := strings.Cut(gateway, "://")
	if !ok {
		return gateway
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	user, hostPort := "", authority
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		user, hostPort = authority[:i+1], authority[i+1:]
	}
	host, port := hostPort, ""
	if i := strings.LastIndexByte(hostPort, ':'); i >= 0 && !strings.Contains(hostPort, "]") {
		host, port = hostPort[:i], hostPort[i:]
	}
	if !strings.ContainsFunc(host, func(r rune) bool { return r >= utf8.RuneSelf || r == '%' }) {
		return gateway
	}
	unescaped, err := url.PathUnescape(host)
	if err != nil {
		return gateway
	}
	ascii, err := idna.Lookup.ToASCII(unescaped)
	if err != nil {
		return gateway
	}
	return scheme + "://" + user + ascii + port + path
}

// webLink is the gateway link of hash, with ?filename= unless NoFilename,
// or ipfs:// when no gateway is known; safe to copy as it is (linkSafe).
func (l Links) webLink(envKey, hash, name string) string {
	gateway := l.Gateway(envKey)
	if gateway == "" {
		return linkSafe("ipfs://" + hash)
	}
	// A query (a gateway's access token) and a fragment go after the
	// CID, not before it; a filename in it is the file's own, added
	// below (overrideQuery).
	g, fragment, _ := strings.Cut(gateway, "#")
	g, query, _ := strings.Cut(g, "?")
	query = overrideQuery(query)
	g = asciiHost(strings.TrimRight(g, "/"))
	if u, err := url.Parse(g); err == nil && u.Path == "" {
		g += "/ipfs"
	}
	link := g + "/" + url.PathEscape(hash)
	if name != "" && !l.NoFilename {
		// %20, not +, for spaces: some tools that read the link treat +
		// literally.
		filename := "filename=" + strings.ReplaceAll(url.QueryEscape(name), "+", "%20")
		query = strings.Trim(query+"&"+filename, "&")
	}
	if query != "" {
		link += "?" + query
	}
	if fragment != "" {
		link += "#" + fragment
	}
	return linkSafe(link)
}

// overrideQuery is a gateway's query as every link carries it: its
// parameters as written, in order, without empty ones ("?token=t&") and
// without a filename (however its name is encoded), which would make two
// in every link or give every file the same name: each link carries its
// own file's name, or none (Links.NoFilename).
func overrideQuery(query string) string {
	var kept []string
	for _, p := range strings.Split(query, "&") {
		key, _, _ := strings.Cut(p, "=")
		if k, err := url.QueryUnescape(key); p == "" || (err == nil && k == "filename") || key == "filename" {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "&")
}

// What CheckOverride finds wrong with a gateway override, so the window
// can say it in the person's language; each says what to do.
var (
	ErrOverrideNotAddress = errors.New("write the gateway as a full address, like https://ipfs.io")
	ErrOverrideSpace      = errors.New("the gateway address has a space in it: remove it, or write it as %20 if the address really holds one")
	ErrOverrideInvisible  = errors.New("the gateway address holds a tab, a line break or another invisible character: type the address again without it")
	ErrOverrideFileLink   = errors.New("this is the link of a file, not a gateway: write the gateway alone, like https://ipfs.io")
	ErrOverrideUserinfo   = errors.New("the gateway address holds a user name or password (before the @), which every shared link would carry: take it out, and the @")
)

// CheckOverride is text as a gateway override (Links.Override), checked
// as Settings saves it: spaces and line breaks around it (a paste) are
// trimmed, and "" is no override. A space inside it, a control (tab,
// line break) or anything else that does not draw what it is where it
// stands, as inert decides it (inert.Hides: a zero-width space, a bidi
// control, a Hangul filler, a braille blank) is most likely a typo or a
// bad paste, and would make a link that ends early, leads elsewhere or
// draws like another address: refused (ErrOverrideSpace,
// ErrOverrideInvisible) rather than guessed at; a space meant to be there
// is written %20, which stays. Anything but an absolute http(s) address
// is ErrOverrideNotAddress. A user name or password before the host
// ("https://me:secret@gw.example") is ErrOverrideUserinfo: every link
// shared, its QR code and an index page would carry it to whoever gets
// them, and "https://ipfs.io@evil.example" reads as a host it does not
// lead to (a gateway's access token goes in the query). A host in Unicode
// (an IDN) is an address and stays as typed: links write it in its ASCII
// form. A file's link pasted in its place (".../ipfs/<cid>?filename=…",
// copied from a browser) is ErrOverrideFileLink: every link would lead
// under that file, to nothing.
func CheckOverride(text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", nil
	}
	if !utf8.ValidString(text) {
		return "", ErrOverrideInvisible
	}
	for _, r := range text {
		switch {
		case unicode.IsControl(r):
			return "", ErrOverrideInvisible
		case unicode.IsSpace(r):
			return "", ErrOverrideSpace
		}
	}
	if inert.Hides(text) {
		return "", ErrOverrideInvisible
	}
	u, err := url.Parse(text)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", ErrOverrideNotAddress
	}
	if u.User != nil {
		return "", ErrOverrideUserinfo
	}
	if cidtext.InLink(text) != "" {
		return "", ErrOverrideFileLink
	}
	return text, nil
}
