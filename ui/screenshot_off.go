//go:build !screenshots

package ui

// screenshot is empty in the shipped binary: the screenshot tooling
// (screenshot.go) is built only with -tags screenshots, by make screenshots.
type screenshot struct{ state string }

func screenshotFromEnv() screenshot            { return screenshot{} }
func (screenshot) theme() string               { return "" }
func (a *App) startScreenshot(shot screenshot) {}
