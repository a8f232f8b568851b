package ui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// The Upload tab's destination: where files go (a folder path or a parent
// folder id) and their comment, checked as the person types, remembered
// in the settings, and put on each request the tab adds.

// Destination modes of the Upload tab (ids; destModeLabel names them).
const (
	destFolder = "Folder path"
	destParent = "Parent folder id"
)

// destModeLabel is how the Upload tab names a destination mode, in the
// window's language.
func destModeLabel(mode string) string {
	if mode == destParent {
		return tr("Parent folder id")
	}
	return tr("Folder path")
}

// destModeOf is the destination mode shown as label.
func destModeOf(label string) string {
	if label == destModeLabel(destParent) {
		return destParent
	}
	return destFolder
}

// buildDestination makes the destination and comment fields, filled from
// the settings st.
func (v *uploadView) buildDestination(st storage.Settings) {
	v.folder = widget.NewSelectEntry(st.RecentFolders)
	v.folder.SetPlaceHolder(tr("/ (the account's root)"))
	// Fyne's drop-down arrow would be named after its icon's file.
	v.folder.SetOptions(st.RecentFolders) // makes the arrow now
	if b, ok := v.folder.ActionItem.(*widget.Button); ok {
		arrow := newIconButton(tr("Recent destination folders"), b.Icon, b.OnTapped)
		arrow.Importance = b.Importance
		v.folder.ActionItem = arrow
	}
	v.folder.SetText(st.DefaultFolderPath)
	v.parent = widget.NewEntry()
	v.parent.SetPlaceHolder(tr("Folder id, e.g. 1234"))
	if st.ParentID != nil {
		v.parent.SetText(strconv.FormatInt(*st.ParentID, 10))
	}
	v.comment = widget.NewEntry()
	v.comment.SetPlaceHolder(tr("Optional note stored with each file"))
	v.comment.SetText(st.Comment)
	v.destError = note(widget.DangerImportance, fyne.TextWrapWord)
	v.destError.Hide()
	// A drop-down rather than radio buttons: narrow enough for the
	// destination and the comment to share a line in a wide window.
	v.destMode = widget.NewSelect([]string{destModeLabel(destFolder), destModeLabel(destParent)},
		func(label string) { v.onDestModeChanged(destModeOf(label)) })
	// Fyne gives a select the width of its placeholder, and cuts a longer
	// choice short with "…". A choice is always made here, so no one sees
	// the placeholder: it is the longer choice, which makes the select wide
	// enough for either.
	v.destMode.PlaceHolder = slices.MaxFunc(v.destMode.Options, func(a, b string) int {
		return cmp.Compare(fyne.MeasureText(a, theme.TextSize(), fyne.TextStyle{}).Width,
			fyne.MeasureText(b, theme.TextSize(), fyne.TextStyle{}).Width)
	})
	if st.ParentID != nil {
		v.destMode.SetSelected(destModeLabel(destParent))
	} else {
		v.destMode.SetSelected(destModeLabel(destFolder))
	}
	v.folder.OnChanged = func(string) { v.onDestChanged() }
	v.parent.OnChanged = func(string) { v.onDestChanged() }
	v.comment.OnChanged = func(string) { v.onDestChanged() }
}

// destinationRow lays out the destination and the comment, side by side
// when the window is wide enough (pair decides).
func (v *uploadView) destinationRow() (*fyne.Container, *pairLayout) {
	destField := container.New(&placeholderRoomLayout{entries: []*widget.Entry{&v.folder.Entry, v.parent}}, v.folder, v.parent)
	comment := container.New(&placeholderRoomLayout{entries: []*widget.Entry{v.comment}}, v.comment)
	destLabel := widget.NewLabelWithStyle(tr("Upload to"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	commentLabel := widget.NewLabelWithStyle(tr("Comment"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// The labels share one width, as in a form, when the rows are stacked.
	labelWidth := fyne.Max(destLabel.MinSize().Width, commentLabel.MinSize().Width)
	pair := &pairLayout{side: 420}
	dest := container.New(pair,
		container.NewBorder(nil, nil, container.New(&fixedWidthLayout{width: labelWidth}, destLabel),
			nil, container.NewBorder(nil, nil, v.destMode, nil, destField)),
		container.NewBorder(nil, nil, container.New(&fixedWidthLayout{width: labelWidth}, commentLabel), nil, comment),
	)
	return dest, pair
}

// onDestModeChanged shows the field of the chosen destination kind.
func (v *uploadView) onDestModeChanged(mode string) {
	if v.folder == nil || v.parent == nil {
		return
	}
	if mode == destParent {
		v.folder.Hide()
		v.parent.Show()
	} else {
		v.parent.Hide()
		v.folder.Show()
	}
	v.onDestChanged()
}

// destination reads and validates the destination and comment; the error
// names what is wrong (humanError words it for the person).
func (v *uploadView) destination() (folder string, parent *int64, comment string, err error) {
	// Spaces around a path or a comment are dropped; spaces alone are
	// refused, not taken for the root.
	folder, comment = api.TrimDestination(v.folder.Text, v.comment.Text)
	if err := api.ValidateComment(comment); err != nil {
		return "", nil, "", err // the sentence names the comment
	}
	if destModeOf(v.destMode.Selected) == destParent {
		if strings.TrimSpace(v.parent.Text) == "" {
			return "", nil, comment, nil
		}
		id, err := api.ParseParentID(v.parent.Text)
		if err != nil {
			return "", nil, comment, err
		}
		return "", &id, comment, nil
	}
	if err := api.ValidateFolderPath(folder); err != nil {
		return "", nil, comment, err
	}
	return folder, nil, comment, nil
}

// onDestChanged validates as the person types and remembers the choice.
func (v *uploadView) onDestChanged() {
	if v.destError == nil {
		return
	}
	folder, parent, comment, err := v.destination()
	if err != nil {
		v.destError.SetText(humanError(err))
		v.destError.Show()
		return
	}
	v.destError.Hide()
	v.a.changeSettings(func(s storage.Settings) storage.Settings {
		s.DefaultFolderPath = folder
		s.ParentID = parent
		s.Comment = comment
		return s
	})
}

// destinationError is why files added were not: the destination or the
// comment on the Upload tab is not valid (the tab says so).
type destinationError struct{ err error }

func (e *destinationError) Error() string { return e.err.Error() }
func (e *destinationError) Unwrap() error { return e.err }

// requests are paths with the current destination and comment; a
// *destinationError (and the reason shown) when those are not valid.
func (v *uploadView) requests(paths []string) ([]worker.Request, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	folder, parent, comment, err := v.destination()
	if err != nil {
		v.destError.SetText(tr("Nothing was added:") + " " + humanError(err))
		v.destError.Show()
		return nil, &destinationError{err: err}
	}
	reqs := make([]worker.Request, 0, len(paths))
	for _, p := range paths {
		reqs = append(reqs, worker.Request{Path: p, FolderPath: folder, ParentID: parent, Comment: comment})
	}
	if folder != "" {
		s := v.a.changeSettings(func(s storage.Settings) storage.Settings { return s.WithRecentFolder(folder) })
		v.folder.SetOptions(s.RecentFolders)
	}
	return reqs, nil
}
