"""The certificate's page, as fixed typst source: every word on it comes from JSON, never from this code.

One landscape A4 page inside a double frame: the workshop's name, the title, the learner's name as the largest
text (made smaller to fit on one line when it is long, and wrapped only past that), the modules completed in
one or two columns, the date, and the note that the workshop is education, not a qualification.
"""

from __future__ import annotations

from therapy_workshop.widgets.fonts import SERIF

#: ``sys.inputs.data`` carries: heading, workshop, awarded_to, name, direction ("ltr"/"rtl"), completed,
#: modules (list of titles), date, note.
CERTIFICATE_SOURCE = (
    """
#let data = json(bytes(sys.inputs.data))
#let accent = rgb("#0b5cad")
#let ink = rgb("#1f2328")
#let muted = rgb("#57606a")
#set document(title: data.heading + " – " + data.name, author: data.workshop)
#set page(paper: "a4", flipped: true, margin: 0pt)
#set text(font: "FONT", fill: ink, size: 13pt, lang: "en")
#set par(justify: false)

// The frame: a fine outer rule and a heavier inner one, as on a printed diploma.
#place(rect(width: 100% - 24pt, height: 100% - 24pt, stroke: 0.8pt + accent), dx: 12pt, dy: 12pt)
#place(rect(width: 100% - 40pt, height: 100% - 40pt, stroke: 2.4pt + accent), dx: 20pt, dy: 20pt)

#let name-width = 225mm
#let direction = if data.direction == "rtl" { rtl } else { ltr }
// The name is the largest text on the page: a long name is set smaller to stay on one line (the title shrinks
// with it), and only a very long one wraps.
#let sizes(name) = {
  let largest = 38pt
  let natural = measure(text(size: largest, weight: "semibold", name)).width
  let one-line = largest * (name-width / natural)
  let two-lines = largest * (2 * name-width / natural) * 0.9  // a little slack: lines break between words
  let size = if natural <= name-width { largest } else if one-line >= 26pt { one-line } else if two-lines >= 26pt {
    26pt
  } else { calc.max(14pt, two-lines) }
  (name: size, title: calc.min(30pt, size - 4pt))
}

// A seal: two rings and a tick, drawn (not a character), so it prints the same everywhere.
#let seal = box(width: 26mm, height: 26mm, {
  place(center + horizon, circle(radius: 13mm, stroke: 1.4pt + accent))
  place(center + horizon, circle(radius: 11mm, stroke: 0.5pt + accent))
  place(center + horizon, curve(
    stroke: (paint: accent, thickness: 2.2pt, cap: "round", join: "round"),
    curve.move((-5.5mm, 0mm)), curve.line((-1.5mm, 4mm)), curve.line((6mm, -4.5mm)),
  ))
})
#let signed(body) = block(width: 70mm, {
  set align(center)
  body
  v(-1.5mm)
  line(length: 100%, stroke: 0.5pt + muted)
})
#let mark = box(width: 1.6mm, height: 1.6mm, baseline: -0.5mm, rotate(45deg, square(size: 1.4mm, fill: accent)))

#block(width: 100%, height: 100%, inset: (x: 34mm, top: 22mm, bottom: 21mm), context [
  #let size = sizes(data.name)
  #set align(center)
  #text(size: 12.5pt, tracking: 0.06em, fill: accent, smallcaps(data.workshop))
  #v(1fr)
  #text(size: size.title, fill: ink, data.heading)
  #v(6mm)
  #text(size: 14pt, style: "italic", fill: muted, data.awarded_to)
  #v(4mm)
  #block(width: name-width, text(size: size.name, weight: "semibold", dir: direction, data.name))
  #v(-1mm)
  #line(length: 130mm, stroke: 0.6pt + accent)
  #v(5mm)
  #text(size: 14pt, data.completed)
  #v(4mm)
  #if data.modules.len() > 0 {
    set text(size: 12.5pt)
    let columns = if data.modules.len() > 3 { 2 } else { 1 }
    let rows = calc.ceil(data.modules.len() / columns)
    // Down the first column, then the second: the order a reader expects.
    let at(row, column) = data.modules.at(row + column * rows, default: none)
    let ordered = range(rows).map(row => range(columns).map(column => at(row, column))).flatten()
    grid(
      columns: columns,
      column-gutter: 14mm,
      row-gutter: 2.6mm,
      align: left,
      ..ordered.map(title => if title == none { [] } else { [#mark #h(2mm) #title] }),
    )
  }
  #v(1.4fr)
  #grid(
    columns: (1fr, auto, 1fr),
    align: (left + bottom, center + horizon, right + bottom),
    signed(text(size: 12.5pt, data.date)),
    seal,
    signed(text(size: 12.5pt, style: "italic", data.workshop)),
  )
  #v(5mm)
  #text(size: 9.5pt, fill: muted, data.note)
])
"""
).replace("FONT", SERIF)
