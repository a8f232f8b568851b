package ui

import (
	"embed"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// catalogs are the window's translations, one go-i18n JSON file per
// language (translations/<tag>.json), English being the source every other
// catalog must match key for key (TestCatalogsComplete).
//
//go:embed translations
var catalogs embed.FS

// catalogDir is where catalogs keeps its files.
const catalogDir = "translations"

// windowLanguage is one language the window is translated into.
type windowLanguage struct {
	// Tag is the BCP 47 tag stored in the settings ("pt-BR").
	Tag string
	// File is the catalog's name under translations ("pt_BR.json").
	File string
	// Name is the language's own name, shown untranslated in Settings so
	// a person can find their language whatever the window speaks now.
	Name string
}

// languages are the window's languages in the order Settings lists them.
var languages = []windowLanguage{
	{"en", "en.json", "English"},
	{"de", "de.json", "Deutsch"},
	{"fr", "fr.json", "Français"},
	{"es", "es.json", "Español"},
	{"pt-BR", "pt_BR.json", "Português (Brasil)"},
	{"ru", "ru.json", "Русский"},
}

// languageByTag returns the language stored as tag, if the window has it.
func languageByTag(tag string) (windowLanguage, bool) {
	for _, l := range languages {
		if strings.EqualFold(l.Tag, tag) {
			return l, true
		}
	}
	return windowLanguage{}, false
}

// languageChoiceWorks says whether a language other than the system's can
// be chosen: Fyne picks the language from the system's locale list, which
// on Linux and the BSDs is read from the environment (LANGUAGE), and on
// Windows and macOS from the system itself, where no program can change it.
func languageChoiceWorks() bool {
	return runtime.GOOS != "windows" && runtime.GOOS != "darwin"
}

// catalogsLoaded is set once useLanguage has loaded the catalogs.
var catalogsLoaded atomic.Bool

// ensureCatalogs loads the catalogs in the system's language unless they
// are loaded already, so text made before the settings are read (and in
// tests without an App) is translated too. tr, trn and trKey, through
// which everything translates, call it first, and so does NewApp (for
// Fyne's own words, which the catalogs translate too). It is not a package init: loading the six
// catalogs took 20-90 ms of every command's start (GODEBUG=inittrace=1,
// 3.9 MB allocated), `upload` and `version` included, which never
// translate anything.
func ensureCatalogs() {
	if catalogsLoaded.Load() {
		return
	}
	languageMu.Lock()
	defer languageMu.Unlock()
	if catalogsLoaded.Load() {
		return
	}
	if err := useLanguageLocked(""); err != nil {
		catalogsLoaded.Store(true) // said once; the English keys show meanwhile
		fyne.LogError("window language", err)
	}
}

// useLanguage loads the catalogs and makes lang translate into choice, a
// tag of languages, or into the system's language when choice is "" or not
// one of them. It runs before any window text is made: text already on the
// screen keeps its language until it is made again.
func useLanguage(choice string) error {
	languageMu.Lock()
	defer languageMu.Unlock()
	return useLanguageLocked(choice)
}

// useLanguageLocked is useLanguage with languageMu held.
func useLanguageLocked(choice string) error {
	if l, ok := languageByTag(choice); ok && languageChoiceWorks() {
		if !languageSet {
			languageWas, languageHad = os.LookupEnv("LANGUAGE")
			languageSet = true
		}
		// LANGUAGE is the gettext list of preferred languages; Fyne's
		// locale lookup reads it before LC_ALL/LC_MESSAGES/LANG unless one
		// of those is "C". The catalog file name is the form it expects.
		if err := os.Setenv("LANGUAGE", strings.TrimSuffix(l.File, ".json")); err != nil {
			return fmt.Errorf("cannot choose the language %s: %w", l.Tag, err)
		}
	} else if languageSet {
		restoreLanguageEnv()
	}
	if err := lang.AddTranslationsFS(catalogs, catalogDir); err != nil {
		return fmt.Errorf("cannot load the translations: %w", err)
	}
	languageChoice = choice
	catalogsLoaded.Store(true)
	return nil
}

// activeLanguage is the choice useLanguage applied last.
func activeLanguage() string {
	languageMu.Lock()
	defer languageMu.Unlock()
	return languageChoice
}

// The LANGUAGE variable as it was before useLanguage first chose a
// language, put back when the choice returns to the system's language.
var (
	languageMu     sync.Mutex
	languageChoice string
	languageSet    bool
	languageWas    string
	languageHad    bool
)

// restoreLanguageEnv puts LANGUAGE back as it was; languageMu is held.
func restoreLanguageEnv() {
	if languageHad {
		_ = os.Setenv("LANGUAGE", languageWas)
	} else {
		_ = os.Unsetenv("LANGUAGE")
	}
	languageSet = false
}

// tr translates an English sentence (the key of every catalog), filling
// its {{.Name}} placeholders from data. It is lang.L; the name keeps call
// sites short and lets TestCatalogKeysUsed find every key in the code.
func tr(english string, data ...map[string]any) string {
	ensureCatalogs()
	if len(data) > 0 {
		return lang.L(english, data[0])
	}
	return lang.L(english)
}

// trn translates an English sentence with a count, picking the plural form
// the language needs for n ("1 file", "3 Dateien", "5 файлов"). The
// template gets the count, formatted for the locale, as {{.Count}}, plus
// data.
func trn(english string, n int, data ...map[string]any) string {
	ensureCatalogs()
	d := map[string]any{"Count": formatCount(n)}
	if len(data) > 0 {
		for k, v := range data[0] {
			d[k] = v
		}
	}
	return lang.N(english, n, d)
}

// localeMark returns one of the locale's conventions stored in the
// catalogs under "locale.*" (decimal and thousands separators), so they
// follow whichever language lang picked.
func localeMark(key, english string) string {
	return trKey("locale."+key, english)
}

// trKey is the text the catalogs keep under key, english when they have
// none, with its {{.Name}} placeholders from data. It is lang.X, for the
// words whose key is not their English sentence (dates, units, the locale's
// marks, the frame of an untranslated error).
func trKey(key, english string, data ...map[string]any) string {
	ensureCatalogs()
	if len(data) > 0 {
		return lang.X(key, english, data[0])
	}
	return lang.X(key, english)
}
