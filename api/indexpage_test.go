package api_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestE2EIndexPageLinksServeEachFile: the index page of three uploads,
// uploaded as a file of its own, is served by the sandbox's gateway, and
// each of its links serves its file's bytes under its name.
func TestE2EIndexPageLinksServeEachFile(t *testing.T) {
	e := newE2E(t, sandbox.Config{})
	tok := e.token(t)
	env := e.client.Environment()
	links := api.Links{Gateways: map[string]string{env.Key(): env.GatewayURL}}
	names := []string{"a.txt", "report & notes (v2).pdf", "<b>café</b>.bin"}
	want := map[string][]byte{}
	var files []api.SharedFile
	for i, name := range names {
		data := testutil.Content(fmt.Sprint("data", i), 500+i*10_000)
		res, err := e.client.Upload(context.Background(), tok, api.UploadRequest{Path: testfs.WriteTemp(t, "f"+string(rune('0'+i)), data)})
		require.NoError(t, err)
		files = append(files, api.SharedFile{Env: env.Key(), Hash: res.Hash, Name: name})
		want[res.Hash] = data
	}

	page, err := links.IndexPage("trip & photos", files)
	require.NoError(t, err)
	assert.Contains(t, string(page), "<title>trip &amp; photos</title>")
	assert.Contains(t, string(page), "&lt;b&gt;café&lt;/b&gt;.bin", "names are escaped")
	res, err := e.client.Upload(context.Background(), tok, api.UploadRequest{Path: testfs.WriteTemp(t, "index.html", page)})
	require.NoError(t, err)
	served, hdr := gatewayBytes(t, links.GatewayLink(env.Key(), res.Hash, "index.html"))
	assert.Equal(t, page, served)
	assert.Contains(t, hdr.Get("Content-Type"), "text/html")

	hrefs := regexp.MustCompile(`<a href="([^"]+)">([^<]*)</a>`).FindAllStringSubmatch(string(served), -1)
	require.Len(t, hrefs, len(files))
	for i, m := range hrefs {
		link, text := html.UnescapeString(m[1]), html.UnescapeString(m[2])
		assert.Equal(t, names[i], text)
		assert.True(t, strings.HasPrefix(link, env.GatewayURL), link)
		body, h := gatewayBytes(t, link)
		assert.Equal(t, want[files[i].Hash], body, "the link of %s serves it", names[i])
		assert.Contains(t, h.Get("Content-Disposition"), "filename", "named by ?filename=")
	}
}
