package ui

import (
	"errors"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMessages(t *testing.T) {
	assert.Equal(t, "dStor rejected the email or password.", sentence("dStor rejected the email or password"),
		"the name keeps its spelling at the start of a sentence")
	assert.Equal(t, "Cannot reach x.", sentence("cannot reach x"))

	noOpener := &exec.Error{Name: "xdg-open", Err: exec.ErrNotFound}
	msg := openFailedText(noOpener)
	assert.Contains(t, msg, "no program to open web links")
	assert.Contains(t, msg, "copied to the clipboard")
	assert.NotContains(t, msg, "executable file not found")
	assert.Contains(t, openFailedText(errors.New("boom")), "did not open a web browser")

	assert.Equal(t, "1 file is still to upload. If you quit now, it is uploaded the next time you open dStor Uploader.", quitText(1))
	assert.Equal(t, "3 files are still to upload. If you quit now, they are uploaded the next time you open dStor Uploader.", quitText(3))
}
