package ui

import (
	"runtime"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// validationText is the window's sentence for a value a check refused
// (api.ValidationError), by its field and problem; "" where it has none
// (api's English sentence then).
func validationText(ve *api.ValidationError) string {
	data := map[string]any{"Max": ve.Limit, "N": ve.Length}
	switch ve.Field {
	case "email":
		return emailProblemText(ve.Problem, data)
	case "comment":
		switch ve.Problem {
		case api.ProblemNotText:
			return tr("The comment is not valid text. Type it again.")
		case api.ProblemControl:
			return tr("The comment must be one line, without tabs or line breaks. Remove them.")
		case api.ProblemTooLong:
			return tr("The comment is too long: at most {{.Max}} bytes, this one has {{.N}}. Shorten it.", data)
		}
	case "folder path":
		return folderPathProblemText(ve.Problem, data)
	case "parent id":
		if ve.Problem == api.ProblemNegative {
			return tr("The parent folder id must be 0 (the root folder) or a positive number.")
		}
	}
	return ""
}

// emailProblemText words what is wrong with an email address.
func emailProblemText(p api.Problem, data map[string]any) string {
	switch p {
	case api.ProblemEmpty:
		return tr("Enter your email address.")
	case api.ProblemNotText:
		return tr("The email address is not valid text. Type it again.")
	case api.ProblemSpaces:
		return tr("The email address must not contain spaces or control characters. Check for a stray space.")
	case api.ProblemTooLong:
		return tr("The email address is too long: at most {{.Max}} characters.", data)
	case api.ProblemNotEmail:
		return tr("This is not an email address like name@example.com. Check it.")
	}
	return ""
}

// folderPathProblemText words what is wrong with a destination folder
// path.
func folderPathProblemText(p api.Problem, data map[string]any) string {
	switch p {
	case api.ProblemNotText:
		return tr("The folder path is not valid text. Type it again.")
	case api.ProblemControl:
		return tr("The folder path must be one line, without tabs or line breaks. Remove them.")
	case api.ProblemTooLong:
		return tr("The folder path is too long: at most {{.Max}} bytes, this one has {{.N}}. Shorten it.", data)
	case api.ProblemNotAbsolute:
		return tr("The folder path must start with / (for example /photos/2026/).")
	case api.ProblemDotDot:
		return tr("The folder path must not contain “..”. Write the folder's full path from / instead.")
	}
	return ""
}

// keyringText says why the system keyring keeps no secrets, and what to
// do, in the window's language, from its state and the error its probe met
// (storage.SecretStore.State); "" when it keeps them.
func keyringText(state storage.KeyringState, err error) string {
	switch state {
	case storage.KeyringOff:
		return tr("The keyring is turned off (--no-keyring): your sign-in is kept only until you quit.")
	case storage.KeyringNoSession:
		return tr("No D-Bus session is running, so no Secret Service (GNOME Keyring, KWallet) can be reached: your sign-in is kept only until you quit. Run the app in a desktop session with an unlocked keyring (or under dbus-run-session) to have it remembered.")
	case storage.KeyringTimedOut:
		return tr("The system keyring did not answer in time: your sign-in is kept only until you quit. Unlock {{.Keyring}} and restart the app to have it remembered.",
			map[string]any{"Keyring": systemKeyringName()})
	case storage.KeyringFailed:
		why := ""
		if err != nil {
			why = err.Error()
		}
		return tr("No working keyring was found ({{.Why}}): your sign-in is kept only until you quit. Install and unlock {{.Keyring}} to have it remembered.",
			map[string]any{"Keyring": systemKeyringName(), "Why": why})
	}
	return ""
}

// systemKeyringName names this system's keyring as the object of "Unlock
// …" and "Install and unlock …" (its translations are in that case).
func systemKeyringName() string {
	switch runtime.GOOS {
	case "darwin":
		return tr("the macOS Keychain")
	case "windows":
		return tr("the Windows Credential Manager")
	}
	return tr("a Secret Service keyring (GNOME Keyring or KWallet)")
}
