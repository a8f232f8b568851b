package ui

import (
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	sqdialog "github.com/sqweek/dialog"
)

// errUseFyneDialog means the native dialog is not available (no GTK, no
// display, or it failed): the caller shows Fyne's own dialog instead. A
// person canceling the native dialog is not an error.
var errUseFyneDialog = errors.New("the native file dialog is not available")

// nativeMu lets one native dialog run at a time: GTK is not thread-safe.
var nativeMu sync.Mutex

// runNative runs a blocking native dialog on a locked OS thread, turning a
// panic (sqweek panics when GTK could not start) into errUseFyneDialog.
func runNative(f func() (string, error)) (path string, err error) {
	if os.Getenv("DSTOR_UPLOADER_FYNE_DIALOGS") != "" {
		return "", errUseFyneDialog
	}
	nativeMu.Lock()
	defer nativeMu.Unlock()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer func() {
		if r := recover(); r != nil {
			path, err = "", errUseFyneDialog
		}
	}()
	path, err = f()
	switch {
	case errors.Is(err, sqdialog.ErrCancelled):
		return "", nil
	case err != nil:
		return "", errUseFyneDialog
	}
	return path, nil
}

// nativePickFiles is the default pickFiles: the desktop's own file chooser.
func (a *App) nativePickFiles() ([]string, error) {
	p, err := runNative(func() (string, error) {
		return sqdialog.File().Title("Add files to upload").Load()
	})
	if err != nil || p == "" {
		return nil, err
	}
	return []string{p}, nil
}

// nativePickFolder is the default pickFolder.
func (a *App) nativePickFolder() (string, error) {
	return runNative(func() (string, error) {
		return sqdialog.Directory().Title("Add a folder to upload").Browse()
	})
}

// pickSave asks where to save an export ("" when canceled).
func (a *App) pickSave(name, ext string) (string, error) {
	desc := strings.ToUpper(ext) + " file"
	return runNative(func() (string, error) {
		return sqdialog.File().Title("Export the upload history").Filter(desc, ext).SetStartFile(name).Save()
	})
}

// fyneOpenFile is the fallback file chooser.
func (a *App) fyneOpenFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			a.showError("Cannot open the file", err)
			return
		}
		if r == nil {
			return
		}
		p := r.URI().Path()
		_ = r.Close()
		a.addPaths([]string{p})
	}, a.win)
	d.Resize(a.dialogSize())
	d.Show()
}

// fyneOpenFolder is the fallback folder chooser.
func (a *App) fyneOpenFolder() {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil {
			a.showError("Cannot open the folder", err)
			return
		}
		if l == nil {
			return
		}
		a.addPaths([]string{l.Path()})
	}, a.win)
	d.Resize(a.dialogSize())
	d.Show()
}

// fyneSaveFile is the fallback save dialog; done gets the open file.
func (a *App) fyneSaveFile(name string, done func(w io.WriteCloser, where string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			a.showError("Cannot save the file", err)
			return
		}
		if w == nil {
			return
		}
		done(w, w.URI().Name())
	}, a.win)
	d.SetFileName(name)
	d.Resize(a.dialogSize())
	d.Show()
}

func (a *App) dialogSize() fyne.Size {
	s := a.win.Canvas().Size()
	return fyne.NewSize(s.Width*0.85, s.Height*0.85)
}
