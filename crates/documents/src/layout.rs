//! Page layout after GB/T 9704-2012 党政机关公文格式: A4, the 版心 inside margins of 37 mm (top), 35 mm
//! (bottom), 28 mm (left) and 26 mm (right), the page number "— 1 —" 7 mm under the 版心.
//!
//! Layout turns a [`Document`] into pages of positioned text runs and rules; `pdf` writes them. Keeping the
//! two apart lets the layout be tested without a PDF and keeps the PDF writer a dumb loop. Coordinates are
//! points from the top-left corner of the page, y downwards (as krilla draws).

use crate::breaking::{break_lines, is_word, Line};
use crate::font::Metrics;
use crate::model::{Block, Document, Options};

pub(crate) const MM: f32 = 72.0 / 25.4;
pub(crate) const PAGE_WIDTH: f32 = 210.0 * MM;
pub(crate) const PAGE_HEIGHT: f32 = 297.0 * MM;
pub(crate) const TOP: f32 = 37.0 * MM;
pub(crate) const BOTTOM: f32 = PAGE_HEIGHT - 35.0 * MM;
pub(crate) const LEFT: f32 = 28.0 * MM;
pub(crate) const RIGHT: f32 = PAGE_WIDTH - 26.0 * MM;
pub(crate) const WIDTH: f32 = RIGHT - LEFT;

/// 二号 title, a slightly smaller authority over it, 三号 body at 1.5 lines, 小四 in grids.
pub(crate) const TITLE: f32 = 22.0;
const AUTHORITY: f32 = 20.0;
pub(crate) const BODY: f32 = 16.0;
pub(crate) const BODY_LINE: f32 = BODY * 1.5;
pub(crate) const SMALL: f32 = 12.0;
pub(crate) const SMALL_LINE: f32 = SMALL * 1.4;
const PAGE_NUMBER: f32 = 14.0;
/// 印章位置: the square left empty for the seal.
pub(crate) const SEAL: f32 = 42.0 * MM;
pub(crate) const RULE: f32 = 0.6;
/// Extra space per gap when justifying a line, at most: beyond a tenth of an em, text extractors (poppler)
/// read a gap as a space, and "被检查 单位" would no longer be found by a search.
const MAX_GAP: f32 = 0.08;

/// A run of text on one baseline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextRun {
    pub x: f32,
    pub baseline: f32,
    pub size: f32,
    pub text: String,
    /// Extra advance at every justifiable gap (see [`justifiable`]), in points.
    pub gap: f32,
    pub bold: bool,
    pub red: bool,
}

/// What is drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Text(TextRun),
    Rule { from: (f32, f32), to: (f32, f32) },
}

/// One page of operations.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Page {
    pub ops: Vec<Op>,
}

/// Whether extra space may go between `a` and `b` when a line is justified: never inside a Latin word or a
/// number, so that "31011234" stays searchable.
pub(crate) fn justifiable(a: char, b: char) -> bool {
    !(is_word(a) && is_word(b))
}

/// Where a line goes across the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Align {
    /// Starting at x.
    Left(f32),
    /// Starting at `x`, spread to `width` unless it is a paragraph's last line.
    Justify { x: f32, width: f32 },
    /// Centred on x.
    Center(f32),
}

/// Text style of a run of lines.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub size: f32,
    pub line: f32,
    pub bold: bool,
    pub red: bool,
}

/// Justified across the measure; [`Layouter::flow`] narrows it for an indented first line.
const JUSTIFY: Align = Align::Justify { x: LEFT, width: WIDTH };

pub(crate) const BODY_STYLE: Style = Style { size: BODY, line: BODY_LINE, bold: false, red: false };

/// Lays the document out on pages.
pub(crate) fn layout(doc: &Document, metrics: &Metrics<'_>, options: &Options) -> Vec<Page> {
    let mut l = Layouter { m: metrics, pages: Vec::new(), page: Page::default(), y: TOP, recent: Vec::new() };
    l.head(doc, options);
    l.recent.clear();
    for (i, block) in doc.blocks.iter().enumerate() {
        if !matches!(block, Block::Paragraph(_) | Block::Heading(_) | Block::Signatures(_)) {
            l.recent.clear();
        }
        l.block(block, doc.blocks.get(i + 1));
    }
    l.closing(doc);
    if let Some(note) = doc.footer_note.as_deref() {
        l.footer_note(note);
    }
    l.finish()
}

pub(crate) struct Layouter<'a> {
    pub m: &'a Metrics<'a>,
    pages: Vec<Page>,
    page: Page,
    /// The top of the next thing on the page.
    pub y: f32,
    /// The lines the last text block put at the end of this page: (index of its op if any, line height),
    /// so that the closing can take the last of them along to a new page.
    recent: Vec<(Option<usize>, f32)>,
}

impl Layouter<'_> {
    pub fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.page));
        self.y = TOP;
        self.recent.clear();
    }

    pub fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    pub fn at_top(&self) -> bool {
        self.y <= TOP + 0.01
    }

    /// Starts a new page unless `height` fits on this one (or this one is still empty).
    pub fn ensure(&mut self, height: f32) {
        if height > self.room() + 0.01 && !self.at_top() {
            self.new_page();
        }
    }

    pub fn push(&mut self, op: Op) {
        self.page.ops.push(op);
    }

    pub fn rule(&mut self, from: (f32, f32), to: (f32, f32)) {
        self.push(Op::Rule { from, to });
    }

    /// Breaks `text` into lines `width` wide; the first line of each paragraph is narrower by `indent`.
    pub fn lines(&self, text: &str, size: f32, indent: f32, width: f32) -> Vec<Line> {
        let advance = |c: char| self.m.advance(c) * size;
        break_lines(text, width - indent, width, &advance)
    }

    /// The baseline of text of `size` centred in a line box of height `line` whose top is `top`.
    pub fn baseline(&self, top: f32, line: f32, size: f32) -> f32 {
        top + (line - size * (self.m.ascent + self.m.descent)) / 2.0 + self.m.ascent * size
    }

    /// Draws one line of `text` (already broken) in the line box at `top`.
    pub fn draw_line(&mut self, text: &str, line: &Line, top: f32, align: Align, style: Style) {
        let s = &text[line.range.clone()];
        let (x, gap) = match align {
            Align::Left(x) => (x, 0.0),
            Align::Center(center) => (center - line.width / 2.0, 0.0),
            Align::Justify { x, width } => {
                let chars: Vec<char> = s.chars().collect();
                let gaps = chars.windows(2).filter(|w| justifiable(w[0], w[1])).count();
                let gap = if line.justify && gaps > 0 { (width - line.width) / gaps as f32 } else { 0.0 };
                (x, if gap > 0.0 && gap <= MAX_GAP * style.size { gap } else { 0.0 })
            }
        };
        if s.is_empty() {
            return;
        }
        let baseline = self.baseline(top, style.line, style.size);
        self.push(Op::Text(TextRun {
            x,
            baseline,
            size: style.size,
            text: s.to_owned(),
            gap,
            bold: style.bold,
            red: style.red,
        }));
    }

    /// Flows `text` at the cursor, breaking pages between lines; `keep` points of what follows must fit
    /// under the last line on the same page (a heading keeps the start of its section).
    pub fn flow(&mut self, text: &str, indent: f32, align: Align, style: Style, keep: f32) {
        let lines = self.lines(text, style.size, indent, WIDTH);
        for (i, line) in lines.iter().enumerate() {
            let need = if i + 1 == lines.len() { style.line + keep } else { style.line };
            self.ensure(need);
            let x = if line.first { LEFT + indent } else { LEFT };
            let width = if line.first { WIDTH - indent } else { WIDTH };
            let ops = self.page.ops.len();
            let align = match align {
                Align::Justify { .. } => Align::Justify { x, width },
                Align::Left(_) => Align::Left(x),
                center => center,
            };
            self.draw_line(text, line, self.y, align, style);
            self.recent.push(((self.page.ops.len() > ops).then_some(ops), style.line));
            self.y += style.line;
        }
    }

    fn head(&mut self, doc: &Document, options: &Options) {
        let center = Align::Center(LEFT + WIDTH / 2.0);
        if !doc.authority.trim().is_empty() {
            let style =
                Style { size: AUTHORITY, line: AUTHORITY * 1.5, bold: false, red: options.red_authority };
            self.flow(doc.authority.trim(), 0.0, center, style, 0.0);
        }
        let style = Style { size: TITLE, line: TITLE * 1.5, bold: true, red: false };
        self.flow(doc.title.trim(), 0.0, center, style, 0.0);
        if let Some(number) = doc.number.as_deref().filter(|n| !n.trim().is_empty()) {
            self.flow(number.trim(), 0.0, center, BODY_STYLE, 0.0);
        }
        self.y += BODY_LINE / 2.0;
        if let Some(addressee) = doc.addressee.as_deref().filter(|a| !a.trim().is_empty()) {
            let addressee = addressee.trim();
            let colon = if addressee.ends_with('：') || addressee.ends_with(':') { "" } else { "：" };
            self.flow(&format!("{addressee}{colon}"), 0.0, JUSTIFY, BODY_STYLE, 0.0);
        }
    }

    fn block(&mut self, block: &Block, next: Option<&Block>) {
        match block {
            Block::Paragraph(text) => self.flow(text, 2.0 * BODY, JUSTIFY, BODY_STYLE, 0.0),
            Block::Heading(text) => {
                let style = Style { bold: true, ..BODY_STYLE };
                let keep = match next {
                    Some(Block::Paragraph(_) | Block::Heading(_)) => BODY_LINE,
                    Some(Block::Signatures(_)) => 2.0 * BODY_LINE,
                    Some(grid) => self.grid_lead(grid),
                    None => 0.0,
                };
                self.flow(text, 2.0 * BODY, JUSTIFY, style, keep);
            }
            Block::Fields(fields) => self.fields(fields),
            Block::Table { headers, rows, widths } => self.table(headers, rows, widths),
            Block::Signatures(lines) => {
                // Twice the line height: room above each line to sign by hand.
                let style = Style { line: 2.0 * BODY_LINE, ..BODY_STYLE };
                for line in lines {
                    self.flow(line, 0.0, Align::Left(LEFT), style, 0.0);
                }
            }
            Block::Spacer(mm) => {
                let height = mm.max(0.0) * MM;
                if height >= self.room() {
                    self.new_page();
                } else {
                    self.y += height;
                }
            }
        }
    }

    /// 落款: the authority centred over the date, the date four characters from the right edge, both in the
    /// lower middle of the seal's square when one is reserved (GB/T 9704-2012 7.3.5.1).
    fn closing(&mut self, doc: &Document) {
        let (authority, date) = (doc.closing.authority.trim(), doc.closing.date.trim());
        if authority.is_empty() && date.is_empty() && !doc.closing.seal_area {
            return;
        }
        let authority_lines = self.lines(authority, BODY, 0.0, WIDTH);
        let text_height = (authority_lines.len() + 1) as f32 * BODY_LINE;
        let block = if doc.closing.seal_area { SEAL.max(text_height) } else { text_height };
        if BODY_LINE + block > self.room() + 0.01 && !self.at_top() {
            self.new_page_carrying_lines();
        }
        if !self.at_top() {
            self.y += BODY_LINE;
        }
        let date_width = self.m.width(date) * BODY;
        let widest = authority_lines.iter().map(|l| l.width).fold(date_width, f32::max);
        let center =
            (RIGHT - 4.0 * BODY - date_width / 2.0).min(RIGHT - widest / 2.0).max(LEFT + widest / 2.0);
        let mut top = self.y + (block - text_height) / 2.0;
        if doc.closing.seal_area {
            // The signature and date sit a little below the middle of the seal.
            top = (top + BODY_LINE / 3.0).min(self.y + block - text_height);
        }
        for line in &authority_lines {
            self.draw_line(authority, line, top, Align::Center(center), BODY_STYLE);
            top += BODY_LINE;
        }
        let date_line =
            Line { range: 0..date.len(), width: date_width, first: true, justify: false, split: false };
        self.draw_line(date, &date_line, top, Align::Center(center), BODY_STYLE);
        self.y += block;
    }

    /// Starts a new page for the closing and takes the last two lines of the text before it along, so that
    /// the signature and seal never stand alone on a page (GB/T 9704-2012 7.3.5.4 asks for the same).
    fn new_page_carrying_lines(&mut self) {
        let carry = self.recent.len().saturating_sub(1).min(2);
        let tail = self.recent.len() - carry;
        let first_op = self.recent[tail..].iter().find_map(|(op, _)| *op).unwrap_or(self.page.ops.len());
        let only_text = self.page.ops[first_op..].iter().all(|op| matches!(op, Op::Text(_)));
        if carry == 0 || !only_text {
            self.new_page();
            return;
        }
        let height: f32 = self.recent[tail..].iter().map(|(_, h)| h).sum();
        let moved = self.page.ops.split_off(first_op);
        let shift = TOP - (self.y - height);
        self.new_page();
        for mut op in moved {
            if let Op::Text(run) = &mut op {
                run.baseline += shift;
            }
            self.push(op);
        }
        self.y = TOP + height;
    }

    /// The note at the foot of the last page, between two rules like a 版记.
    fn footer_note(&mut self, note: &str) {
        let style = Style { size: SMALL, line: SMALL_LINE, bold: false, red: false };
        let lines = self.lines(note.trim(), SMALL, 0.0, WIDTH);
        let pad = SMALL_LINE / 3.0;
        let height = lines.len() as f32 * SMALL_LINE + 2.0 * pad;
        if height + pad > self.room() && !self.at_top() {
            self.new_page();
        }
        let top = (BOTTOM - height).max(self.y);
        self.rule((LEFT, top), (RIGHT, top));
        let mut line_top = top + pad;
        for line in &lines {
            self.draw_line(note, line, line_top, Align::Justify { x: LEFT, width: WIDTH }, style);
            line_top += SMALL_LINE;
        }
        self.rule((LEFT, line_top + pad), (RIGHT, line_top + pad));
        self.y = line_top + pad;
    }

    /// Closes the last page and numbers every page "— n —", centred 7 mm under the 版心. (GB/T 9704 puts
    /// it outside on alternate sides for double-sided print; these documents are served single-sided.)
    fn finish(mut self) -> Vec<Page> {
        self.pages.push(std::mem::take(&mut self.page));
        let baseline = BOTTOM + 7.0 * MM + self.m.ascent * PAGE_NUMBER;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let text = format!("— {} —", i + 1);
            let width = self.m.width(&text) * PAGE_NUMBER;
            page.ops.push(Op::Text(TextRun {
                x: LEFT + WIDTH / 2.0 - width / 2.0,
                baseline,
                size: PAGE_NUMBER,
                text,
                gap: 0.0,
                bold: false,
                red: false,
            }));
        }
        self.pages
    }
}
