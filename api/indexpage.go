package api

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/dstor-uploader/dstor-uploader/internal/inert"
)

// indexPage is the share page of several uploads: a plain list of their
// names, each a link to its file. No script, no style sheet, no outside
// resource: it opens the same on any gateway and in any browser.
var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Count}}, shared with dStor Uploader.</p>
<ul>
{{- range .Files}}
<li><a href="{{.Link}}">{{.Name}}</a></li>
{{- end}}
</ul>
</body>
</html>
`))

// IndexPage is a small HTML page titled title that lists files, each by
// name with its gateway link (as GatewayLink makes it, so downloads keep
// their names): uploaded as a file of its own, its link shares them all.
// Names and links are escaped by html/template; the title and the names
// show a control or formatting character escaped, and are quoted when
// only spaces, as links' text is (linkText).
func (l Links) IndexPage(title string, files []SharedFile) ([]byte, error) {
	type item struct {
		Name string
		Link template.URL // built here: the hash path-escaped, the name query-escaped
	}
	data := struct {
		Title, Count string
		Files        []item
	}{Title: inert.LiteralName(title), Count: fmt.Sprintf("%d files", len(files))}
	if len(files) == 1 {
		data.Count = "1 file"
	}
	for _, f := range files {
		data.Files = append(data.Files, item{Name: linkText(f.Name, f.Hash), Link: template.URL(l.GatewayLink(f.Env, f.Hash, f.Name))})
	}
	var b bytes.Buffer
	if err := indexPage.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("make the index page: %w", err)
	}
	return b.Bytes(), nil
}
