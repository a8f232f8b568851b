package ui

import (
	"errors"
	"path/filepath"
	"strings"

	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// closeError is closeHistory's error: its sentence in the window's
// language (the window is gone: the command line prints it, Windows shows
// it in a message box), and the error it says.
type closeError struct {
	text string
	err  error
}

func (e *closeError) Error() string { return e.text }

// Unwrap is the error the sentence says.
func (e *closeError) Unwrap() error { return e.err }

// notCarriedText says why the quit could not record what it had to (the
// history deleted or replaced, its journal, or a write that failed), where
// that is kept now, or that it could not be kept, with the links and the
// paths to add again, then the cause's short text.
func notCarriedText(e *storage.NotCarriedError) string {
	var b strings.Builder
	b.WriteString(quitReasonText(e.Path, e.Gone))
	if e.SavedIn != "" {
		b.WriteString(" " + tr("What it could not record is kept in {{.File}}: the next start of dStor Uploader puts it into the history (the files not uploaded back into the queue), then removes that file.",
			map[string]any{"File": inert.Line(e.SavedIn)}))
	} else {
		b.WriteString(" " + tr("What it could not record could not be kept in a file of the data folder either ({{.Why}}): copy the links below, they are recorded nowhere else.",
			map[string]any{"Why": systemErrorText(systemMessage(e.SaveErr))}))
	}
	b.WriteString(" " + causeText(e.Err))
	if len(e.Uploads) > 0 {
		b.WriteString("\n" + tr("The uploads not recorded (CID and name):"))
		for _, f := range e.Uploads {
			b.WriteString("\n  " + f.History.Hash + "  " + inert.Line(f.History.Name))
		}
	}
	if e.SavedIn == "" && len(e.Added) > 0 {
		b.WriteString("\n" + tr("The files and folders added, not uploaded (add them again):"))
		for _, w := range e.Added {
			b.WriteString("\n  " + inert.Line(w.Path))
		}
	}
	return b.String()
}

// quitReasonText says why the window's quit could not record what it
// had: the history at path deleted or replaced while it ran, its journal
// (the -wal or the -shm), or, with the history in place (gone nil), a
// write that failed.
func quitReasonText(path string, gone *storage.ReplacedError) string {
	data := map[string]any{"Path": inert.Line(path)}
	switch {
	case gone == nil:
		return tr("The upload history {{.Path}} could not be written as the window quit.", data)
	case gone.Journal:
		data["Journal"] = inert.Line(gone.JournalFile())
		return tr("The journal of the upload history {{.Path}} ({{.Journal}}) was deleted or replaced while the window ran.", data)
	}
	return tr("The upload history {{.Path}} was deleted or replaced while the window ran.", data)
}

// causeText is the short text of err's cause, in parentheses, for the end
// of a sentence that says what to do.
func causeText(err error) string {
	return "(" + systemErrorText(systemMessage(err)) + ")"
}

// carryUnrecorded puts into the history the uploads an earlier window
// could not record as it quit (storage.DB.CarryUnrecorded), before the
// queue resumes, and says so: in which file they were kept, or which file
// could not be put into the history, why, and that it is kept.
func (a *App) carryUnrecorded() {
	carried, err := a.db.CarryUnrecorded()
	var says []string
	for _, p := range carried {
		says = append(says, tr("The uploads dStor Uploader could not record when it last quit are in the history now (they were kept in {{.File}}).",
			map[string]any{"File": inert.Line(filepath.Base(p))}))
	}
	says = append(says, unrecordedKeptTexts(err)...)
	if len(says) > 0 {
		a.showMessage(tr("History"), strings.Join(says, "\n\n"))
	}
}

// unrecordedKeptTexts says, for each file of uploads not recorded that
// err says could not be put into the history, that it is kept, and why;
// for each one carried but not removed, that its uploads are in the
// history and to remove it by hand (unrecordedKeptText).
func unrecordedKeptTexts(err error) []string {
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	says := make([]string, 0, len(errs))
	for _, e := range errs {
		says = append(says, unrecordedKeptText(e))
	}
	return says
}

// unrecordedKeptText is what unrecordedKeptTexts says of one error of
// storage.DB.CarryUnrecorded.
func unrecordedKeptText(err error) string {
	if kept, ok := errors.AsType[*storage.UnrecordedFileError](err); ok {
		return tr("{{.File}} holds uploads dStor Uploader could not record when it last quit, and it could not be put into the history ({{.Why}}). It is kept as it is: open it to read their links (CID and name), or start dStor Uploader again once the cause is fixed.",
			map[string]any{"File": inert.Line(kept.Path), "Why": systemErrorText(systemMessage(kept.Err))})
	}
	if left, ok := errors.AsType[*storage.CarriedNotRemovedError](err); ok {
		return tr("The uploads dStor Uploader could not record when it last quit, kept in {{.File}}, are in the history, but that file could not be removed ({{.Why}}). Remove it yourself: nothing in it is lost, and it is not put into the history again.",
			map[string]any{"File": inert.Line(left.Path), "Why": systemErrorText(systemMessage(left.Err))})
	}
	return errorText(err)
}
