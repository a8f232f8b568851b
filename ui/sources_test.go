package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// uiSources parses the ui package's Go files, tests left out, so that the
// tests that look in the window's code for what it shows (the keys it asks
// the catalogs for, the literals it draws) read the same files the same
// way. The file set gives a node's file and line for a failure message.
func uiSources(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		files = append(files, file)
	}
	require.NotEmpty(t, files, "no Go files of the ui package")
	return fset, files
}
