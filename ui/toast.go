package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// toastBox is the outlined box of a short confirmation ("Link copied"):
// slim enough to sit in the tab bar (a themedBox's padding is for panels).
type toastBox struct {
	widget.BaseWidget
	content fyne.CanvasObject
}

func newToastBox(content fyne.CanvasObject) *toastBox {
	b := &toastBox{content: content}
	b.ExtendBaseWidget(b)
	return b
}

func (b *toastBox) CreateRenderer() fyne.WidgetRenderer {
	r := &toastRenderer{b: b, rect: canvas.NewRectangle(nil)}
	r.Refresh()
	return r
}

type toastRenderer struct {
	b    *toastBox
	rect *canvas.Rectangle
}

// pad is the room between the outline and the content, across.
func (r *toastRenderer) pad() float32 { return theme.Padding() }

func (r *toastRenderer) Layout(size fyne.Size) {
	r.rect.Resize(size)
	p := r.pad()
	r.b.content.Resize(size.SubtractWidthHeight(2*p, 0))
	r.b.content.Move(fyne.NewPos(p, 0))
}

func (r *toastRenderer) MinSize() fyne.Size {
	return r.b.content.MinSize().AddWidthHeight(2*r.pad(), 0)
}

func (r *toastRenderer) Refresh() {
	th := r.b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.rect.FillColor = th.Color(theme.ColorNameBackground, v)
	r.rect.StrokeColor = th.Color(theme.ColorNameSuccess, v)
	r.rect.StrokeWidth = 1.5
	r.rect.CornerRadius = th.Size(theme.SizeNameInputRadius) * 2
	r.rect.Refresh()
	r.b.content.Refresh()
}

func (r *toastRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.rect, r.b.content}
}

func (r *toastRenderer) Destroy() {}
