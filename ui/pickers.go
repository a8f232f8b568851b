package ui

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// errUseFyneDialog means the native dialog is not available (no GTK, no
// display, or it failed): the caller shows Fyne's own dialog instead. A
// person canceling the native dialog is not an error.
var errUseFyneDialog = errors.New("the native file dialog is not available")

// nativeMu lets one native dialog run at a time: GTK is not thread-safe.
var nativeMu sync.Mutex

// chooser is a native file dialog to show (showChooser, per platform).
type chooser struct {
	title      string
	kind       chooserKind
	filterName string // chooseSave: the name of the one file type offered
	filterExt  string // chooseSave: its extension, without the dot
	startName  string // chooseSave: the file name proposed
}

// chooserKind is what a chooser asks for.
type chooserKind int

const (
	chooseFile   chooserKind = iota // an existing file
	chooseFolder                    // an existing folder
	chooseSave                      // where to save a new file
)

// runNative shows c on a locked OS thread and waits for the person: the
// path chosen, "" when canceled, or errUseFyneDialog when the desktop's
// dialog cannot be shown (no GTK, no display, or it failed; a panic in
// the native code's Go side counts as that too).
func runNative(c chooser) (path string, err error) {
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
	path, canceled, err := showChooser(c)
	switch {
	case canceled:
		return "", nil
	case err != nil:
		return "", errUseFyneDialog
	}
	return path, nil
}

// nativePickFiles is the default pickFiles: the desktop's own file chooser,
// with several files at once where the desktop offers that (GNOME's zenity,
// KDE's kdialog); the chooser of showChooser takes one file at a time.
func (a *App) nativePickFiles() ([]string, error) {
	if os.Getenv("DSTOR_UPLOADER_FYNE_DIALOGS") == "" {
		ctx, cancel := a.untilClose() // the chooser closes with the window
		defer cancel()
		if paths, ok := pickFilesWithHelper(ctx); ok {
			return paths, nil
		}
	}
	p, err := runNative(chooser{title: tr("Add files to upload"), kind: chooseFile})
	if err != nil || p == "" {
		return nil, err
	}
	return []string{p}, nil
}

// multiFileChoosers are the desktop tools that show the native chooser with
// multiple selection, in the order tried, and how to ask them.
var multiFileChoosers = []struct {
	name string
	args []string
}{
	{"zenity", []string{"--file-selection", "--multiple", "--separator=\n", "--title"}},
	{"kdialog", []string{"--getopenfilename", ".", "--multiple", "--separate-output", "--title"}},
}

// pickFilesWithHelper runs the first multi-selection chooser found on PATH.
// ok is false when none is installed or it failed to run (not when the
// person canceled: that is ok with no paths).
func pickFilesWithHelper(ctx context.Context) (paths []string, ok bool) {
	for _, c := range multiFileChoosers {
		bin, err := exec.LookPath(c.name)
		if err != nil {
			continue
		}
		args := append(append([]string{}, c.args...), tr("Add files to upload")) // the value of --title
		out, err := exec.CommandContext(ctx, bin, args...).Output()
		if ctx.Err() != nil {
			return nil, true // the window closed
		}
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit) && exit.ExitCode() == 1:
			return nil, true // canceled
		case err != nil:
			continue
		}
		for _, line := range strings.Split(string(out), "\n") {
			if line = strings.TrimRight(line, "\r"); line != "" {
				paths = append(paths, line)
			}
		}
		return paths, true
	}
	return nil, false
}

// nativePickFolder is the default pickFolder.
func (a *App) nativePickFolder() (string, error) {
	return runNative(chooser{title: tr("Add a folder to upload"), kind: chooseFolder})
}

// pickSave asks where to save an export ("" when canceled).
func (a *App) pickSave(name, ext string) (string, error) {
	return a.pickSaveAs(tr("Export the upload history"), name, ext)
}

// pickSaveAs is pickSave with the dialog's title.
func (a *App) pickSaveAs(title, name, ext string) (string, error) {
	desc := tr("{{.Format}} file", map[string]any{"Format": strings.ToUpper(ext)})
	return runNative(chooser{title: title, kind: chooseSave, filterName: desc, filterExt: ext, startName: name})
}

// fyneOpenFile is the fallback file chooser; it returns its overlay.
func (a *App) fyneOpenFile() fyne.CanvasObject {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			a.showError(tr("Cannot open the file"), err)
			return
		}
		if r == nil {
			return
		}
		p := r.URI().Path()
		_ = r.Close()
		a.addPaths([]string{p})
	}, a.win)
	showSized(d, a.dialogSize())
	return a.win.Canvas().Overlays().Top()
}

// fyneOpenFolder is the fallback folder chooser; it returns its overlay.
func (a *App) fyneOpenFolder() fyne.CanvasObject {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil {
			a.showError(tr("Cannot open the folder"), err)
			return
		}
		if l == nil {
			return
		}
		a.addPaths([]string{l.Path()})
	}, a.win)
	showSized(d, a.dialogSize())
	return a.win.Canvas().Overlays().Top()
}

// fyneSaveFile is the fallback save dialog, titled title: Fyne's folder
// dialog, then the file's name (name proposed); done gets the path, with
// nothing opened yet, so the caller's guards (no file in dStor Uploader's
// own data folder) run before anything is written. Fyne's own save dialog
// is not used: it opens the file picked, emptying it, before the window
// sees its path, so the history database picked there was emptied. A file
// already at the path is replaced only once the person says so.
func (a *App) fyneSaveFile(title, name string, done func(path string)) {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil {
			a.showError(tr("Cannot save the file"), err)
			return
		}
		if l == nil {
			return
		}
		a.askSaveName(title, l.Path(), name, "", done)
	}, a.win)
	d.SetTitleText(title)
	d.SetConfirmText(tr("Save here"))
	showSized(d, a.dialogSize())
}

// askSaveName asks the name of the file to save in dir (name proposed,
// problem said above it when not "") and gives done its path, once the
// person said to replace a file there. A name with a folder in it is asked
// again, with what to do.
func (a *App) askSaveName(title, dir, name, problem string, done func(path string)) {
	entry := &escapeEntry{}
	entry.ExtendBaseWidget(entry)
	entry.SetText(name)
	folder := widget.NewLabel(displayPath(dir))
	folder.Wrapping = fyne.TextWrapBreak
	content := container.NewVBox()
	if problem != "" {
		l := note(widget.DangerImportance, fyne.TextWrapWord)
		l.SetText(problem)
		content.Add(l)
	}
	content.Add(widget.NewForm(widget.NewFormItem(tr("Folder"), folder), widget.NewFormItem(tr("File name"), entry)))
	save := func() {
		file := strings.TrimSpace(entry.Text)
		if file == "" || file == "." || file == ".." || strings.ContainsAny(file, `/\`) {
			a.askSaveName(title, dir, entry.Text, tr("Write the file's name alone, without a folder."), done)
			return
		}
		path := filepath.Join(dir, file)
		if _, err := os.Lstat(path); err == nil {
			a.confirm(tr("Replace the file?"), tr("{{.Name}} is already in {{.Folder}}. Replace it?",
				map[string]any{"Name": nameText(file), "Folder": displayPath(dir)}), tr("Replace"), tr("Cancel"), func() { done(path) })
			return
		}
		done(path)
	}
	d := a.newDialog(title, nil, content,
		dialogChoice{label: tr("Cancel"), icon: theme.CancelIcon()},
		dialogChoice{label: tr("Save"), icon: theme.DocumentSaveIcon(), imp: widget.HighImportance, chosen: save})
	entry.escape = d.Hide
	entry.OnSubmitted = func(string) { d.Hide(); save() }
	d.Show()
	d.Resize(fyne.NewSize(min(560, a.dialogSize().Width), d.MinSize().Height))
	a.win.Canvas().Focus(entry)
}

// escapeEntry is a text field of a dialog that Escape closes even while
// the field has the focus, as escapeButton does for a button.
type escapeEntry struct {
	widget.Entry
	escape func()
}

// TypedKey closes the dialog on Escape; other keys edit the text.
func (e *escapeEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.escape != nil {
		e.escape()
		return
	}
	e.Entry.TypedKey(ev)
}

// showSized shows Fyne's file dialog d at size: Fyne 2.8.1's FileDialog
// cannot be resized before it is shown (its MinSize reads the dialog that
// Show makes).
func showSized(d *dialog.FileDialog, size fyne.Size) {
	d.Show()
	d.Resize(size)
}

// goPicker runs f, which waits for the person in a native dialog, on a
// goroutine that Close does not wait for: a dialog left open must not keep
// the app from quitting (the process ends and the dialog with it). f may
// only touch the UI through a.do, which does nothing after Close.
func (a *App) goPicker(f func()) {
	if a.closed.Load() {
		return
	}
	go f()
}

func (a *App) dialogSize() fyne.Size {
	s := a.win.Canvas().Size()
	return fyne.NewSize(s.Width*0.85, s.Height*0.85)
}
