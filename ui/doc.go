// Package ui is the desktop window of dStor Uploader: sign-in, the upload
// queue and the history, one file per screen. It is the only package besides
// main and assets that knows Fyne exists; everything it shows comes from the
// api, api/worker and storage packages.
package ui
