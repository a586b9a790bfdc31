"""The printed documents' layout, as fixed typst source that sets the JSON tree from ``typeset.py``.

A4 pages in Libertinus Serif. The guide opens with its title and a table of contents, and starts each section
(the agendas, each module) on a new page; every page after the first has a running header (the document on
the left, the section on the right) and a page number at its foot. Handouts and the answer sheet run on
without forced page breaks, so a module takes as few pages as it needs. Questions with their options, and
answers with their explanations, stay on one page; tick boxes (round for one answer, square for several),
boxes to number steps in and lines to write on are drawn where a question asks for them.
"""

from __future__ import annotations

from therapy_workshop.widgets.fonts import SERIF

#: ``sys.inputs.data`` carries: title, kicker, kind ("guide" or "handout"), body (the tree).
DOCUMENT_SOURCE = (
    r"""
#let data = json(bytes(sys.inputs.data))
#let guide = data.kind == "guide"
#let accent = rgb("#0b5cad")
#let ink = rgb("#1f2328")
#let muted = rgb("#57606a")
#let rule = rgb("#c9d1da")
#let soft = rgb("#eef4fb")

#set document(title: data.title + " – " + data.kicker, author: data.kicker)
#set text(font: "FONT", size: 10.5pt, fill: ink, lang: "en", hyphenate: true)
#set par(justify: true, leading: 0.62em, spacing: 0.95em)

#let current-section() = {
  let on-page = query(heading.where(level: 1)).filter(h => h.location().page() == here().page())
  if on-page.len() > 0 { return on-page.first().body }
  let before = query(heading.where(level: 1).before(here()))
  if before.len() > 0 { before.last().body } else { none }
}
// ---------------------------------------------------------------- headings
#set heading(numbering: none)
#show heading: set text(fill: ink)
#show heading: set par(justify: false)
#show heading.where(level: 1): it => {
  if guide { pagebreak(weak: true) }
  v(if guide { 0mm } else { 4mm })
  block(width: 100%, below: 5mm, {
    set text(size: 17pt, weight: "semibold", fill: accent)
    it.body
    v(-2mm)
    line(length: 100%, stroke: 0.8pt + accent)
  })
}
#show heading.where(level: 2): set text(size: 13pt, weight: "semibold")
#show heading.where(level: 2): set block(above: 7mm, below: 3mm)
#show heading.where(level: 3): set text(size: 11pt, weight: "semibold", style: "italic")
#show heading.where(level: 3): set block(above: 5mm, below: 2.5mm)

// ---------------------------------------------------------------- lists and tables
#set list(marker: text(fill: accent, sym.bullet), indent: 1mm, body-indent: 2.5mm, spacing: 0.75em)
#set enum(numbering: n => text(fill: accent, weight: "semibold", str(n) + "."), indent: 0mm, body-indent: 2.5mm,
  spacing: 0.9em)
#show table.cell: set par(justify: false)
#show table.cell: set text(size: 9.5pt)

#let tick(round) = box(
  width: 3.2mm, height: 3.2mm, baseline: 0.5mm, stroke: 0.7pt + ink, radius: if round { 1.6mm } else { 0.4mm },
)
#let number-box = box(width: 8mm, height: 5.5mm, baseline: 1.6mm, stroke: 0.7pt + ink, radius: 0.6mm)
#let write-line = box(width: 1fr, line(length: 100%, stroke: 0.5pt + muted))

// ---------------------------------------------------------------- the tree
#let classes(node) = node.at("class", default: "").split(" ")
#let has(node, name) = name in classes(node)
#let labelled(node, body) = if node.at("id", default: "") != "" { [#body#label(node.id)] } else { body }

#let render(node) = {
  if type(node) == str { return node }
  let t = node.t
  let kids = node.c
  let inner() = kids.map(render).join()
  let items() = kids.filter(k => type(k) == dictionary and k.t == "li")
  let item-body(item) = {
    let body = item.c.map(render).join()
    if item.at("keep", default: false) { block(breakable: false, width: 100%, body) } else { body }
  }

  if t == "p" and has(node, "tw-keep-with-next") { block(sticky: true, inner()) }
  else if t == "p" { parbreak(); inner(); parbreak() }
  else if t == "strong" or t == "b" { strong(inner()) }
  else if t == "em" or t == "i" { emph(inner()) }
  else if t == "code" { text(font: "DejaVu Sans Mono", size: 0.88em, inner()) }
  else if t == "br" { linebreak() }
  else if t == "a" {
    let target = node.at("href", default: "")
    if target.starts-with("#") and target.len() > 1 { link(label(target.slice(1)), inner()) }
    else if target != "" { link(target, inner()) } else { inner() }
  }
  else if t == "h1" { }  // the title is set on the first page, from data.title
  else if t == "h2" { labelled(node, heading(level: 1, inner())) }
  else if t == "h3" {
    // In the contents only where a section asks (the agendas, the answer keys); in the PDF's bookmarks always.
    labelled(node, heading(level: 2, outlined: node.at("contents", default: false), bookmarked: true, inner()))
  }
  else if t in ("h4", "h5", "h6") { labelled(node, heading(level: 3, outlined: false, bookmarked: false, inner())) }
  else if t == "nav" and has(node, "tw-toc") {
    block(above: 8mm, {
      text(size: 13pt, weight: "semibold", fill: accent, node.at("label", default: "Contents"))
      v(1mm)
      set text(size: 10.5pt)
      set outline.entry(fill: box(width: 1fr, text(weight: "regular", fill: rule.darken(20%), repeat(gap: 0.25em)[.])))
      show outline.entry.where(level: 1): it => block(above: 3.6mm, text(weight: "semibold", it))
      show outline.entry.where(level: 2): it => block(above: 1.6mm, text(fill: muted, it))
      outline(title: none, depth: 2, indent: 5mm)
    })
  }
  else if t == "ul" and (has(node, "tw-tick-one") or has(node, "tw-tick-many")) {
    let round = has(node, "tw-tick-one")
    block(above: 1.6mm, below: 2.4mm, list(marker: tick(round), body-indent: 2.5mm, indent: 2mm, tight: true,
      ..items().map(item-body)))
  }
  else if t in ("ul", "ol") and has(node, "tw-number-these") {
    list(marker: number-box, body-indent: 3mm, spacing: 2.8mm, ..items().map(item => box(item-body(item))))
  }
  else if t in ("ul", "ol") and has(node, "tw-write-beside") {
    set par(justify: false)
    enum(spacing: 2.6mm, ..items().map(item => grid(
      columns: (1fr, 38mm), column-gutter: 5mm, align: (left, bottom), item-body(item), write-line,
    )))
  }
  else if t == "ol" and has(node, "tw-key") {
    enum(spacing: 4mm, ..items().map(item => block(
      breakable: not item.at("keep", default: false), width: 100%,
      stroke: (left: 1.5pt + accent.lighten(40%)), inset: (left: 3mm, y: 0.5mm),
      labelled(item, item.c.map(render).join()),
    )))
  }
  else if t == "ol" and has(node, "tw-questions") {
    enum(spacing: 4.2mm, ..items().map(item-body))
  }
  else if t == "ul" { list(..items().map(item-body)) }
  else if t == "ol" { enum(..items().map(item-body)) }
  else if t == "li" { item-body(node) }
  else if t == "div" and has(node, "tw-write-lines") {
    let count = int(node.at("lines", default: "3"))
    block(above: 3mm, below: 4mm, breakable: false, {
      for _ in range(count) { v(7.5mm); line(length: 100%, stroke: 0.5pt + muted) }
    })
  }
  else if t == "section" {
    // An exercise on paper: its lists get the writing space the section names; its instructions stay with them.
    // A section marked for the contents lists its own headings there.
    let space = classes(node).find(c => c in ("tw-write-beside", "tw-number-these"))
    let listed = has(node, "tw-in-contents")
    kids.map(k => {
      if type(k) != dictionary { render(k) }
      else if listed and k.t == "h3" { render(k + (contents: true)) }
      else if k.t in ("ul", "ol") and space != none { render(k + (class: space)) }
      else if k.t == "p" { block(sticky: true, render(k)) }
      else { render(k) }
    }).join()
  }
  else if t == "table" {
    let rows = ()
    let header = ()
    let breaks = ()
    let walk(n) = n.c.filter(k => type(k) == dictionary)
    for part in walk(node) {
      let trs = if part.t == "tr" { (part,) } else { walk(part).filter(k => k.t == "tr") }
      for tr in trs {
        let cells = walk(tr).filter(k => k.t in ("td", "th"))
        if part.t == "thead" or cells.all(c => c.t == "th") { header.push(cells) }
        else { rows.push(cells); breaks.push(has(tr, "tw-quiet")) }
      }
    }
    let columns = node.columns.map(c => if c == "auto" { auto } else { c * 1fr })
    let aligns = node.numeric.map(n => if n { right } else { left })
    block(above: 3mm, below: 6mm, breakable: not node.at("keep", default: false), table(
      columns: columns,
      align: (x, y) => aligns.at(x, default: left) + top,
      stroke: (x, y) => (bottom: 0.4pt + rule),
      inset: (x: 2.2mm, y: 1.8mm),
      fill: (x, y) => if y > 0 and breaks.at(y - 1, default: false) { soft } else { none },
      table.header(..header.map(cells => cells.map(c => {
        set text(weight: "semibold", fill: accent, size: 9pt)
        c.c.map(render).join()
      })).flatten()),
      ..rows.enumerate().map(((index, cells)) => cells.map(c => {
        let body = c.c.map(render).join()
        if breaks.at(index) { emph(text(fill: muted, body)) } else { body }
      })).flatten(),
    ))
  }
  else { inner() }
}

// ---------------------------------------------------------------- pages: running header, page number, closing note
#let is-closing(node) = type(node) == dictionary and node.t == "p" and has(node, "tw-closing")
#let closing = data.body.filter(is-closing)
#set page(
  paper: "a4",
  margin: (top: 23mm, bottom: 20mm, x: 22mm),
  header: context {
    if here().page() > 1 {
      set text(size: 8.5pt, fill: muted)
      set par(justify: false)
      grid(
        columns: (auto, 1fr),
        column-gutter: 8mm,
        align: (left, right),
        smallcaps(data.kicker),
        if guide { emph(current-section()) } else { emph(data.title) },
      )
      v(-1.2mm)
      line(length: 100%, stroke: 0.4pt + rule)
    }
  },
  footer: context {
    set text(size: 9pt, fill: muted)
    // The closing note sits at the foot of the last page: it never takes a page of its own.
    if closing.len() > 0 and here().page() == counter(page).final().first() {
      align(center, emph(closing.map(node => node.c.map(render).join()).join()))
      v(-1mm)
    }
    align(center, counter(page).display("1"))
  },
)

// ---------------------------------------------------------------- the first page
#block(below: 7mm, {
  set par(justify: false)
  text(size: 10pt, fill: accent, tracking: 0.04em, smallcaps(data.kicker))
  v(-1mm)
  text(size: if guide { 26pt } else { 22pt }, weight: "semibold", data.title)
  v(-2mm)
  line(length: 100%, stroke: 1.2pt + accent)
})
#set table.cell(breakable: false)
#data.body.filter(node => not is-closing(node)).map(render).join()
"""
).replace("FONT", SERIF)
