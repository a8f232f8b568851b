//go:build linux

package ui

// The desktop's file chooser on Linux is GTK's, loaded only when the first
// chooser opens (dlopen): linking GTK made every start of the program, the
// command line's included, load its 73 shared libraries (about 0.1 s on
// this project's machine), and initialise GTK, for a dialog most runs
// never show.

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

// GTK 3's values (gtk/gtkfilechooser.h, gtk/gtkdialog.h).
enum { CHOOSE_OPEN = 0, CHOOSE_SAVE = 1, CHOOSE_FOLDER = 2 };
enum { RESPONSE_ACCEPT = -3, RESPONSE_CANCEL = -6 };

static struct {
	int state; // 0 not tried, 1 loaded and initialised, -1 unavailable
	void (*disable_setlocale)(void);
	int (*init_check)(int *, char ***);
	void *(*dialog_new)(const char *, void *, int, const char *, ...);
	void *(*filter_new)(void);
	void (*filter_set_name)(void *, const char *);
	void (*filter_add_pattern)(void *, const char *);
	void (*add_filter)(void *, void *);
	void (*set_current_name)(void *, const char *);
	void (*set_overwrite_confirmation)(void *, int);
	int (*dialog_run)(void *);
	char *(*get_filename)(void *);
	void (*widget_destroy)(void *);
	int (*events_pending)(void);
	int (*main_iteration)(void);
	void (*g_free)(void *);
	const char *(*g_dgettext)(const char *, const char *);
} gtk;

#define GTK_SYM(field, name) if (!(*(void **)(&gtk.field) = dlsym(lib, name))) return -1;

// gtk_resolve finds every function the chooser calls in lib.
static int gtk_resolve(void *lib) {
	GTK_SYM(disable_setlocale, "gtk_disable_setlocale")
	GTK_SYM(init_check, "gtk_init_check")
	GTK_SYM(dialog_new, "gtk_file_chooser_dialog_new")
	GTK_SYM(filter_new, "gtk_file_filter_new")
	GTK_SYM(filter_set_name, "gtk_file_filter_set_name")
	GTK_SYM(filter_add_pattern, "gtk_file_filter_add_pattern")
	GTK_SYM(add_filter, "gtk_file_chooser_add_filter")
	GTK_SYM(set_current_name, "gtk_file_chooser_set_current_name")
	GTK_SYM(set_overwrite_confirmation, "gtk_file_chooser_set_do_overwrite_confirmation")
	GTK_SYM(dialog_run, "gtk_dialog_run")
	GTK_SYM(get_filename, "gtk_file_chooser_get_filename")
	GTK_SYM(widget_destroy, "gtk_widget_destroy")
	GTK_SYM(events_pending, "gtk_events_pending")
	GTK_SYM(main_iteration, "gtk_main_iteration")
	GTK_SYM(g_free, "g_free")
	GTK_SYM(g_dgettext, "g_dgettext")
	return 0;
}

// gtk_load loads GTK 3 once; with init, it also initialises it (which
// needs a display). It returns 0 when GTK is ready for what was asked.
static int gtk_load(int init) {
	if (gtk.state == 0) {
		void *lib = dlopen("libgtk-3.so.0", RTLD_NOW | RTLD_GLOBAL);
		gtk.state = (lib != NULL && gtk_resolve(lib) == 0) ? 2 : -1;
	}
	if (gtk.state == 2 && init) {
		// gtk_init would set the whole C locale, numbers included, while
		// other threads (OpenGL's) may be using it; the messages' part is
		// all GTK needs to speak the desktop's language.
		gtk.disable_setlocale();
		setlocale(LC_MESSAGES, "");
		gtk.state = gtk.init_check(NULL, NULL) ? 1 : -1;
	}
	return gtk.state > 0 ? 0 : -1;
}

// gtk_choose shows a file chooser and waits for the person: 0 with *out
// set (free it) when a path was chosen, 1 when canceled, -1 when GTK
// cannot show one here.
static int gtk_choose(const char *title, int action, const char *filter_name,
		const char *filter_pattern, const char *start_name, char **out) {
	if (gtk_load(1) != 0) {
		return -1;
	}
	const char *accept = action == CHOOSE_SAVE ? "_Save" : "_Open";
	void *dlg = gtk.dialog_new(title, NULL, action,
		gtk.g_dgettext("gtk30", "_Cancel"), RESPONSE_CANCEL,
		gtk.g_dgettext("gtk30", accept), RESPONSE_ACCEPT, NULL);
	if (dlg == NULL) {
		return -1;
	}
	if (filter_pattern != NULL) {
		void *filter = gtk.filter_new();
		gtk.filter_set_name(filter, filter_name);
		gtk.filter_add_pattern(filter, filter_pattern);
		gtk.add_filter(dlg, filter);
	}
	if (start_name != NULL) {
		gtk.set_current_name(dlg, start_name);
	}
	gtk.set_overwrite_confirmation(dlg, 1);
	int res = gtk.dialog_run(dlg);
	*out = NULL;
	if (res == RESPONSE_ACCEPT) {
		char *name = gtk.get_filename(dlg);
		if (name != NULL) {
			*out = strdup(name);
			gtk.g_free(name);
		}
	}
	gtk.widget_destroy(dlg);
	// Without a GTK main loop, the dialog leaves the screen only once
	// its pending events are handled.
	while (gtk.events_pending()) {
		gtk.main_iteration();
	}
	return *out != NULL ? 0 : 1;
}
*/
import "C"

import (
	"unsafe"
)

// showChooser shows c with GTK 3, loaded on first use. The caller holds
// nativeMu on a locked OS thread.
func showChooser(c chooser) (path string, canceled bool, err error) {
	title := C.CString(c.title)
	defer C.free(unsafe.Pointer(title))
	var filterName, filterPattern, startName *C.char
	if c.filterExt != "" {
		filterName, filterPattern = C.CString(c.filterName), C.CString("*."+c.filterExt)
		defer C.free(unsafe.Pointer(filterName))
		defer C.free(unsafe.Pointer(filterPattern))
	}
	if c.startName != "" {
		startName = C.CString(c.startName)
		defer C.free(unsafe.Pointer(startName))
	}
	var out *C.char
	switch C.gtk_choose(title, gtkAction(c.kind), filterName, filterPattern, startName, &out) {
	case 0:
		defer C.free(unsafe.Pointer(out))
		return C.GoString(out), false, nil
	case 1:
		return "", true, nil
	}
	return "", false, errUseFyneDialog
}

// gtkAction is GTK's GtkFileChooserAction for kind.
func gtkAction(kind chooserKind) C.int {
	switch kind {
	case chooseSave:
		return C.CHOOSE_SAVE
	case chooseFolder:
		return C.CHOOSE_FOLDER
	}
	return C.CHOOSE_OPEN
}

// gtkLoadable reports whether GTK 3 can be loaded and has every function
// showChooser calls (without initialising it, which needs a display).
func gtkLoadable() bool {
	nativeMu.Lock()
	defer nativeMu.Unlock()
	return C.gtk_load(0) == 0
}
