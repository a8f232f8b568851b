package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestLongEmailKeepsTheWindowSmall: an account whose email is far longer
// than most (113 characters) fits the header of a 640 px window, as every
// screen does, and stays identifiable: the header keeps the email's start
// and its domain. Its full text pushed the window's least width to
// 1,427 px, wider than many screens.
func TestLongEmailKeepsTheWindowSmall(t *testing.T) {
	email := strings.Repeat("first.middle.last.", 5) + "department-of-long-names@subdomain.example.com"
	require.Len(t, email, 136)
	const password = "long-email-password-1"
	sb := testutil.StartSandbox(t, sandbox.Config{})
	_, err := sb.Srv.CreateAccount(email, password)
	require.NoError(t, err)
	e := newTestEnv(t)
	a := e.a
	e.signInPassword(sb, email, password, false)
	e.ui(func() {
		require.Equal(t, email, a.sess.Account, "the account itself is the whole email")
		shown := a.accountLabel.Text
		assert.True(t, strings.HasPrefix(shown, "first.middle."), "its start: %q", shown)
		assert.True(t, strings.HasSuffix(shown, "@subdomain.example.com"), "its domain: %q", shown)
		assert.LessOrEqual(t, a.win.Content().MinSize().Width, float32(640), "the window's least width")

		a.win.Resize(fyne.NewSize(640, 480))
		shown = a.accountLabel.Text
		assert.Contains(t, shown, "…", "shortened to the room")
		assert.True(t, strings.HasPrefix(shown, "first."), "its start: %q", shown)
		assert.True(t, strings.HasSuffix(shown, ".com"), "its end: %q", shown)
		box := a.accountBox
		assert.GreaterOrEqual(t, box.Objects[0].Position().X, float32(0), "its icon within its room")
		assert.LessOrEqual(t, a.accountLabel.Position().X+a.accountLabel.Size().Width, box.Size().Width)
		abs := fyne.CurrentApp().Driver().AbsolutePositionForObject
		assert.LessOrEqual(t, abs(box).X+box.Size().Width, abs(a.envLabel).X, "left of the environment")
	})
}
