//! Bordered grids: the two-column form grid (被检查单位 | …) and tables whose header row is repeated on
//! every page they run onto. Cells wrap; a row taller than what is left of a page moves to the next page,
//! and a row taller than a whole page is split between pages line by line.

use crate::breaking::Line;
use crate::layout::{Align, Layouter, Style, BOTTOM, LEFT, SMALL, SMALL_LINE, TOP, WIDTH};
use crate::model::Block;

/// Space between a cell's border and its text, in points.
const PAD_X: f32 = 4.0;
const PAD_Y: f32 = 4.0;
const CELL: Style = Style { size: SMALL, line: SMALL_LINE, bold: false, red: false };

/// A cell broken into lines.
struct Cell<'t> {
    text: &'t str,
    lines: Vec<Line>,
    align: CellAlign,
}

#[derive(Clone, Copy, PartialEq)]
enum CellAlign {
    Left,
    Center,
}

/// A row ready to draw; it is drawn between column edges `xs` with `xs.len() == cells.len() + 1`.
struct Row<'t> {
    cells: Vec<Cell<'t>>,
    bold: bool,
}

impl Row<'_> {
    fn line_count(&self) -> usize {
        self.cells.iter().map(|c| c.lines.len()).max().unwrap_or(1).max(1)
    }

    fn height(&self) -> f32 {
        self.line_count() as f32 * SMALL_LINE + 2.0 * PAD_Y
    }
}

/// The column edges of a table, from its relative widths (missing or non-positive ones count as 1);
/// `None` for a table without columns.
fn table_columns(headers: &[String], rows: &[Vec<String>], widths: &[f32]) -> Option<Vec<f32>> {
    let columns = rows.iter().map(Vec::len).chain([headers.len()]).max().unwrap_or(0);
    if columns == 0 {
        return None;
    }
    let weights: Vec<f32> = (0..columns)
        .map(|i| widths.get(i).copied().filter(|w| w.is_finite() && *w > 0.0).unwrap_or(1.0))
        .collect();
    let total: f32 = weights.iter().sum();
    let mut xs = vec![LEFT];
    for w in &weights {
        xs.push(xs.last().expect("starts with LEFT") + WIDTH * w / total);
    }
    Some(xs)
}

/// The text of cell `i` of a row; a short row reads as empty cells.
fn cell(row: &[String], i: usize) -> &str {
    row.get(i).map(String::as_str).unwrap_or("")
}

impl Layouter<'_> {
    /// 表单: label | value, the labels centred.
    pub(crate) fn fields(&mut self, fields: &[(String, String)]) {
        let xs = self.field_columns(fields);
        self.space_above();
        for (label, value) in fields {
            let row = self.field_row(&xs, label, value);
            self.place_row(&xs, &row, None);
        }
        self.y += SMALL_LINE / 2.0;
    }

    pub(crate) fn table(&mut self, headers: &[String], rows: &[Vec<String>], widths: &[f32]) {
        let Some(xs) = table_columns(headers, rows, widths) else { return };
        self.space_above();
        let header = self.header_row(&xs, headers);
        // A header taller than a third of the page is drawn once, not repeated.
        let repeat = header.as_ref().filter(|h| h.height() < (BOTTOM - TOP) / 3.0);
        if let Some(h) = &header {
            let first = rows.first().map_or(0.0, |r| self.body_row(&xs, r).height());
            self.ensure(h.height() + first.min(BOTTOM - TOP - h.height()));
            self.draw_row(&xs, h, 0, h.line_count());
        }
        for row in rows {
            let row = self.body_row(&xs, row);
            self.place_row(&xs, &row, repeat);
        }
        self.y += SMALL_LINE / 2.0;
    }

    /// A little air between text and a grid's top border.
    fn space_above(&mut self) {
        if !self.at_top() {
            self.y += SMALL_LINE / 3.0;
        }
    }

    /// How much of a grid must follow a heading onto its page: the header and the first row.
    pub(crate) fn grid_lead(&self, block: &Block) -> f32 {
        let lead = match block {
            Block::Fields(fields) => {
                let xs = self.field_columns(fields);
                fields.first().map_or(0.0, |(label, value)| self.field_row(&xs, label, value).height())
            }
            Block::Table { headers, rows, widths } => match table_columns(headers, rows, widths) {
                Some(xs) => {
                    let header = self.header_row(&xs, headers).map_or(0.0, |h| h.height());
                    header + rows.first().map_or(0.0, |r| self.body_row(&xs, r).height())
                }
                None => 0.0,
            },
            _ => 0.0,
        };
        lead.min(BOTTOM - TOP)
    }

    /// The column edges of a form grid: labels as wide as the longest, a quarter to two fifths of the measure.
    fn field_columns(&self, fields: &[(String, String)]) -> [f32; 3] {
        let longest = fields.iter().map(|(label, _)| self.m.width(label) * SMALL).fold(0.0, f32::max);
        let label_width = (longest + 2.0 * PAD_X + 1.0).clamp(WIDTH / 4.0, WIDTH * 2.0 / 5.0);
        [LEFT, LEFT + label_width, LEFT + WIDTH]
    }

    fn field_row<'t>(&self, xs: &[f32], label: &'t str, value: &'t str) -> Row<'t> {
        self.row(xs, [(label, CellAlign::Center), (value, CellAlign::Left)], false)
    }

    fn header_row<'t>(&self, xs: &[f32], headers: &'t [String]) -> Option<Row<'t>> {
        let columns = xs.len() - 1;
        (!headers.is_empty())
            .then(|| self.row(xs, (0..columns).map(|i| (cell(headers, i), CellAlign::Center)), true))
    }

    fn body_row<'t>(&self, xs: &[f32], row: &'t [String]) -> Row<'t> {
        let columns = xs.len() - 1;
        self.row(xs, (0..columns).map(|i| (cell(row, i), CellAlign::Left)), false)
    }

    fn row<'t>(
        &self,
        xs: &[f32],
        cells: impl IntoIterator<Item = (&'t str, CellAlign)>,
        bold: bool,
    ) -> Row<'t> {
        let cells = cells
            .into_iter()
            .enumerate()
            .map(|(i, (text, align))| {
                let inner = (xs[i + 1] - xs[i] - 2.0 * PAD_X).max(SMALL);
                Cell { text, lines: self.lines(text, SMALL, 0.0, inner), align }
            })
            .collect();
        Row { cells, bold }
    }

    /// Places a row at the cursor, moving it to the next page (under a repeated header) when it does not fit,
    /// or splitting it there when it would not fit on any page.
    fn place_row(&mut self, xs: &[f32], row: &Row<'_>, header: Option<&Row<'_>>) {
        let total = row.line_count();
        let header_height = header.map_or(0.0, Row::height);
        let mut from = 0;
        while from < total {
            let rest = total - from;
            if rest as f32 * SMALL_LINE + 2.0 * PAD_Y <= self.room() + 0.01 {
                self.draw_row(xs, row, from, total);
                return;
            }
            let fresh = self.y <= TOP + header_height + 0.01;
            let fits_a_page = rest as f32 * SMALL_LINE + 2.0 * PAD_Y <= BOTTOM - TOP - header_height;
            let n = ((self.room() - 2.0 * PAD_Y) / SMALL_LINE).floor().max(0.0) as usize;
            if !fresh && (n == 0 || fits_a_page) {
                self.next_page_under(xs, header);
                continue;
            }
            // Taller than a page: as many lines as fit here (at least one, so that this always ends).
            let n = n.clamp(1, rest);
            self.draw_row(xs, row, from, from + n);
            from += n;
            if from < total {
                self.next_page_under(xs, header);
            }
        }
    }

    fn next_page_under(&mut self, xs: &[f32], header: Option<&Row<'_>>) {
        self.new_page();
        if let Some(h) = header {
            self.draw_row(xs, h, 0, h.line_count());
        }
    }

    /// Draws lines `from..to` of every cell of `row` at the cursor, with its borders, and moves the cursor.
    fn draw_row(&mut self, xs: &[f32], row: &Row<'_>, from: usize, to: usize) {
        let height = (to - from).max(1) as f32 * SMALL_LINE + 2.0 * PAD_Y;
        let (top, bottom) = (self.y, self.y + height);
        let style = Style { bold: row.bold, ..CELL };
        for (i, cell) in row.cells.iter().enumerate() {
            let align = match cell.align {
                CellAlign::Left => Align::Left(xs[i] + PAD_X),
                CellAlign::Center => Align::Center(xs[i] + (xs[i + 1] - xs[i]) / 2.0),
            };
            let end = to.min(cell.lines.len());
            for (k, line) in cell.lines.iter().enumerate().take(end).skip(from) {
                let line_top = top + PAD_Y + (k - from) as f32 * SMALL_LINE;
                self.draw_line(cell.text, line, line_top, align, style);
            }
        }
        let (left, right) = (xs[0], xs[xs.len() - 1]);
        self.rule((left, top), (right, top));
        self.rule((left, bottom), (right, bottom));
        for &x in xs {
            self.rule((x, top), (x, bottom));
        }
        self.y = bottom;
    }
}
