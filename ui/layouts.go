package ui

import (
	"math"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// pairLayout puts two rows side by side or one above the other, as its
// wide field says: the destination and the comment take one line in a
// wide window and two in a small one, leaving the queue more room. The
// upload tab's adaptLayout sets wide (fit) from the window's width before
// anything is laid out, so the height Fyne gives the pair is right. Its
// minimum width is always the stacked one, so the window can be narrowed.
type pairLayout struct {
	side float32 // the least width of each side, side by side
	wide bool
}

// fit chooses side by side when width gives each of objs its minimum and
// at least side.
func (l *pairLayout) fit(width float32, objs []fyne.CanvasObject) {
	if len(objs) != 2 {
		return
	}
	a, b := objs[0].MinSize(), objs[1].MinSize()
	l.wide = width >= 2*fyne.Max(l.side, fyne.Max(a.Width, b.Width))+theme.Padding()
}

func (l *pairLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 2 {
		return
	}
	pad := theme.Padding()
	if l.wide {
		w := (size.Width - pad) / 2
		for i, o := range objs {
			o.Resize(fyne.NewSize(w, size.Height))
			o.Move(fyne.NewPos(float32(i)*(w+pad), 0))
		}
		return
	}
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height
		o.Resize(fyne.NewSize(size.Width, h))
		o.Move(fyne.NewPos(0, y))
		y += h + pad
	}
}

func (l *pairLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		s.Width = fyne.Max(s.Width, m.Width)
		switch {
		case l.wide:
			s.Height = fyne.Max(s.Height, m.Height)
		case i > 0:
			s.Height += theme.Padding() + m.Height
		default:
			s.Height = m.Height
		}
	}
	return s
}

// minHeightLayout gives its one object at least height, so that the queue
// shows whole rows even at the window's minimum size (the window's minimum
// grows instead).
type minHeightLayout struct{ height float32 }

func (l minHeightLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l minHeightLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return fyne.NewSize(s.Width, fyne.Max(s.Height, l.height))
}

// toolbarLayout lays out a summary and a row of buttons: the buttons at
// the right with their labels when the toolbar is at least labelsFrom
// wide and the labelled buttons leave the summary room for its widest
// part, else with their icons alone, so the summary stays readable in a
// small window. (The labelled width is measured from the labels, not
// from the buttons as shown, which change with the choice and would make
// the layout flip back and forth; German labels are so long that a fixed
// width alone cut the summary short in a window 800 points wide.) The
// summary's parts are joined by " · " on as many lines as the
// room left of the buttons needs, a line broken only between two parts:
// a German or Russian summary with a speed and a limit is wider than that
// room in a small window, and cut short it lost them.
type toolbarLayout struct {
	labelsFrom float32
	summary    *widget.Label
	parts      []string // the summary's parts ("2 of 10 uploaded", "4.9 MB/s")
	room       float32  // the summary's width at the last layout; 0 before
	width      float32  // the toolbar's width at the last layout; 0 before
	row        fyne.CanvasObject
	buttons    []*iconButton
	labels     []string
	labelled   float32 // the row's width with its labels; 0 until measured
	on         bool    // the labels are shown
}

// summarySeparator joins the summary's parts on one line.
const summarySeparator = " · "

// setLabel changes button i's label (Pause, Resume), shown if labels are.
func (l *toolbarLayout) setLabel(i int, label string) {
	if l.labels[i] != label {
		l.labelled = 0 // to be measured again
	}
	l.labels[i] = label
	l.buttons[i].name = label
	if l.on && l.buttons[i].Text != label {
		l.buttons[i].SetText(label)
	}
}

// setSummary shows parts in the summary, broken into lines for its room.
func (l *toolbarLayout) setSummary(parts []string) {
	if slices.Equal(parts, l.parts) {
		return // measured already, for this room
	}
	l.parts = parts
	if l.row != nil {
		l.fitLabels(l.width) // the widest part may be another
	}
	l.showSummary()
}

// showSummary sets the summary's text: its parts on the lines the room
// holds. A part wider than the room alone (a window far narrower than its
// minimum) is cut with "…" by the label.
func (l *toolbarLayout) showSummary() {
	fits := func(line string) bool { return l.room <= 0 || l.lineWidth(line) <= l.room }
	var lines []string
	for _, p := range l.parts {
		if n := len(lines); n > 0 && fits(lines[n-1]+summarySeparator+p) {
			lines[n-1] += summarySeparator + p
		} else {
			lines = append(lines, p)
		}
	}
	if text := strings.Join(lines, "\n"); l.summary.Text != text {
		l.summary.SetText(text) // a new height is laid out on the next frame
	}
}

func (l *toolbarLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 2 {
		return
	}
	summary, row := objs[0], objs[1]
	l.row = row
	if l.fitLabels(size.Width) {
		l.showSummary()
	}
	rs := row.MinSize()
	row.Resize(rs)
	row.Move(fyne.NewPos(size.Width-rs.Width, (size.Height-rs.Height)/2))
	summary.Resize(fyne.NewSize(l.room, size.Height))
	summary.Move(fyne.NewPos(0, 0))
}

// fitLabels shows the buttons' labels if a toolbar width wide has room
// for them and for the summary's widest part beside them, and sets the
// summary's room; it reports whether that room changed.
func (l *toolbarLayout) fitLabels(width float32) bool {
	l.width = width
	pad := theme.Padding()
	var widest float32
	for _, p := range l.parts {
		widest = fyne.Max(widest, l.lineWidth(p))
	}
	l.setLabels(width >= l.labelsFrom && width-l.labelledWidth()-pad >= widest)
	room := fyne.Max(width-l.row.MinSize().Width-pad, 0)
	changed := room != l.room
	l.room = room
	return changed
}

// lineWidth is the room the summary needs to show line whole. Fyne cuts
// a label's line to the whole points of its room (a fraction of a point
// short put "…" at its end), so the text's width is rounded up, and one
// point more covers the room's own fraction.
func (l *toolbarLayout) lineWidth(line string) float32 {
	th := l.summary.Theme()
	w := fyne.MeasureText(line, th.Size(theme.SizeNameText), l.summary.TextStyle).Width
	return float32(math.Ceil(float64(w))) + 1 + 2*th.Size(theme.SizeNameInnerPadding)
}

// labelledWidth is the width of the buttons' row with their labels, as
// the row lays them out, whether they are shown now or not.
func (l *toolbarLayout) labelledWidth() float32 {
	if l.labelled == 0 {
		w := theme.Padding() * float32(len(l.buttons)-1)
		for i, b := range l.buttons {
			w += widget.NewButtonWithIcon(l.labels[i], b.Icon, nil).MinSize().Width
		}
		l.labelled = w
	}
	return l.labelled
}

// setLabels shows the buttons' labels, or hides them.
func (l *toolbarLayout) setLabels(on bool) {
	l.on = on
	for i, b := range l.buttons {
		want := ""
		if on {
			want = l.labels[i]
		}
		if b.Text != want {
			b.SetText(want)
		}
	}
}

// MinSize is as wide as the buttons and a little of the summary (it cuts
// a part with "…" only in a window narrower than the window's minimum),
// and as high as the summary's lines at the last layout's width.
func (l *toolbarLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width += m.Width
		s.Height = fyne.Max(s.Height, m.Height)
	}
	return s
}

// tabBarEndLayout places its object (the toast) at the right end of the
// tabs' bar, after the last tab, as wide as the free room allows: over
// the empty part of the bar, never over the tabs' content.
type tabBarEndLayout struct {
	tabs *container.AppTabs
	want func() float32 // the width the object's content asks for
}

func (l *tabBarEndLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	// The bar is as tall as a tab's button; the tabs are as wide as their
	// labels and icons. Both measured as Fyne lays out a tab's button: its
	// icon, a padding, its label, an inner padding each side; a padding
	// between two buttons.
	barH := theme.IconInlineSize() + 2*theme.InnerPadding() + 2*theme.Padding()
	pad := theme.Padding()
	var tabsW float32
	for i, it := range l.tabs.Items {
		if i > 0 {
			tabsW += pad
		}
		tabsW += theme.IconInlineSize() + pad +
			fyne.MeasureText(it.Text, theme.TextSize(), fyne.TextStyle{Bold: true}).Width + 2*theme.InnerPadding()
	}
	for _, o := range objs {
		m := o.MinSize()
		w := fyne.Min(fyne.Max(size.Width-tabsW-2*pad, 0), fyne.Max(m.Width, l.want()))
		h := fyne.Min(m.Height, barH)
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos(size.Width-w-pad, (barH-h)/2))
	}
}

func (l *tabBarEndLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }

// adaptLayout fills its size with its one object, after letting adapt
// change what the object shows at that size (a secondary line a short
// window cannot spare, one line or two for a pair), so that the object's
// minimum size is the right one when it is laid out.
type adaptLayout struct {
	adapt func(fyne.Size)
}

func (l *adaptLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.adapt(size)
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *adaptLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// cidLineLayout lays out a history row's second line: the CID, the marks
// (verified, live, Check again), then the details. The CID is shown whole
// when the line leaves the details at least detailRoom, else shortened
// (start…end), so a wide window shows CIDs in full and a narrow one still
// shows the rest. The optional mark (live), when optionalDrops, gives way
// when it would leave the details (size, date, folder) less than
// detailMin. A line too narrow for the marks' words has them made compact
// (compact), and whatever still does not fit is cut at the line's end:
// nothing is ever drawn past the line, over the row's buttons.
type cidLineLayout struct {
	hash          *widget.Label
	full          string // the whole CID of the row shown
	detailRoom    float32
	optional      fyne.CanvasObject
	optionalDrops bool
	detailMin     float32
	// compact, when set, makes the marks narrower (true) or gives them
	// their words back (false).
	compact   func(bool)
	compacted bool
	wideNeed  float32 // the width the marks needed with their words
}

// reset gives the marks their words back, for a row shown again.
func (l *cidLineLayout) reset() {
	if l.compacted && l.compact != nil {
		l.compact(false)
	}
	l.compacted = false
}

func (l *cidLineLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) < 2 {
		return
	}
	marks, detail := objs[1:len(objs)-1], objs[len(objs)-1]
	l.fitCompact(marks, size.Width)
	l.fitOptional(marks, size.Width)
	style := l.hash.TextStyle
	text := shortHash(l.full)
	fullW := fyne.MeasureText(l.full, theme.CaptionTextSize(), style).Width + 2*theme.InnerPadding()
	if size.Width-fullW-l.marksWidth(marks) >= l.detailRoom {
		text = l.full
	}
	if l.hash.Text != text {
		l.hash.SetText(text)
	}
	x := float32(0)
	for _, o := range objs[:len(objs)-1] {
		if !o.Visible() {
			continue
		}
		w := min(naturalWidth(o), fyne.Max(size.Width-x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos(x, 0))
		x += w
	}
	// A label too narrow for even "…" would draw its whole text past its
	// end: with no room left the details are not shown.
	room := size.Width - x
	if show := room >= 2*theme.InnerPadding()+fyne.MeasureText("…", theme.CaptionTextSize(), fyne.TextStyle{}).Width+1; show != detail.Visible() {
		if show {
			detail.Show()
		} else {
			detail.Hide()
		}
	}
	detail.Resize(fyne.NewSize(fyne.Max(room, 0), size.Height))
	detail.Move(fyne.NewPos(x, 0))
}

// marksWidth is the width the visible marks take with their text whole.
func (l *cidLineLayout) marksWidth(marks []fyne.CanvasObject) float32 {
	w := float32(0)
	for _, m := range marks {
		if m.Visible() {
			w += naturalWidth(m)
		}
	}
	return w
}

// fitCompact makes the marks compact when the shortened CID and the marks
// with their words do not fit in width, and gives them their words back
// once they do.
func (l *cidLineLayout) fitCompact(marks []fyne.CanvasObject, width float32) {
	if l.compact == nil {
		return
	}
	hashW := fyne.MeasureText(shortHash(l.full), theme.CaptionTextSize(), l.hash.TextStyle).Width + 2*theme.InnerPadding()
	if l.compacted && l.wideNeed <= width {
		l.compact(false)
		l.compacted = false
	}
	if !l.compacted {
		if need := hashW + l.marksWidth(marks); need > width {
			l.wideNeed = need
			l.compact(true)
			l.compacted = true
		}
	}
}

// naturalWidth is the width o takes uncut: a label cut short with an
// ellipsis has the width of its whole text, not its (tiny) MinSize.
func naturalWidth(o fyne.CanvasObject) float32 {
	switch o := o.(type) {
	case *widget.Label:
		if o.Truncation != fyne.TextTruncateOff {
			return labelTextWidth(o, o.Text)
		}
	case *fyne.Container:
		w := float32(0)
		for _, c := range o.Objects {
			if c.Visible() {
				w = fyne.Max(w, naturalWidth(c))
			}
		}
		return w
	}
	return o.MinSize().Width
}

// labelTextWidth is the width label l needs to draw s uncut.
func labelTextWidth(l *widget.Label, s string) float32 {
	size := theme.TextSize()
	if l.SizeName != "" {
		size = theme.Size(l.SizeName)
	}
	// Two pixels more: Fyne cuts a text at a whole pixel, measured its own way.
	return fyne.MeasureText(s, size, l.TextStyle).Width + 2*theme.InnerPadding() + 2
}

// fitOptional shows the optional mark when the details keep detailMin
// beside the shortened CID and every mark, else hides it.
func (l *cidLineLayout) fitOptional(marks []fyne.CanvasObject, width float32) {
	if l.optional == nil {
		return
	}
	used := fyne.MeasureText(shortHash(l.full), theme.CaptionTextSize(), l.hash.TextStyle).Width + 2*theme.InnerPadding()
	for _, m := range marks {
		if m.Visible() || m == l.optional {
			used += naturalWidth(m)
		}
	}
	if show := !l.optionalDrops || width-used >= l.detailMin; show != l.optional.Visible() {
		if show {
			l.optional.Show()
		} else {
			l.optional.Hide()
		}
	}
}

// MinSize is that of the shortened CID, so the choice never changes it.
func (l *cidLineLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		if i == 0 {
			m.Width = fyne.MeasureText(shortHash(l.full), theme.CaptionTextSize(), l.hash.TextStyle).Width + 2*theme.InnerPadding()
		}
		if i == len(objs)-1 {
			m.Width = 0 // the details are cut short with an ellipsis
		}
		if o.Visible() { // a hidden Check again button leaves the row's height alone
			s.Width += m.Width
			s.Height = fyne.Max(s.Height, m.Height)
		}
	}
	return s
}

// accountLayout lays out the header's account, its icon and its label, at
// the right end of the room the header leaves it: the label shows the
// account whole when it fits, else shortened in the middle (fitMiddle) to
// the room, so a long email never makes the window wider than a small
// screen and still shows whose it is (its start and its domain).
type accountLayout struct {
	label *widget.Label
	full  string
}

// leastAccountRunes is the fewest characters the header shows of an
// account, whatever the room: "firs…e.com".
const leastAccountRunes = 11

func (l *accountLayout) textWidth(s string) float32 {
	return fyne.MeasureText(s, theme.TextSize(), l.label.TextStyle).Width + 2*theme.InnerPadding()
}

func (l *accountLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 2 {
		return
	}
	icon := objs[0]
	iconSize := icon.MinSize()
	room := size.Width - iconSize.Width - theme.Padding()
	text := fitMiddle(l.full, room, l.textWidth, leastAccountRunes)
	if l.label.Text != text {
		l.label.SetText(text)
	}
	w := min(l.textWidth(text), fyne.Max(room, 0))
	l.label.Resize(fyne.NewSize(w, size.Height))
	l.label.Move(fyne.NewPos(size.Width-w, 0))
	icon.Resize(iconSize)
	icon.Move(fyne.NewPos(size.Width-w-theme.Padding()-iconSize.Width, (size.Height-iconSize.Height)/2))
}

// MinSize is that of the account shortened to leastAccountRunes.
func (l *accountLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s.Height = fyne.Max(s.Height, o.MinSize().Height)
	}
	if len(objs) == 2 {
		s.Width = objs[0].MinSize().Width + theme.Padding() + l.textWidth(middleText(l.full, leastAccountRunes))
	}
	return s
}

// shortWindowLayout gives its one object (the sign-in screen's scroll) its
// whole size and, in a window too short for card, hides groups of extras
// (the logo, the tagline, …) in their order until the rest fits: the form
// and its button stay in view without scrolling at 640×480. pad is the
// room the card's own layout keeps above and below it. The card's layout
// calls fit too (fitFirst), as the card grows or shrinks with what it
// shows: a tab, a message, the custom server's fields.
type shortWindowLayout struct {
	card   fyne.CanvasObject
	extras [][]fyne.CanvasObject
	pad    float32
	height float32 // the last height laid out; 0 before
}

func (l *shortWindowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.height = size.Height
	changed := l.fit()
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
		if changed {
			o.Refresh() // the card is laid out again without or with them
		}
	}
}

// MinSize is the one object's: the extras never make the window larger.
func (l *shortWindowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// fit shows or hides the extras for the last height laid out, and says
// whether any changed.
func (l *shortWindowLayout) fit() bool {
	if l.height == 0 {
		return false
	}
	room := func(g []fyne.CanvasObject) (h float32) {
		for _, o := range g {
			h += o.MinSize().Height + theme.Padding()
		}
		return h
	}
	// The height with every extra shown, then less each group hidden.
	need := l.card.MinSize().Height + l.pad
	for _, g := range l.extras {
		if !g[0].Visible() {
			need += room(g)
		}
	}
	changed := false
	for _, g := range l.extras {
		show := need <= l.height
		if !show {
			need -= room(g)
		}
		for _, o := range g {
			if o.Visible() == show {
				continue
			}
			changed = true
			if show {
				o.Show()
			} else {
				o.Hide()
			}
		}
	}
	return changed
}

// fitFirst is a layout that lets a shortWindowLayout fit its extras before
// laying out as next does.
type fitFirst struct {
	short *shortWindowLayout
	next  fyne.Layout
}

func (l *fitFirst) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.short.fit()
	l.next.Layout(objs, size)
}

func (l *fitFirst) MinSize(objs []fyne.CanvasObject) fyne.Size { return l.next.MinSize(objs) }

// fixedWidthLayout gives its objects one fixed width (a table column),
// so rows line up whatever their state.
type fixedWidthLayout struct{ width float32 }

func (l *fixedWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *fixedWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		if m := o.MinSize(); m.Height > h {
			h = m.Height
		}
	}
	return fyne.NewSize(l.width, h)
}

// rowTextLayout stacks a title and a caption tightly (a VBox adds a full
// padding between them, which makes list rows look loose). Its texts may
// be narrower than they are (list rows truncate them) unless whole is set:
// then it is as wide as its longer text, so a heading is never cut.
type rowTextLayout struct{ whole bool }

func (l rowTextLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 2 {
		return
	}
	if !objs[1].Visible() { // the title alone, centred
		h := objs[0].MinSize().Height
		objs[0].Resize(fyne.NewSize(size.Width, h))
		objs[0].Move(fyne.NewPos(0, (size.Height-h)/2))
		return
	}
	h0 := objs[0].MinSize().Height
	h1 := objs[1].MinSize().Height
	gap := -theme.Padding()
	y := (size.Height - (h0 + h1 + gap)) / 2
	objs[0].Resize(fyne.NewSize(size.Width, h0))
	objs[0].Move(fyne.NewPos(0, y))
	objs[1].Resize(fyne.NewSize(size.Width, h1))
	objs[1].Move(fyne.NewPos(0, y+h0+gap))
}

func (l rowTextLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if len(objs) != 2 {
		return fyne.Size{}
	}
	a, b := objs[0].MinSize(), objs[1].MinSize()
	share := float32(4)
	if l.whole {
		share = 1
	}
	if !objs[1].Visible() {
		return fyne.NewSize(a.Width/share, a.Height)
	}
	return fyne.NewSize(fyne.Max(a.Width, b.Width)/share, a.Height+b.Height-theme.Padding())
}

// fixedHeightLayout forces its objects to one height (a thin overall
// progress bar instead of a text-height one).
type fixedHeightLayout struct{ height float32 }

func (l *fixedHeightLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSize(size.Width, l.height))
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *fixedHeightLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(0, l.height)
}

// vCenterLayout fills the width and centres its objects vertically at their
// own height (a progress bar in a list row).
type vCenterLayout struct{}

func (vCenterLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		h := o.MinSize().Height
		o.Resize(fyne.NewSize(size.Width, h))
		o.Move(fyne.NewPos(0, (size.Height-h)/2))
	}
}

func (vCenterLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// placeholderRoomLayout stacks entries, one of them shown at a time, and
// asks for the width that shows the shown one's placeholder whole: Fyne
// sizes an entry by a few characters, so the Upload tab put its
// destination beside the comment in a window where the destination read
// "/ (корень учёт" in Russian. entries are objs' entries, in order.
type placeholderRoomLayout struct{ entries []*widget.Entry }

func (l *placeholderRoomLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *placeholderRoomLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		s = s.Max(o.MinSize())
		if i < len(l.entries) {
			s.Width = fyne.Max(s.Width, placeholderWidth(l.entries[i]))
		}
	}
	return s
}

// placeholderWidth is how wide e must be to show its placeholder whole:
// the text with the entry's padding on both sides, and its action button.
func placeholderWidth(e *widget.Entry) float32 {
	th := e.Theme()
	w := fyne.MeasureText(e.PlaceHolder, th.Size(theme.SizeNameText), e.TextStyle).Width
	w = float32(math.Ceil(float64(w))) + 2*th.Size(theme.SizeNameInnerPadding)
	if e.ActionItem != nil {
		w += e.ActionItem.MinSize().Width
	}
	return w
}
