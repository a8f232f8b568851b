package ui

import (
	"errors"
	"runtime"
	"strconv"

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
		switch ve.Problem {
		case api.ProblemNegative:
			return tr("The parent folder id must be 0 (the root folder) or a positive number.")
		case api.ProblemNotNumber:
			return tr("The parent folder id must be a whole number, like 1234.")
		case api.ProblemTooBig:
			return tr("The parent folder id is too big: folder ids are at most {{.Max}}. Check it.",
				map[string]any{"Max": strconv.FormatInt(api.MaxParentID, 10)})
		}
	case "api base", "upload url", "gateway url":
		return envURLProblemText(ve)
	case "file":
		return fileProblemText(ve.Problem, ve.Detail)
	}
	return ""
}

// envURLProblemText words what is wrong with one of a custom environment's
// URLs; the URL itself is named only where the check gives it (Detail:
// only text that is a URL with a host name and no user name or password,
// never an API key or a token pasted into the field).
func envURLProblemText(ve *api.ValidationError) string {
	data := map[string]any{"URL": ve.Detail, "What": envURLName(ve.Field)}
	switch ve.Problem {
	case api.ProblemEmpty:
		if ve.Field == "api base" {
			return tr("Enter the API base URL of the dStor server, for example https://api.dstor.cloud.")
		}
		return tr("{{.What}} is empty. Enter it, or choose Production or Testnet.", data)
	case api.ProblemNotURL:
		return tr("{{.What}} is not a valid address. Write it like https://api.dstor.cloud.", data)
	case api.ProblemUserInfo:
		return tr("{{.What}} must not contain a user name or password: they go in the sign-in form, never in an address.", data)
	case api.ProblemScheme:
		if ve.Detail == "" {
			return tr("{{.What}} must start with https://.", data)
		}
		return tr("{{.What}} “{{.URL}}” must start with https://.", data)
	case api.ProblemNoHost:
		return tr("{{.What}} has no host name.", data)
	case api.ProblemCleartext:
		if meant, ok := api.LocalhostMeant(ve.Detail); ok {
			data["Meant"] = meant
			return tr("{{.What}} “{{.URL}}” uses http:// to “localhost.”: with its final dot, that name is looked up in DNS, which may name another computer, so the API key, password and token could cross the network unencrypted. Write {{.Meant}}, without the dot.", data)
		}
		return tr("{{.What}} “{{.URL}}” uses http://, so the API key, password and token would cross the network unencrypted. Use https://, or http:// only for this computer (127.0.0.1, ::1 or localhost).", data)
	case api.ProblemQuery:
		return tr("{{.What}} “{{.URL}}” must not contain a query (?…) or a fragment (#…).", data)
	}
	return ""
}

// envURLName names a custom environment's URL by the field of its check,
// as the subject that starts a sentence.
func envURLName(field string) string {
	switch field {
	case "upload url":
		return tr("The upload URL")
	case "gateway url":
		return tr("The gateway URL")
	}
	return tr("The API base URL")
}

// fileProblemText words what the checks before an upload found wrong
// with a file (api.ValidationError's Problem and Detail for the field
// "file"); the queue row names the file, so the sentence does not.
func fileProblemText(p api.Problem, detail string) string {
	switch p {
	case api.ProblemEmpty:
		return tr("Choose a file or folder to upload.")
	case api.ProblemNotExist:
		return tr("The file is gone: it was moved or deleted. Add it again from where it is now.")
	case api.ProblemDenied:
		return tr("This file cannot be read: permission denied.")
	case api.ProblemUnreadable:
		return fileUnreadableText(detail)
	case api.ProblemIsFolder:
		return tr("This is a folder, not a file. Add it as a folder to upload the files inside it.")
	case api.ProblemChangedOpening:
		return tr("The file was replaced while it was being opened. Try again.")
	}
	return windowsFileProblemText(p, detail)
}

// windowsFileProblemText words the file problems only Windows reports, and
// a path too long, which other systems report too.
func windowsFileProblemText(p api.Problem, detail string) string {
	switch p {
	case api.ProblemOnlineOnly:
		return tr("This is an online-only file (OneDrive or another cloud service) that could not be downloaded. Make it available on this computer (in Explorer: right-click it, Always keep on this device), or check that the service's app is running and online, then try again.")
	case api.ProblemLocked:
		return tr("This file is open in another program that does not let others read it. Close that program (or wait until it is done with the file), then try again.")
	case api.ProblemDriveNotReady:
		return tr("This file is on a drive that is not ready. Insert the disk or reconnect the drive, then try again.")
	case api.ProblemShareUnreachable:
		return tr("This file is on a network share that cannot be reached. Check that the computer sharing it is on and that you are signed in to the share, then try again.")
	case api.ProblemPathTooLong:
		if runtime.GOOS != "windows" {
			return tr("This file's path is longer than the system allows. Move it to a folder with a shorter path, then try again.")
		}
		return tr("This file's path is longer than Windows allows here. Move it to a folder with a shorter path, then try again.")
	case api.ProblemInvalidPath:
		return tr("This is not a valid Windows path: a name cannot contain < > : \" | ? * or end with a dot or a space.")
	case api.ProblemCannotAccess:
		return tr("Windows cannot open this file: it is a link or special file of a kind Windows cannot read here (a symbolic link made in WSL, say). Add the file it leads to instead, or a copy of it.")
	case api.ProblemReservedName:
		return tr("Windows keeps the name “{{.Name}}” for a device, so it cannot be read as a file. Rename it (for example to “_{{.Name}}”), then try again.",
			map[string]any{"Name": detail})
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
	case api.ProblemBlank:
		return tr("The folder path is only spaces. Clear it to upload to the account's root, or type a path like /photos/2026/.")
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
		why := systemErrorText(systemMessage(err))
		data := map[string]any{"Keyring": systemKeyringName(), "Why": why}
		if why == "" {
			return tr("No working keyring was found: your sign-in is kept only until you quit. Install and unlock {{.Keyring}} to have it remembered.", data)
		}
		return tr("No working keyring was found ({{.Why}}): your sign-in is kept only until you quit. Install and unlock {{.Keyring}} to have it remembered.", data)
	}
	return ""
}

// keyringKeptText says that signing out left the credentials in the
// keyring, which refused to delete them (err), and how to remove them:
// the account is no longer remembered, so no sign-out can be retried
// without signing in again.
func keyringKeptText(err error) string {
	why := systemErrorText(systemMessage(err))
	if errors.Is(err, storage.ErrKeyringTimeout) {
		why = tr("it did not answer in time")
	}
	if why == "" {
		return tr("Signed out, but the keyring did not delete your credentials, so it still holds them. To remove them, sign in to this account again and sign out once the keyring works, or delete the entries named “dstor-uploader” with your system's keyring app.")
	}
	return tr("Signed out, but the keyring did not delete your credentials ({{.Why}}), so it still holds them. To remove them, sign in to this account again and sign out once the keyring works, or delete the entries named “dstor-uploader” with your system's keyring app.",
		map[string]any{"Why": why})
}

// systemMessage is the system's own words in err: the innermost error's
// text, without what the program's wrapping added before it ("store a
// test entry: …"), which is English; "" for no error.
func systemMessage(err error) string {
	for err != nil {
		var inner error
		switch e := err.(type) {
		case interface{ Unwrap() error }:
			inner = e.Unwrap()
		case interface{ Unwrap() []error }: // errors.Join: its first error
			if errs := e.Unwrap(); len(errs) > 0 {
				inner = errs[0]
			}
		}
		if inner == nil {
			return err.Error()
		}
		err = inner
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
