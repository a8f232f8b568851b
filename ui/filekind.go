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
// sound, a text, an archive or document), not a full MIME table.
var fileKinds = func() map[string]func() fyne.Resource {
	kinds := []struct {
		icon func() fyne.Resource
		exts string
	}{
		{theme.FileImageIcon, "avif bmp cr2 dng gif heic heif jpeg jpg nef png raw svg tif tiff webp"},
		{theme.FileVideoIcon, "avi m4v mkv mov mp4 mpeg mpg webm wmv"},
		{theme.FileAudioIcon, "aac flac m4a mp3 ogg opus wav wma"},
		{theme.FileTextIcon, "css csv go htm html ini js json log md py rtf toml ts txt xml yaml yml"},
		{theme.FileApplicationIcon, "7z apk bz2 deb dmg doc docx exe gz iso odp ods odt pdf ppt pptx rar rpm tar tgz xls xlsx xz zip"},
	}
	out := map[string]func() fyne.Resource{}
	for _, k := range kinds {
		for _, ext := range strings.Fields(k.exts) {
			out[ext] = k.icon
		}
	}
	return out
}()

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
