package assets

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIconIsASquarePNG(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(Icon.Content()))
	require.NoError(t, err)
	b := img.Bounds()
	assert.Equal(t, b.Dx(), b.Dy(), "icon must be square")
	assert.GreaterOrEqual(t, b.Dx(), 256, "icon must be large enough for desktop packages")
}

func TestIconSVGIsSVG(t *testing.T) {
	assert.Contains(t, string(IconSVG.Content()), "<svg")
}
