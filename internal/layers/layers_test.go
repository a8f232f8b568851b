package layers

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// module is the project's module path.
const module = "github.com/dstor-uploader/dstor-uploader"

// fyneUsers are the packages that may import Fyne (README: ui and
// assets, and cli, which opens the window), with main, which starts cli.
var fyneUsers = []string{".", "cli", "ui", "assets"}

// picture is README's drawing of the packages: rows, top to bottom, each a
// list of package directories ("." for main).
type picture [][]string

// row is the row of dir in the picture, -1 when it is not drawn.
func (p picture) row(dir string) int {
	for i, r := range p {
		if slices.Contains(r, dir) {
			return i
		}
	}
	return -1
}

// graph maps a package directory to the project packages and the outside
// modules its non-test files import (every build tag included).
type graph map[string][]string

// rowLine is a line of the picture: its number, then its packages
// (main.go for main), then a description.
var rowLine = regexp.MustCompile(`^(\d+)\s+(.*)$`)

// readPicture reads the rows from the first code block of README's "How it
// is built"; a word ends a row's packages once it is not a package of
// dirs.
func readPicture(readme string, dirs map[string]bool) (picture, error) {
	_, after, ok := strings.Cut(readme, "\n## How it is built\n")
	if !ok {
		return nil, fmt.Errorf("README has no \"How it is built\" section")
	}
	_, block, ok := strings.Cut(after, "```\n")
	if ok {
		block, _, ok = strings.Cut(block, "```")
	}
	if !ok {
		return nil, fmt.Errorf("\"How it is built\" has no picture (a ``` block)")
	}
	var p picture
	sc := bufio.NewScanner(strings.NewReader(block))
	for sc.Scan() {
		m := rowLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n != len(p)+1 {
			return nil, fmt.Errorf("picture row %s out of order", m[1])
		}
		var row []string
		for _, w := range strings.Fields(m[2]) {
			if w == "main.go" {
				w = "."
			}
			if !dirs[w] {
				break
			}
			row = append(row, w)
		}
		if len(row) == 0 {
			return nil, fmt.Errorf("picture row %s names no package", m[1])
		}
		p = append(p, row)
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("the picture has no numbered rows")
	}
	return p, nil
}

// readGraph parses the imports of every non-test Go file under root.
func readGraph(root string) (graph, error) {
	g := graph{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(rel)
		if _, ok := g[dir]; !ok {
			g[dir] = nil
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case p == module:
				p = "."
			case strings.HasPrefix(p, module+"/"):
				p = strings.TrimPrefix(p, module+"/")
			case strings.HasPrefix(p, "fyne.io/"):
				p = "fyne.io"
			default:
				continue
			}
			if !slices.Contains(g[dir], p) {
				g[dir] = append(g[dir], p)
			}
		}
		return nil
	})
	return g, err
}

// violations lists every way g breaks the picture:
//   - a drawn package that reaches a drawn package on its own row or above,
//     directly or through packages left out of the picture (internal ones);
//   - a package outside internal/ that is neither drawn nor test-only (its
//     non-test code imported by no one);
//   - Fyne imported outside fyneUsers.
func violations(p picture, g graph) []string {
	var out []string
	imported := map[string]bool{}
	for _, imps := range g {
		for _, q := range imps {
			imported[q] = true
		}
	}
	for dir, imps := range g {
		if slices.Contains(imps, "fyne.io") && !slices.Contains(fyneUsers, dir) {
			out = append(out, fmt.Sprintf("%s imports Fyne; only %v may", dir, fyneUsers))
		}
		r := p.row(dir)
		if r < 0 {
			if !strings.HasPrefix(dir, "internal/") && imported[dir] {
				out = append(out, fmt.Sprintf("%s is imported but not in README's picture", dir))
			}
			continue
		}
		seen := map[string]bool{}
		var reach func(from []string, path string)
		reach = func(from []string, path string) {
			for _, q := range from {
				if q == "fyne.io" || seen[q] {
					continue
				}
				seen[q] = true
				via := path + " → " + q
				switch qr := p.row(q); {
				case qr < 0:
					reach(g[q], via) // not drawn: what it imports counts for dir
				case qr <= r:
					out = append(out, fmt.Sprintf("back-edge: %s (row %d imports row %d)", via, r+1, qr+1))
				}
			}
		}
		reach(imps, dir)
	}
	slices.Sort(out)
	return out
}

// moduleRoot is the folder of go.mod above the test's folder.
func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the test")
		dir = parent
	}
}

// TestImportsFollowTheReadmePicture is the check: the tree's imports
// against README's picture.
func TestImportsFollowTheReadmePicture(t *testing.T) {
	root := moduleRoot(t)
	g, err := readGraph(root)
	require.NoError(t, err)
	dirs := map[string]bool{}
	for d := range g {
		dirs[d] = true
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	p, err := readPicture(string(readme), dirs)
	require.NoError(t, err)
	t.Logf("picture: %v", p)
	for d := range g {
		if !strings.HasPrefix(d, "internal/") && p.row(d) < 0 {
			t.Logf("%s is not drawn (test-only)", d)
		}
	}
	assert.Empty(t, violations(p, g))
}

// TestViolationsFound feeds the check graphs that break the picture, so
// that it is known to fail when it should.
func TestViolationsFound(t *testing.T) {
	p := picture{{"."}, {"cli"}, {"ui"}, {"session", "assets"}, {"api/worker", "api/sandbox"}, {"api", "storage"}}
	ok := graph{".": {"cli"}, "cli": {"ui", "api", "fyne.io"}, "ui": {"session", "internal/throttle", "fyne.io"},
		"session": {"api/worker"}, "api/worker": {"api", "storage"}, "api/sandbox": {"api"}, "api": nil, "storage": nil,
		"internal/throttle": nil, "internal/testutil": {"api/sandbox"}, "reliability": {"cli", "internal/testutil"}}
	require.Empty(t, violations(p, ok))

	tests := []struct {
		name string
		edit func(g graph)
		want string
	}{
		{"up a row", func(g graph) { g["api"] = []string{"session"} }, "back-edge: api → session (row 6 imports row 4)"},
		{"beside", func(g graph) { g["api/worker"] = append(g["api/worker"], "api/sandbox") }, "back-edge: api/worker → api/sandbox (row 5 imports row 5)"},
		{"through an internal package", func(g graph) { g["internal/throttle"] = []string{"ui"} },
			"back-edge: ui → internal/throttle → ui (row 3 imports row 3)"},
		{"an undrawn package imported", func(g graph) { g["cli"] = append(g["cli"], "reliability") }, "reliability is imported but not in README's picture"},
		{"Fyne in the client", func(g graph) { g["api"] = []string{"fyne.io"} }, "api imports Fyne"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := graph{}
			for k, v := range ok {
				g[k] = slices.Clone(v)
			}
			tt.edit(g)
			v := violations(p, g)
			require.NotEmpty(t, v)
			assert.Contains(t, strings.Join(v, "\n"), tt.want)
		})
	}
}

// TestReadPicture reads a picture like README's, and refuses one that is
// missing or garbled.
func TestReadPicture(t *testing.T) {
	dirs := map[string]bool{".": true, "cli": true, "api": true, "storage": true}
	readme := "# x\n\n## How it is built\n\n```\n1  main.go   hands os.Args to cli\n2  cli       the command line\n3  api  storage   the client; SQLite\n```\n"
	p, err := readPicture(readme, dirs)
	require.NoError(t, err)
	assert.Equal(t, picture{{"."}, {"cli"}, {"api", "storage"}}, p)

	for name, bad := range map[string]string{
		"no section":    "# x\n",
		"no block":      "## How it is built\n\nwords\n",
		"no rows":       "## How it is built\n\n```\nmain\n```\n",
		"rows skipped":  "## How it is built\n\n```\n1  cli\n3  api\n```\n",
		"unknown names": "## How it is built\n\n```\n1  nothing here\n```\n",
	} {
		_, err := readPicture(bad, dirs)
		assert.Error(t, err, name)
	}
}
