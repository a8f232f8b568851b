// Package assets holds the resources embedded in the app binary: the icon
// (PNG for the window, tray and packages; SVG for themes that scale it).
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

//go:embed icon.svg
var iconSVG []byte

// Icon is the app icon as a Fyne resource, so the window, the tray and
// notifications show the same picture without reading files at run time.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)

// IconSVG is the scalable icon, for places that render vectors crisply.
var IconSVG = fyne.NewStaticResource("icon.svg", iconSVG)
