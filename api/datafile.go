package api

import "io/fs"

// Windows reparse tags (winnt.h) whose reparse point holds the file's own
// data, kept elsewhere or stored differently, which a file system filter
// hands to any program that reads the file: files of OneDrive and other
// cloud services (all sixteen IO_REPARSE_TAG_CLOUD_* tags; reading an
// online-only one downloads it first), compressed (WOF), deduplicated and
// archived (HSM) files. Go reports them as irregular files; to a person
// they are ordinary files, and so they are uploaded.
const (
	reparseTagCloud     = 0x9000001A // IO_REPARSE_TAG_CLOUD; CLOUD_1 … CLOUD_F set bits 12-15
	reparseTagCloudMask = 0xFFFF0FFF
	reparseTagWOF       = 0x80000017
	reparseTagDedup     = 0x80000013
	reparseTagHSM       = 0xC0000004
	reparseTagHSM2      = 0x80000006
)

// isCloudTag reports whether tag marks a cloud service's file.
func isCloudTag(tag uint32) bool { return tag&reparseTagCloudMask == reparseTagCloud }

// holdsOwnData reports whether a reparse point with this tag is the file's
// own data rather than a way to another file or a special file.
func holdsOwnData(tag uint32) bool {
	switch tag {
	case reparseTagWOF, reparseTagDedup, reparseTagHSM, reparseTagHSM2:
		return true
	}
	return isCloudTag(tag)
}

// reparseTagAt reads the reparse tag of the file at path without reading
// its data (so an online-only file is not downloaded): 0 when it has none.
// Only Windows has them; a variable so that tests can stand in for a
// cloud folder.
var reparseTagAt = platformReparseTag

// IsRegularFile reports whether a folder entry at path of type m is a file
// to upload: a regular file, or one Go calls irregular only because its
// reparse point holds its own data (a OneDrive file, say; see holdsOwnData).
func IsRegularFile(path string, m fs.FileMode) bool {
	return regularWith(m, func() (uint32, error) { return reparseTagAt(path) })
}

// regularWith is IsRegularFile with the reparse tag read by tag, asked
// only of an irregular file.
func regularWith(m fs.FileMode, tag func() (uint32, error)) bool {
	if m.Type() != fs.ModeIrregular {
		return m.IsRegular()
	}
	t, err := tag()
	return err == nil && holdsOwnData(t)
}
