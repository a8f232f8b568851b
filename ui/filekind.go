package ui

import (
	"net/url"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// fileKinds are the file-type icons of History's rows, by lower-case
// extension: what a glance at a long list needs (a picture, a film, a
// sound, a text, an archive or a document), not a full MIME table. At a
// row's 20 points Fyne's file icons (a page with a small mark) all look
// alike, so each kind has a shape of its own — a camera, a film camera, a
// note, a page of lines, a stack — and a document is a page of lines in
// the primary colour, apart from a text.
var fileKinds = func() map[string]func() fyne.Resource {
	kinds := []struct {
		icon func() fyne.Resource
		exts string
	}{
		{theme.MediaPhotoIcon, "avif bmp cr2 dng gif heic heif jpeg jpg nef png raw svg tif tiff webp"},
		{theme.MediaVideoIcon, "avi m4v mkv mov mp4 mpeg mpg webm wmv"},
		{theme.MediaMusicIcon, "aac flac m4a mp3 ogg opus wav wma"},
		{theme.DocumentIcon, "css csv go htm html ini js json log md py toml ts txt xml yaml yml"},
		{documentIcon, "doc docx epub odp ods odt pdf ppt pptx rtf xls xlsx"},
		{theme.StorageIcon, "7z apk bz2 deb dmg exe gz iso rar rpm tar tgz xz zip"},
	}
	out := map[string]func() fyne.Resource{}
	for _, k := range kinds {
		for _, ext := range strings.Fields(k.exts) {
			out[ext] = k.icon
		}
	}
	return out
}()

// documentIcon is a document's icon: a page of lines in the primary
// colour.
func documentIcon() fyne.Resource {
	return theme.NewPrimaryThemedResource(theme.DocumentIcon())
}

// fileKindIcon is the icon of a file called name: its kind's, or a plain
// file's.
func fileKindIcon(name string) fyne.Resource {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	if icon, ok := fileKinds[ext]; ok {
		return icon()
	}
	return theme.FileIcon()
}

// folderURL is the file:// address of the folder that holds path, which a
// file manager opens (Show in folder).
func folderURL(path string) *url.URL {
	dir := filepath.ToSlash(filepath.Dir(path))
	if !strings.HasPrefix(dir, "/") {
		dir = "/" + dir // a Windows drive: file:///C:/Users/…
	}
	return &url.URL{Scheme: "file", Path: dir}
}
