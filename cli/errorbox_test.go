package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestErrorBoxKeepsWhatStderrGets(t *testing.T) {
	var stderr bytes.Buffer
	b := newErrorBox(&stderr)
	fmt.Fprintln(b, "dstor-uploader: cannot open the upload history")
	assert.Equal(t, "dstor-uploader: cannot open the upload history\n", stderr.String(), "stderr still gets it")
	assert.Equal(t, stderr.String(), b.text.String())

	fmt.Fprint(b, strings.Repeat("x", 2*maxErrorBoxText))
	assert.Equal(t, maxErrorBoxText, b.text.Len(), "the box keeps a few sentences, not a flood")
	assert.Greater(t, stderr.Len(), maxErrorBoxText, "stderr gets everything")

	n, err := newErrorBox(nil).Write([]byte("no stderr at all"))
	assert.NoError(t, err)
	assert.Equal(t, 16, n)
}
