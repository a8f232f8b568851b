package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestPastedPasswordLineSignsIn: a password copied as a whole line (from
// a terminal, a file, a password manager's note) comes with its line end,
// which the one-line password field turns into a space ("\r " for
// Windows' "\r\n"), so dStor refused a right password as wrong. Pasted
// whole, the line signs in without its end, as `login` reads a line, and
// "Remember me" keeps it so; spaces the person typed around a password
// stay part of it.
func TestPastedPasswordLineSignsIn(t *testing.T) {
	const spaced = " spaced password "
	tests := []struct {
		name, clipboard, typed, password string
	}{
		{"pasted with \\n", spaced + "\n", "", spaced},
		{"pasted with \\r\\n", spaced + "\r\n", "", spaced},
		{"typed, spaces around it", "unrelated\n", spaced, spaced},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := testutil.StartSandbox(t, sandbox.Config{})
			const email = "spaced@example.com"
			_, err := sb.Srv.CreateAccount(email, spaced)
			assert.NoError(t, err)
			e := newTestEnv(t)
			e.ui(func() {
				v := e.a.signin
				v.env.SetSelected(choiceCustom)
				v.customBase.SetText(sb.URL)
				v.methods.Select(v.loginTab)
				v.email.SetText(email)
				v.remember.SetChecked(true)
				e.a.fyne.Clipboard().SetContent(tt.clipboard)
				if tt.typed != "" {
					test.Type(v.password, tt.typed)
				} else {
					v.password.TypedShortcut(&fyne.ShortcutPaste{Clipboard: e.a.fyne.Clipboard()})
				}
				test.Tap(v.loginSubmit)
			})
			e.eventually(func() bool { return e.a.sess != nil || e.a.signin.loginError.Visible() }, "signed in or refused")
			e.ui(func() {
				assert.False(t, e.a.signin.loginError.Visible(), e.a.signin.loginError.Text)
			})
			kept, err := e.a.secrets.Get(sb.Env.Key(), email, storage.SecretPassword)
			assert.NoError(t, err)
			assert.Equal(t, tt.password, kept, "Remember me keeps the password as it signed in")
		})
	}
}
