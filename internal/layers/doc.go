// Package layers keeps the import graph as README's "How it is built"
// draws it: its test reads the picture from README.md and fails on an
// import that points up or sideways, on a package missing from the
// picture, and on Fyne outside the packages that show the window. It has
// no code of its own.
package layers
