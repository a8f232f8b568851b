package api

import (
	"bytes"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dstor-uploader/dstor-uploader/internal/cidtext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
	nethtml "golang.org/x/net/html"
)

func TestEnvironmentKey(t *testing.T) {
	custom, err := CustomEnvironment("http://127.0.0.1:8787/")
	require.NoError(t, err)
	sandbox := custom
	sandbox.Name = SandboxKey
	assert.Equal(t, "production", Production.Key())
	assert.Equal(t, "testnet", Testnet.Key())
	assert.Equal(t, "http://127.0.0.1:8787", custom.Key())
	assert.Equal(t, SandboxKey, sandbox.Key())
	for _, env := range []Environment{Production, Testnet, custom} {
		back, err := ParseEnvironment(env.Key())
		require.NoError(t, err)
		assert.Equal(t, env.APIBase, back.APIBase, "a key parses back to its environment")
	}
}

// Every spelling of one server is one environment, keyed the same: with
// two keys it had two queues, and two runs uploaded the same files twice.
func TestEnvironmentKeyIsOneForEverySpelling(t *testing.T) {
	for _, c := range []struct {
		want      string
		spellings []string
	}{
		{"http://127.0.0.1:8787", []string{"http://127.0.0.1:8787", "HTTP://127.0.0.1:8787",
			"http://127.0.0.1:8787/", "Http://127.0.0.1:8787//", " http://127.0.0.1:8787 "}},
		{"http://localhost", []string{"http://localhost", "http://LOCALHOST", "http://localhost:80", "HTTP://LocalHost:80/"}},
		{"http://localhost:443", []string{"http://localhost:443", "http://localhost:443/"}},
		{"http://[::1]:8787", []string{"http://[::1]:8787", "http://[::1]:8787/"}},
		{"https://dstor.example.com", []string{"https://dstor.example.com", "https://DStor.Example.com",
			"HTTPS://dstor.example.com:443", "https://dstor.example.com:443/"}},
		{"https://dstor.example.com:8443/Base", []string{"https://dstor.example.com:8443/Base", "https://Dstor.example.com:8443/Base/"}},
		{"production", []string{"production", "https://api.dstor.cloud", "HTTPS://API.dstor.cloud:443/"}},
		{"testnet", []string{"testnet", "https://api.testnet.dstor.cloud/", "https://api.TESTNET.dstor.cloud:443"}},
	} {
		for _, s := range c.spellings {
			env, err := ParseEnvironment(s)
			require.NoError(t, err, "%q", s)
			assert.Equal(t, c.want, env.Key(), "the key of %q", s)
			assert.Equal(t, c.want, Environment{APIBase: s}.Key(), "the key of an environment made with APIBase %q", s)
			if c.want != "production" && c.want != "testnet" {
				assert.Equal(t, c.want, env.APIBase, "the API base of %q", s)
				assert.Equal(t, c.want+"/ipfs/", env.GatewayURL, "the gateway of %q", s)
			}
		}
	}
	assert.Equal(t, "https://dstor.example.com/base", Environment{APIBase: "https://dstor.example.com/base"}.Key(),
		"a path is the server's to tell apart by case: it stays as written")
	assert.NotEqual(t, Environment{APIBase: "https://dstor.example.com/base"}.Key(), Environment{APIBase: "https://dstor.example.com/Base"}.Key())
}

func TestLinksAs(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	prod := "https://api.dstor.cloud/ipfs/" + cid
	tests := []struct {
		name        string
		links       Links
		style, file string
		want        string
	}{
		{"gateway with the name", Links{}, LinkGateway, "a.txt", prod + "?filename=a.txt"},
		{"empty style is gateway", Links{}, "", "a.txt", prod + "?filename=a.txt"},
		{"unknown style is gateway", Links{}, "qr", "a.txt", prod + "?filename=a.txt"},
		{"no name, no filename", Links{}, LinkGateway, "", prod},
		{"filename turned off", Links{NoFilename: true}, LinkGateway, "a.txt", prod},
		{"spaces and symbols escaped", Links{}, LinkGateway, "my report & co+1 (v2)#.pdf",
			prod + "?filename=my%20report%20%26%20co%2B1%20%28v2%29%23.pdf"},
		{"unicode escaped", Links{}, LinkGateway, "café.txt", prod + "?filename=caf%C3%A9.txt"},
		{"bare host override gets /ipfs", Links{Override: "https://ipfs.io/"}, LinkGateway, "", "https://ipfs.io/ipfs/" + cid},
		{"override with a path is the prefix", Links{Override: "https://gw.example/content"}, LinkGateway, "",
			"https://gw.example/content/" + cid},
		// A gateway that wants a query (an access token) keeps it after
		// the CID, with the filename beside it.
		{"override with a query keeps it after the CID", Links{Override: "https://gw.example/ipfs?token=a%2Fb"}, LinkGateway, "a.txt",
			"https://gw.example/ipfs/" + cid + "?token=a%2Fb&filename=a.txt"},
		{"bare host override with a query", Links{Override: "https://gw.example/?token=t"}, LinkGateway, "",
			"https://gw.example/ipfs/" + cid + "?token=t"},
		{"override with a fragment", Links{Override: "https://gw.example#top"}, LinkGateway, "a.txt",
			"https://gw.example/ipfs/" + cid + "?filename=a.txt#top"},
		// An override that carries a filename of its own (one ending in
		// "?filename=", or a token beside one) gave every link two: the
		// file's name is the one each link carries, once; the override's
		// other parameters stay as written.
		{"override ending in ?filename=", Links{Override: "https://gw.example/ipfs?filename="}, LinkGateway, "a.txt",
			"https://gw.example/ipfs/" + cid + "?filename=a.txt"},
		{"override with a token and a filename", Links{Override: "https://gw.example/ipfs?token=t&filename=x.jpg&b=c"}, LinkGateway, "a.txt",
			"https://gw.example/ipfs/" + cid + "?token=t&b=c&filename=a.txt"},
		{"override with an encoded filename key", Links{Override: "https://gw.example/ipfs?file%6Eame=x&token=t"}, LinkGateway, "a.txt",
			"https://gw.example/ipfs/" + cid + "?token=t&filename=a.txt"},
		{"override's filename dropped with no name", Links{Override: "https://gw.example/ipfs?filename=x.jpg&token=t"}, LinkGateway, "",
			"https://gw.example/ipfs/" + cid + "?token=t"},
		{"override's filename dropped with filenames off", Links{Override: "https://gw.example/ipfs?token=t&filename", NoFilename: true}, LinkGateway, "a.txt",
			"https://gw.example/ipfs/" + cid + "?token=t"},
		{"override ending in ? or &", Links{Override: "https://gw.example/ipfs?token=t&"}, LinkGateway, "a.txt",
			"https://gw.example/ipfs/" + cid + "?token=t&filename=a.txt"},
		{"override with an empty query and fragment", Links{Override: "https://gw.example/ipfs?#"}, LinkGateway, "a.txt",
			"https://gw.example/ipfs/" + cid + "?filename=a.txt"},
		{"a filename-like key stays", Links{Override: "https://gw.example/ipfs?filenames=1&xfilename=2"}, LinkGateway, "a.txt",
			"https://gw.example/ipfs/" + cid + "?filenames=1&xfilename=2&filename=a.txt"},
		{"ipfs", Links{}, LinkIPFS, "a.txt", "ipfs://" + cid},
		{"cid", Links{}, LinkCID, "a.txt", cid},
		{"markdown", Links{}, LinkMarkdown, "a.txt", "[a.txt](" + prod + "?filename=a.txt)"},
		{"markdown escapes brackets", Links{NoFilename: true}, LinkMarkdown, `[draft] x\y`, `[\[draft\] x\\y](` + prod + ")"},
		{"markdown without a name shows the CID", Links{}, LinkMarkdown, "", "[" + cid + "](" + prod + ")"},
		// An autolink or an HTML tag in the text binds tighter than the
		// link: the text would link elsewhere, or run as HTML.
		{"markdown escapes an autolink", Links{NoFilename: true}, LinkMarkdown, "<https:evil.example>",
			`[\<https:evil.example>](` + prod + ")"},
		{"markdown escapes an HTML tag", Links{NoFilename: true}, LinkMarkdown, "<img src=x onerror=alert(1)>.png",
			`[\<img src=x onerror=alert(1)>.png](` + prod + ")"},
		{"html", Links{}, LinkHTML, "a.txt", `<a href="` + prod + `?filename=a.txt">a.txt</a>`},
		{"html escapes", Links{NoFilename: true}, LinkHTML, `<b>"x"&y</b>`,
			`<a href="` + prod + `">&lt;b&gt;&#34;x&#34;&amp;y&lt;/b&gt;</a>`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.links.As(tt.style, "production", cid, tt.file), tt.name)
	}
	// Without a gateway (the Local sandbox of another run) every web form
	// falls back to ipfs://.
	assert.Equal(t, "ipfs://"+cid, Links{}.As(LinkGateway, SandboxKey, cid, "a.txt"))
	assert.Equal(t, "[a.txt](ipfs://"+cid+")", Links{}.As(LinkMarkdown, SandboxKey, cid, "a.txt"))
	assert.Equal(t, cid, Links{}.As(LinkCID, SandboxKey, cid, "a.txt"))
	assert.Equal(t, "https://api.dstor.cloud/ipfs/a%2Fb", Links{}.As(LinkGateway, "production", "a/b", ""),
		"a hash never adds path segments")
}

// bidiControls are the characters that reorder the text around them
// (Unicode's Bidi_Control): embeddings, overrides, isolates and marks.
var bidiControls = []rune{0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c}

// readMarkdownLink reads md as a CommonMark reader (goldmark, the parser
// Fyne's rich text uses) does: the destination and the text a reader sees
// of its one link; ok is false when md is not exactly one link.
func readMarkdownLink(t *testing.T, md string) (dest, shown string, ok bool) {
	t.Helper()
	src := []byte(md)
	var links []*ast.Link
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))
	require.NoError(t, ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, isLink := n.(*ast.Link); isLink && entering {
			links = append(links, l)
		}
		return ast.WalkContinue, nil
	}))
	var out bytes.Buffer
	require.NoError(t, goldmark.Convert(src, &out))
	m := regexp.MustCompile(`^<p><a href="[^"]*">(.*)</a></p>\n$`).FindStringSubmatch(out.String())
	if len(links) != 1 || m == nil {
		return "", out.String(), false
	}
	return string(links[0].Destination), html.UnescapeString(m[1]), true
}

// TestLinkTextShowsBidiControls: a name holding a bidirectional control
// ("invoice\u202efdp.exe", which a reader would see as "invoiceexe.pdf")
// is the text of a Markdown or HTML link, and of an index page's entry,
// with the control escaped where it stands, never as it is; the download
// keeps the name (percent-encoded in ?filename=), and names written with
// zero-width joiners stay as they are.
func TestLinkTextShowsBidiControls(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	prod := "https://api.dstor.cloud/ipfs/" + cid
	type test struct{ name, file, shown string }
	var tests []test
	for _, r := range bidiControls {
		tests = append(tests, test{fmt.Sprintf("U+%04X", r), "invoice" + string(r) + "fdp.exe", fmt.Sprintf(`invoice\u%04xfdp.exe`, r)})
	}
	tests = append(tests,
		test{"ZWJ emoji kept", "👩\u200d💻 notes.md", "👩\u200d💻 notes.md"},
		test{"ZWNJ kept", "می\u200cخواهم.txt", "می\u200cخواهم.txt"},
		test{"a control escaped", "two\nlines\x1b[2J.txt", `two\nlines\x1b[2J.txt`})
	for _, tt := range tests {
		l := Links{}
		md := l.As(LinkMarkdown, "production", cid, tt.file)
		dest, shown, ok := readMarkdownLink(t, md)
		if assert.True(t, ok, "%s: %q is one Markdown link (read as %q)", tt.name, md, shown) {
			assert.Equal(t, tt.shown, shown, "%s: Markdown text", tt.name)
			assert.Equal(t, l.GatewayLink("production", cid, tt.file), dest, "%s: Markdown target", tt.name)
		}
		assert.Equal(t, `<a href="`+html.EscapeString(l.GatewayLink("production", cid, tt.file))+`">`+html.EscapeString(tt.shown)+"</a>",
			l.As(LinkHTML, "production", cid, tt.file), tt.name)
		assert.Equal(t, prod+"?filename="+strings.ReplaceAll(url.QueryEscape(tt.file), "+", "%20"), l.GatewayLink("production", cid, tt.file),
			"%s: the download keeps the name", tt.name)
		page, err := l.IndexPage(tt.file, []SharedFile{{"production", cid, tt.file}})
		require.NoError(t, err)
		assert.Contains(t, string(page), ">"+html.EscapeString(tt.shown)+"</a>", tt.name)
		for _, r := range bidiControls {
			for _, style := range LinkStyles {
				assert.NotContains(t, l.As(style, "production", cid, tt.file), string(r), "%s: %s link", tt.name, style)
			}
			assert.NotContains(t, l.List(LinkMarkdown, []SharedFile{{"production", cid, tt.file}}), string(r), tt.name)
			assert.NotContains(t, string(page), string(r), "%s: index page", tt.name)
		}
	}
}

// TestMarkdownLinkTargetSurvivesTheOverride: a gateway override holding
// what ends or breaks a Markdown link's target (a space, a parenthesis,
// < >, a backslash) or text a reader cannot see (a bidi control) still
// makes one Markdown link, to the same gateway link, percent-encoded; the
// CID is found in it again.
func TestMarkdownLinkTargetSurvivesTheOverride(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	tests := []struct{ name, override, dest string }{
		{"plain", "https://ipfs.io", "https://ipfs.io/ipfs/" + cid + "?filename=a.txt"},
		{"a space in the path", "https://gw.example/my gateway", "https://gw.example/my%20gateway/" + cid + "?filename=a.txt"},
		{"a ) in the query", "https://gw.example/ipfs?token=a)b", "https://gw.example/ipfs/" + cid + "?token=a%29b&filename=a.txt"},
		{"parentheses in the path", "https://gw.example/(v2)/ipfs", "https://gw.example/%28v2%29/ipfs/" + cid + "?filename=a.txt"},
		{"an unbalanced (", "https://gw.example/ipfs?token=a(b", "https://gw.example/ipfs/" + cid + "?token=a%28b&filename=a.txt"},
		{"angle brackets", "https://gw.example/<x>/ipfs", "https://gw.example/%3Cx%3E/ipfs/" + cid + "?filename=a.txt"},
		{"a backslash", `https://gw.example/a\b/ipfs`, "https://gw.example/a%5Cb/ipfs/" + cid + "?filename=a.txt"},
		{"a space in the fragment", "https://gw.example#top of page", "https://gw.example/ipfs/" + cid + "?filename=a.txt#top%20of%20page"},
		{"a bidi control", "https://gw.example/\u202eipfs", "https://gw.example/%E2%80%AEipfs/" + cid + "?filename=a.txt"},
		{"percent-encoding kept", "https://gw.example/ipfs?token=a%2Fb%20c", "https://gw.example/ipfs/" + cid + "?token=a%2Fb%20c&filename=a.txt"},
	}
	for _, tt := range tests {
		l := Links{Override: tt.override}
		md := l.As(LinkMarkdown, "production", cid, "a.txt")
		dest, shown, ok := readMarkdownLink(t, md)
		if assert.True(t, ok, "%s: %q is one Markdown link (read as %q)", tt.name, md, shown) {
			assert.Equal(t, tt.dest, dest, tt.name)
			assert.Equal(t, "a.txt", shown, tt.name)
		}
		assert.Equal(t, "[a.txt]("+tt.dest+")", md, tt.name)
		assert.Equal(t, cid, cidtext.InLink(md), "%s: %q", tt.name, md)
	}
}

// TestMarkdownLinkTextShowsTheNameAsItIs: a name holding an entity
// reference ("invoice&#x202e;fdp.exe", which a Markdown reader would turn
// back into the bidi control that draws "invoiceexe.pdf") or backticks (a
// code span, which binds tighter than the link: the escapes inside it
// show, and a backtick in the override ended the link) is the text of one
// Markdown link to the same target, shown as the name is.
func TestMarkdownLinkTextShowsTheNameAsItIs(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	for _, name := range []string{"invoice&#x202e;fdp.exe", "invoice&#8238;fdp.exe", "a&amp;b.txt", "`x`.txt", "a`[1]`b.txt", "a`b.txt"} {
		for _, override := range []string{"", "https://gw.example/a`b"} {
			l := Links{Override: override}
			md := l.As(LinkMarkdown, "production", cid, name)
			dest, shown, ok := readMarkdownLink(t, md)
			if assert.True(t, ok, "%q is one Markdown link (read as %q)", md, shown) {
				assert.Equal(t, name, shown, md)
				assert.Equal(t, l.GatewayLink("production", cid, name), dest, md)
			}
		}
	}
}

// TestMarkdownLinkTextKeepsEmphasisMarks: a name holding the marks of
// emphasis or strikethrough ("__init__.py", "a*b*c.txt", "~~draft~~.md")
// was the text of a Markdown link that a reader shows as "init.py" in
// bold, "abc.txt" with b in italics, "draft.md" struck through (GitHub's
// Markdown): the name lost characters it holds. Each mark is escaped, so
// CommonMark and GitHub's Markdown alike show the name as it is, in a link
// to the same target.
func TestMarkdownLinkTextKeepsEmphasisMarks(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	gfm := goldmark.New(goldmark.WithExtensions(extension.GFM))
	shownLink := regexp.MustCompile(`^<p><a href="([^"]*)">(.*)</a></p>\n$`)
	for _, name := range []string{"__init__.py", "a*b*c.txt", "_x_.txt", "**bold**.md", "*", "_", "a_b_.txt",
		"~~draft~~.md", "a~b~c.txt", "~$report.docx", "\\*x*.txt", "x**.txt"} {
		l := Links{}
		md := l.As(LinkMarkdown, "production", cid, name)
		dest, shown, ok := readMarkdownLink(t, md)
		if assert.True(t, ok, "%q is one Markdown link (read as %q)", md, shown) {
			assert.Equal(t, name, shown, "CommonMark: %s", md)
			assert.Equal(t, l.GatewayLink("production", cid, name), dest, md)
		}
		var out bytes.Buffer
		require.NoError(t, gfm.Convert([]byte(md), &out))
		if m := shownLink.FindStringSubmatch(out.String()); assert.NotNil(t, m, "GitHub's Markdown: %q is one link: %s", md, out.String()) {
			assert.Equal(t, name, html.UnescapeString(m[2]), "GitHub's Markdown: %s", md)
			assert.Equal(t, l.GatewayLink("production", cid, name), html.UnescapeString(m[1]), md)
		}
	}
}

// TestOverrideLinksAreOneInEveryStyle: a gateway override saved before
// Settings refused spaces (an old settings file: "https://gw.example/my
// gateway", a tab, a no-break space) or one holding what ends a link in
// a chat, a mail or a page (a quote, a backtick, "<>", a Unicode host)
// makes, in every style, the same link with no raw space, control or
// non-ASCII byte in it: the gateway link as copied is the Markdown
// link's target and the HTML link's href, and a reader finds one link in
// it. A Unicode host (an IDN) is written in its ASCII form, which every
// tool reads.
func TestOverrideLinksAreOneInEveryStyle(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	tests := []struct{ name, override, link string }{
		{"plain", "https://ipfs.io", "https://ipfs.io/ipfs/" + cid + "?filename=a.txt"},
		{"a space in the path", "https://gw.example/my gateway", "https://gw.example/my%20gateway/" + cid + "?filename=a.txt"},
		{"a space in the query", "https://gw.example/ipfs?token=a b", "https://gw.example/ipfs/" + cid + "?token=a%20b&filename=a.txt"},
		{"a space in the fragment", "https://gw.example#top of page", "https://gw.example/ipfs/" + cid + "?filename=a.txt#top%20of%20page"},
		{"a tab", "https://gw.example/my\tgateway", "https://gw.example/my%09gateway/" + cid + "?filename=a.txt"},
		{"a line break", "https://gw.example/my\ngateway", "https://gw.example/my%0Agateway/" + cid + "?filename=a.txt"},
		{"a no-break space", "https://gw.example/my\u00a0gateway", "https://gw.example/my%C2%A0gateway/" + cid + "?filename=a.txt"},
		{"DEL", "https://gw.example/a\x7fb", "https://gw.example/a%7Fb/" + cid + "?filename=a.txt"},
		{"a quote", `https://gw.example/"x"/ipfs`, "https://gw.example/%22x%22/ipfs/" + cid + "?filename=a.txt"},
		{"a backtick", "https://gw.example/`x`/ipfs", "https://gw.example/%60x%60/ipfs/" + cid + "?filename=a.txt"},
		{"angle brackets", "https://gw.example/<x>/ipfs", "https://gw.example/%3Cx%3E/ipfs/" + cid + "?filename=a.txt"},
		{"a ) in the query", "https://gw.example/ipfs?token=a)b", "https://gw.example/ipfs/" + cid + "?token=a%29b&filename=a.txt"},
		{"percent-encoding kept", "https://gw.example/my%20gateway?token=a%2Fb", "https://gw.example/my%20gateway/" + cid + "?token=a%2Fb&filename=a.txt"},
		{"a Unicode host", "https://b\u00fccher.example", "https://xn--bcher-kva.example/ipfs/" + cid + "?filename=a.txt"},
		{"a Unicode host with a port, a user and a path", "https://u@b\u00fccher.example:8080/gw/\u00fc",
			"https://u@xn--bcher-kva.example:8080/gw/%C3%BC/" + cid + "?filename=a.txt"},
		{"a percent-encoded Unicode host", "https://b%C3%BCcher.example", "https://xn--bcher-kva.example/ipfs/" + cid + "?filename=a.txt"},
	}
	for _, tt := range tests {
		l := Links{Override: tt.override}
		plain := l.As(LinkGateway, "production", cid, "a.txt")
		assert.Equal(t, tt.link, plain, tt.name)
		assert.Equal(t, plain, l.GatewayLink("production", cid, "a.txt"), tt.name)
		for i := 0; i < len(plain); i++ {
			if c := plain[i]; c <= ' ' || c >= 0x7f {
				t.Errorf("%s: %q holds %q", tt.name, plain, c)
				break
			}
		}
		assert.Equal(t, `<a href="`+html.EscapeString(plain)+`">a.txt</a>`, l.As(LinkHTML, "production", cid, "a.txt"), tt.name)
		md := l.As(LinkMarkdown, "production", cid, "a.txt")
		assert.Equal(t, "[a.txt]("+plain+")", md, tt.name)
		// Two links in one paragraph, as "Copy links" gives them: a
		// backtick in the first would start a code span that ends in the
		// second.
		two := md + "\n" + md
		dests, _ := readMarkdownLinks(t, two)
		assert.Equal(t, []string{plain, plain}, dests, "%s: %q", tt.name, two)
		assert.Equal(t, cid, cidtext.InLink(plain), tt.name)
		assert.Equal(t, cid, cidtext.InLink(md), tt.name)
	}
}

// readMarkdownLinks is the destinations of the links CommonMark
// (goldmark) finds in md, and md as HTML.
func readMarkdownLinks(t *testing.T, md string) (dests []string, asHTML string) {
	t.Helper()
	src := []byte(md)
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))
	require.NoError(t, ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, isLink := n.(*ast.Link); isLink && entering {
			dests = append(dests, string(l.Destination))
		}
		return ast.WalkContinue, nil
	}))
	var out bytes.Buffer
	require.NoError(t, goldmark.Convert(src, &out))
	return dests, out.String()
}

// TestCheckOverride: Settings' check of a gateway override. Spaces
// around it (a paste) are trimmed; a space or an invisible character
// inside is most likely a typo, refused with what to do; "%20" already
// encoded is the person's own and stays; a Unicode host (an IDN) is a
// real address and stays as typed (links write its ASCII form). A user
// name or password before the host was taken, and every link shared,
// QR code and index page carried it to whoever got them (and
// "https://ipfs.io@evil.example" reads as ipfs.io): refused with what to
// do; an @ after the host (a path, a token) is no such thing and stays.
// A file's link pasted from a browser (".../ipfs/<cid>?filename=…") was
// taken as the gateway, and every link after it led under that file, to
// nothing: refused with what to do.
func TestCheckOverride(t *testing.T) {
	tests := []struct {
		name, text, want string
		err              error
	}{
		{"empty: the environment's gateway", "", "", nil},
		{"only spaces: the environment's gateway", "  \t ", "", nil},
		{"plain", "https://ipfs.io", "https://ipfs.io", nil},
		{"spaces around trimmed", "  https://ipfs.io  ", "https://ipfs.io", nil},
		{"a pasted line break trimmed", "https://ipfs.io\n", "https://ipfs.io", nil},
		{"a tab before trimmed", "\thttps://ipfs.io", "https://ipfs.io", nil},
		{"%20 already encoded", "https://gw.example/my%20gateway", "https://gw.example/my%20gateway", nil},
		{"a query and fragment", "https://gw.example/ipfs?token=a%2Fb#x", "https://gw.example/ipfs?token=a%2Fb#x", nil},
		{"a Unicode host", "https://b\u00fccher.example", "https://b\u00fccher.example", nil},
		{"an inner space", "https://gw.example/my gateway", "", ErrOverrideSpace},
		{"a space in the host", "https://my gw", "", ErrOverrideSpace},
		{"a space in the query", "https://gw.example/ipfs?token=a b", "", ErrOverrideSpace},
		{"a no-break space", "https://gw.example/my\u00a0gateway", "", ErrOverrideSpace},
		{"an inner tab", "https://gw.example/my\tgateway", "", ErrOverrideInvisible},
		{"an inner line break", "https://gw.example/\nipfs", "", ErrOverrideInvisible},
		{"a carriage return", "https://gw.example/\ripfs", "", ErrOverrideInvisible},
		{"DEL", "https://gw.example/a\x7fb", "", ErrOverrideInvisible},
		{"a C1 control", "https://gw.example/a\u0085b", "", ErrOverrideInvisible},
		{"a zero-width space", "https://gw.example/a\u200bb", "", ErrOverrideInvisible},
		{"a bidi control", "https://gw.example/\u202eipfs", "", ErrOverrideInvisible},
		{"not UTF-8", "https://gw.example/a\xffb", "", ErrOverrideInvisible},
		{"no scheme", "ipfs.io", "", ErrOverrideNotAddress},
		{"another scheme", "ftp://ipfs.io", "", ErrOverrideNotAddress},
		{"no host", "https://", "", ErrOverrideNotAddress},
		{"a bad escape", "https://gw.example/%zz", "", ErrOverrideNotAddress},
		{"a port", "https://gw.example:8443", "https://gw.example:8443", nil},
		{"an IPv6 literal with a port", "http://[2001:db8::1]:8080/gw", "http://[2001:db8::1]:8080/gw", nil},
		{"an @ in the path, query and fragment", "https://gw.example/a@b?t=c@d#e@f", "https://gw.example/a@b?t=c@d#e@f", nil},
		{"a user and password", "https://me:secret@gw.example", "", ErrOverrideUserinfo},
		{"a user that looks like a host", "https://ipfs.io@evil.example", "", ErrOverrideUserinfo},
		{"an encoded password", "https://me:p%40ss@gw.example/ipfs", "", ErrOverrideUserinfo},
		{"an empty user", "https://@gw.example", "", ErrOverrideUserinfo},
		{"a gateway with a path", "https://gw.example/content/ipfs", "https://gw.example/content/ipfs", nil},
		{"a file's link pasted", "https://ipfs.io/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o?filename=a.jpg", "", ErrOverrideFileLink},
		{"a file's CIDv1 link", "https://dweb.link/ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/", "", ErrOverrideFileLink},
		{"a file's link on a gateway with a path", "https://gw.example/content/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", "", ErrOverrideFileLink},
		{"a file's subdomain gateway link", "https://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi.ipfs.dweb.link/", "", ErrOverrideFileLink},
		{"a gateway named ipfs", "https://ipfs.example.com", "https://ipfs.example.com", nil},
	}
	for _, tt := range tests {
		got, err := CheckOverride(tt.text)
		if tt.err == nil {
			assert.NoError(t, err, tt.name)
		} else {
			assert.ErrorIs(t, err, tt.err, tt.name)
		}
		assert.Equal(t, tt.want, got, tt.name)
	}
}

// TestCheckOverrideRefusesWhatDrawsNothing: CheckOverride refused
// controls and formatting characters, but took the characters inert
// escapes because a font draws nothing for them (the Hangul fillers, the
// grapheme joiner, a lone combining mark, a joiner that joins nothing) and
// U+2800, which draws as a blank: "https://dstor\u3164.example/" was
// saved, and every link shared drew like another address. What inert
// shows escaped, or blank, is refused as an invisible character; an IDN
// host, its punycode form and the marks of a real name stay.
func TestCheckOverrideRefusesWhatDrawsNothing(t *testing.T) {
	tests := []struct {
		name, text string
		err        error
	}{
		{"a Hangul filler in the host", "https://dstor\u3164.example/", ErrOverrideInvisible},
		{"a halfwidth Hangul filler", "https://dstor\uffa0.example/", ErrOverrideInvisible},
		{"a choseong filler", "https://dstor\u115f.example/", ErrOverrideInvisible},
		{"a jungseong filler", "https://dstor\u1160.example/", ErrOverrideInvisible},
		{"a grapheme joiner", "https://dstor\u034f.example/", ErrOverrideInvisible},
		{"Khmer inherent vowels", "https://gw.example/\u17b4\u17b5", ErrOverrideInvisible},
		{"a joiner between ASCII", "https://dstor\u200d.example/", ErrOverrideInvisible},
		{"a braille blank", "https://dstor\u2800.example/", ErrOverrideInvisible},
		{"a tag character", "https://gw.example/\U000e0041", ErrOverrideInvisible},
		{"an emoji selector in the host", "https://dstor\ufe0f.example/", ErrOverrideInvisible},
		{"a text selector in the host", "https://dstor\ufe0e.example/", ErrOverrideInvisible},
		{"an ideographic selector in the path", "https://gw.example/ipfs\U000e0100", ErrOverrideInvisible},
		{"a Mongolian selector after a slash", "https://gw.example/\u180b", ErrOverrideInvisible},
		{"an emoji with its selector in the path stays", "https://gw.example/\u2764\ufe0f", nil},
		{"an IDN host stays", "https://b\u00fccher.example", nil},
		{"a decomposed IDN host stays", "https://bu\u0308cher.example", nil},
		{"a punycode host stays", "https://xn--bcher-kva.example", nil},
		{"a Korean host stays", "https://\ud55c\uae00.example/ipfs", nil},
		{"Persian with its non-joiner stays", "https://gw.example/\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", nil},
	}
	for _, tt := range tests {
		got, err := CheckOverride(tt.text)
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err, tt.name)
			assert.Empty(t, got, tt.name)
			continue
		}
		assert.NoError(t, err, tt.name)
		assert.Equal(t, tt.text, got, tt.name)
	}
}

func TestLinksList(t *testing.T) {
	files := []SharedFile{{"production", "QmA", "a.txt"}, {"testnet", "QmB", "b c.txt"}}
	l := Links{}
	assert.Equal(t, "https://api.dstor.cloud/ipfs/QmA?filename=a.txt\nhttps://api.testnet.dstor.cloud/ipfs/QmB?filename=b%20c.txt",
		l.List(LinkGateway, files))
	assert.Equal(t, "QmA\nQmB", l.List(LinkCID, files))
	assert.Equal(t, "[a.txt](https://api.dstor.cloud/ipfs/QmA?filename=a.txt)\n[b c.txt](https://api.testnet.dstor.cloud/ipfs/QmB?filename=b%20c.txt)",
		l.List(LinkMarkdown, files))
	assert.Empty(t, l.List(LinkGateway, nil))
}

// TestListIsOneWholeLinkPerLine: Copy links of many rows (a selection,
// a folder's Copy all links) gives one line per file in every style, each
// the link As makes, whatever the names hold: a line break, a carriage
// return, a Unicode line or paragraph separator, NEL, a bidi control, "]("
// or a backtick that would join or end links; a reader finds each link
// with its CID, and a Markdown reader one link per file. Held before this
// test; the many-rows case was tested only with plain names.
func TestListIsOneWholeLinkPerLine(t *testing.T) {
	names := []string{"a\nFAKE](https://evil.example)", "b\r\nc.txt", "d\u2028e\u2029f.txt", "g\u0085h.txt",
		"invoice\u202efdp.exe", "`x](y)`.txt", "<a href=x>i</a>", "plain.txt", "", "__init__.py"}
	cids := []string{"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"}
	var files []SharedFile
	for i, name := range names {
		files = append(files, SharedFile{Env: []string{"production", "testnet", SandboxKey}[i%3], Hash: cids[i%2], Name: name})
	}
	for _, l := range []Links{{}, {Override: "https://gw.example/ipfs?token=a)b#x"}, {NoFilename: true}} {
		for _, style := range LinkStyles {
			out := l.List(style, files)
			lines := strings.Split(out, "\n")
			require.Len(t, lines, len(files), "%s: one line per file: %q", style, out)
			for i, line := range lines {
				assert.Equal(t, l.As(style, files[i].Env, files[i].Hash, files[i].Name), line, style)
				assert.Equal(t, files[i].Hash, cidtext.InLink(line), "%s: %q", style, line)
				assert.False(t, strings.ContainsFunc(line, func(r rune) bool {
					return r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085' || r == '\u202e'
				}), "%s: %q breaks or reorders the line", style, line)
			}
			if style == LinkMarkdown {
				dests, _ := readMarkdownLinks(t, out)
				want := make([]string, len(files))
				for i, f := range files {
					want[i] = l.GatewayLink(f.Env, f.Hash, f.Name)
				}
				assert.Equal(t, want, dests, "a Markdown reader finds one link per file: %q", out)
			}
		}
	}
}

func TestLinksGateway(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	custom, err := CustomEnvironment("http://127.0.0.1:8787")
	require.NoError(t, err)
	custom.GatewayURL = "http://127.0.0.1:9999/ipfs/"
	l := Links{Gateways: map[string]string{custom.Key(): custom.GatewayURL, SandboxKey: "http://127.0.0.1:41234"}}
	tests := []struct {
		name, envKey, want string
	}{
		{"production by its key", "production", "https://api.dstor.cloud/ipfs/" + cid},
		{"testnet by its key", "testnet", "https://api.testnet.dstor.cloud/ipfs/" + cid},
		{"a custom environment with its own gateway", custom.Key(), "http://127.0.0.1:9999/ipfs/" + cid},
		{"a custom environment by its base", "http://127.0.0.1:7000", "http://127.0.0.1:7000/ipfs/" + cid},
		{"the Local sandbox of this run", SandboxKey, "http://127.0.0.1:41234/ipfs/" + cid},
		{"no key", "", "ipfs://" + cid},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, l.Link(tt.envKey, cid, ""), tt.name)
	}
	assert.Equal(t, "ipfs://"+cid, Links{}.Link(SandboxKey, cid, ""), "the Local sandbox of another run")
	assert.Equal(t, cid, Links{Style: LinkCID}.Link("production", cid, "x"))
	over := Links{Style: LinkIPFS, Override: "https://ipfs.io"}
	assert.Equal(t, "ipfs://"+cid, over.Link("production", cid, "x"))
	assert.Equal(t, "https://ipfs.io/ipfs/"+cid, over.GatewayLink(SandboxKey, cid, ""), "the override wins, also for the sandbox")
}

// TestCIDInLink: every link the app makes (cidtext.InLink), in every style and on every
// kind of gateway, gives back its CID, as pasted (with the spaces or line
// break a copy from a chat brings); text that is no link of a CID gives "".
func TestCIDInLink(t *testing.T) {
	const v0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	const v1 = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
	links := []Links{
		{},
		{NoFilename: true},
		{Override: "https://ipfs.io/"},
		{Override: "https://gw.example/content/"},
		{Gateways: map[string]string{SandboxKey: "http://127.0.0.1:40123"}},
	}
	for _, cid := range []string{v0, v1} {
		for _, l := range links {
			for _, env := range []string{"production", SandboxKey} {
				for _, style := range LinkStyles {
					for _, name := range []string{"", "a.txt", `[draft] <b>"x"&y</b> 50% (v2)#.pdf`, "café ?.txt"} {
						link := l.As(style, env, cid, name)
						assert.Equal(t, cid, cidtext.InLink(link), "%s link %q", style, link)
						assert.Equal(t, cid, cidtext.InLink(" "+link+"\n"), "pasted with spaces: %q", link)
					}
				}
			}
		}
	}
	for _, s := range []string{
		"https://ipfs.io/ipfs/" + v0 + "/",             // a trailing slash
		"https://ipfs.io/ipfs/" + v0 + "/photos/a.jpg", // a path inside the CID's folder
		"http://dweb.example/ipfs/" + v0 + "#top",
		"/ipfs/" + v0,
		"ipfs://" + v0 + "/",
		"IPFS://" + v0,
	} {
		assert.Equal(t, v0, cidtext.InLink(s), "%q", s)
	}
	for _, s := range []string{
		"", "holiday", v0[:12], "https://example.com/", "https://example.com/page.html",
		"https://example.com/ipfs/not-a-cid", "ipfs://", "ipfs://holiday",
		"a comment about https://example.com", "[holiday](photos)", "<a href=\"x\">y</a>",
		"/photos/2026/",
	} {
		assert.Equal(t, "", cidtext.InLink(s), "%q is no link of a CID", s)
	}
}

// TestGatewayLinkNamesTheDownloadWhateverTheName: a hostile or clumsy
// file name — only dots or spaces, quotes, a tab or line break, the
// characters of a query (# ? % & = +), a backslash, a bidi override, a
// zero-width space, 300 bytes of CJK, or another upload's CID — gives a
// gateway link that a URL parser reads back as this file's CID under the
// gateway's path (a prefix with one or more trailing slashes, a token in
// the query kept) with ?filename= decoding to exactly the name, nothing
// in it a chat or mail would cut the link at; and in every style the
// link is found again by this file's CID, never by a CID the name holds.
func TestGatewayLinkNamesTheDownloadWhateverTheName(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	const other = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
	names := []string{".", "..", "...", " ", "   ", " a.txt ", `it's "quoted".txt`, "tab\there.txt", "new\nline.txt",
		"#?%&=+;.txt", "%41.txt", "100%.txt", `a\b.txt`, "invoice\u202efdp.exe", "\u200bzw.txt", "<script>x</script>",
		strings.Repeat("写", 100) + ".txt", other, "ipfs", "/ipfs/" + other}
	gateways := []struct{ name, override, prefix, token string }{
		{"the environment's", "", "https://api.dstor.cloud/ipfs/", ""},
		{"a bare host with a slash", "https://gw.example/", "https://gw.example/ipfs/", ""},
		{"a path prefix with a slash", "https://gw.example/content/", "https://gw.example/content/", ""},
		{"a path prefix with two slashes and a token", "https://gw.example/content//?token=a%2Fb", "https://gw.example/content/", "a/b"},
	}
	for _, gw := range gateways {
		l := Links{Override: gw.override}
		for _, name := range names {
			link := l.GatewayLink("production", cid, name)
			assert.False(t, strings.ContainsFunc(link, func(r rune) bool { return r <= ' ' || r >= 0x7f || strings.ContainsRune(`"<>\`+"`", r) }),
				"%s gateway, name %q: %q holds what would cut it", gw.name, name, link)
			u, err := url.Parse(link)
			require.NoError(t, err, "%s gateway, name %q", gw.name, name)
			u.RawQuery, u.Fragment = "", ""
			assert.Equal(t, gw.prefix+cid, u.String(), "%s gateway, name %q: the file's CID under the gateway", gw.name, name)
			q, err := url.ParseQuery(strings.SplitN(link, "?", 2)[1])
			require.NoError(t, err, "%s gateway, name %q", gw.name, name)
			assert.Equal(t, []string{name}, q["filename"], "%s gateway: the download is named as the file", gw.name)
			if gw.token != "" {
				assert.Equal(t, []string{gw.token}, q["token"], "%s gateway, name %q: the token kept", gw.name, name)
			}
			for _, style := range LinkStyles {
				assert.Equal(t, cid, cidtext.InLink(l.As(style, "production", cid, name)), "%s gateway, %s link of %q", gw.name, style, name)
			}
		}
	}
}

// TestIndexPageParsesToOneLinkPerFile: read by an HTML parser, as a
// browser reads it, the index page of files with hostile names (tags,
// quotes, an entity, a comment, a closing </a> or </title>, a bidi
// override, a line break, another upload's CID) and a hostile title is
// the title as text, no element but the page's own (no script, no
// attribute but href), and one link per file, in order, whose text is
// the name (escaped where it would draw what it does not hold) and whose
// href is the file's gateway link.
func TestIndexPageParsesToOneLinkPerFile(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	const other = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
	names := []string{`"><script>alert(1)</script>.txt`, `' onmouseover='alert(1)`, "a</a><a href=javascript:alert(1)>b",
		"&amp;&#x202e;.txt", "<!-- x", "]]>", "invoice\u202efdp.exe", "two\nlines.txt", other, ".", " ", ""}
	title := "</title><script>alert(1)</script>\u202e"
	for _, l := range []Links{{}, {NoFilename: true}, {Override: "https://gw.example/content/?t=a&b=<c>"}} {
		var files []SharedFile
		for _, n := range names {
			files = append(files, SharedFile{Env: "production", Hash: cid, Name: n})
		}
		page, err := l.IndexPage(title, files)
		require.NoError(t, err)
		doc, err := nethtml.Parse(bytes.NewReader(page))
		require.NoError(t, err)
		var texts, hrefs []string
		var pageTitle string
		var walk func(*nethtml.Node)
		walk = func(n *nethtml.Node) {
			if n.Type == nethtml.ElementNode {
				assert.Contains(t, []string{"html", "head", "meta", "title", "body", "h1", "p", "ul", "li", "a"}, n.Data, "an element the page does not make")
				for _, a := range n.Attr {
					assert.Contains(t, []string{"lang", "charset", "name", "content", "href"}, a.Key, "<%s %s>", n.Data, a.Key)
				}
				switch n.Data {
				case "title":
					pageTitle = nodeText(n)
				case "a":
					require.Len(t, n.Attr, 1)
					hrefs = append(hrefs, n.Attr[0].Val)
					texts = append(texts, nodeText(n))
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		assert.Equal(t, `</title><script>alert(1)</script>\u202e`, pageTitle)
		require.Len(t, hrefs, len(names))
		for i, n := range names {
			assert.Equal(t, linkText(n, cid), texts[i], "the text of %q", n)
			assert.Equal(t, l.GatewayLink("production", cid, n), hrefs[i], "the href of %q", n)
			assert.NotContains(t, texts[i], "\u202e")
		}
	}
}

// nodeText is the text inside n, as a browser shows it.
func nodeText(n *nethtml.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == nethtml.TextNode {
			b.WriteString(c.Data)
		} else {
			b.WriteString(nodeText(c))
		}
	}
	return b.String()
}

// TestIndexPageNameOfSpacesIsVisible: a file named only with spaces was a
// link with nothing to see or click on the index page (a browser shows a
// run of spaces as one, at the line's start as none), and so in an HTML
// or a Markdown link; the page's heading of a folder so named was blank. Such a name
// shows quoted; the href keeps the name as it is, and other names are
// unchanged.
func TestIndexPageNameOfSpacesIsVisible(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	tests := []struct{ name, file, shown string }{
		{"one space", " ", `" "`},
		{"three spaces", "   ", `"   "`},
		{"spaces around a name", "  a  ", "  a  "},
		{"a no-break space (escaped already)", "\u00a0", `\u00a0`},
		{"a tab (escaped already)", "\t", `\t`},
		{"no name: the CID", "", cid},
		{"a quoted name", `"x"`, `"x"`},
	}
	for _, tt := range tests {
		l := Links{}
		page, err := l.IndexPage(tt.file, []SharedFile{{"production", cid, tt.file}})
		require.NoError(t, err)
		doc, err := nethtml.Parse(bytes.NewReader(page))
		require.NoError(t, err)
		var texts, hrefs, headings []string
		var walk func(*nethtml.Node)
		walk = func(n *nethtml.Node) {
			if n.Type == nethtml.ElementNode && n.Data == "a" {
				hrefs = append(hrefs, n.Attr[0].Val)
				texts = append(texts, nodeText(n))
			}
			if n.Type == nethtml.ElementNode && n.Data == "h1" {
				headings = append(headings, nodeText(n))
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		require.Len(t, texts, 1, tt.name)
		assert.Equal(t, tt.shown, texts[0], tt.name)
		assert.NotEmpty(t, strings.Fields(texts[0]), "%s: the link shows something", tt.name)
		assert.Equal(t, l.GatewayLink("production", cid, tt.file), hrefs[0], "%s: the href keeps the name", tt.name)
		if tt.file != "" {
			require.Len(t, headings, 1)
			assert.Equal(t, tt.shown, headings[0], "%s: the heading", tt.name)
		}
		assert.Equal(t, `<a href="`+html.EscapeString(l.GatewayLink("production", cid, tt.file))+`">`+html.EscapeString(tt.shown)+"</a>",
			l.As(LinkHTML, "production", cid, tt.file), "%s: the HTML link", tt.name)
		md := l.As(LinkMarkdown, "production", cid, tt.file)
		if dest, shown, ok := readMarkdownLink(t, md); assert.True(t, ok, "%s: %q is one Markdown link", tt.name, md) {
			assert.Equal(t, tt.shown, shown, "%s: the Markdown link", tt.name)
			assert.Equal(t, l.GatewayLink("production", cid, tt.file), dest, tt.name)
		}
	}
}
