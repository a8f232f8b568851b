//go:build !linux

package ui

import (
	"errors"

	sqdialog "github.com/sqweek/dialog"
)

// showChooser shows c with sqweek/dialog: the system's own dialogs on
// Windows and macOS. The caller holds nativeMu on a locked OS thread.
func showChooser(c chooser) (path string, canceled bool, err error) {
	switch c.kind {
	case chooseFolder:
		path, err = sqdialog.Directory().Title(c.title).Browse()
	case chooseSave:
		path, err = sqdialog.File().Title(c.title).Filter(c.filterName, c.filterExt).SetStartFile(c.startName).Save()
	default:
		path, err = sqdialog.File().Title(c.title).Load()
	}
	if errors.Is(err, sqdialog.ErrCancelled) {
		return "", true, nil
	}
	return path, false, err
}
