//! Writes laid-out pages with krilla. Every run is drawn as glyphs of the one font with the text it stands
//! for, so that krilla embeds a subset of the font with a ToUnicode map: the PDF's text can be selected,
//! searched and extracted. Bold is synthetic (the glyphs filled and thinly stroked, text render mode 2),
//! so one regular font is all a document needs.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{GlyphId, KrillaGlyph};

use crate::font::{Font, Metrics};
use crate::layout::{justifiable, Op, Page, TextRun, PAGE_HEIGHT, PAGE_WIDTH, RULE};
use crate::RenderError;

/// Stroke width of synthetic bold, in ems.
const BOLD: f32 = 0.03;

pub(crate) fn write(
    pages: &[Page],
    font: &Font,
    metrics: &Metrics<'_>,
    title: &str,
    author: &str,
) -> Result<Vec<u8>, RenderError> {
    let mut document = krilla::Document::new();
    let mut meta = Metadata::new().title(title.to_owned()).language("zh-CN".to_owned());
    meta = meta.creator("联监 Lianjian".to_owned());
    if !author.is_empty() {
        meta = meta.authors(vec![author.to_owned()]);
    }
    document.set_metadata(meta);
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 is a valid page size");
    for page in pages {
        let mut pdf_page = document.start_page_with(settings.clone());
        let mut surface = pdf_page.surface();
        for op in &page.ops {
            match op {
                Op::Text(run) => text(&mut surface, run, font, metrics),
                Op::Rule { from, to } => {
                    let mut path = PathBuilder::new();
                    path.move_to(from.0, from.1);
                    path.line_to(to.0, to.1);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke { width: RULE, ..Stroke::default() }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill::default()));
                    }
                }
            }
        }
        surface.finish();
        pdf_page.finish();
    }
    document.finish().map_err(|e| RenderError::Pdf(format!("{e:?}")))
}

fn text(surface: &mut krilla::surface::Surface<'_>, run: &TextRun, font: &Font, metrics: &Metrics<'_>) {
    let chars: Vec<(usize, char)> = run.text.char_indices().collect();
    let glyphs: Vec<KrillaGlyph> = chars
        .iter()
        .enumerate()
        .map(|(i, &(at, c))| {
            let next = chars.get(i + 1).map(|&(_, n)| n);
            let extra = match next {
                Some(n) if run.gap > 0.0 && justifiable(c, n) => run.gap / run.size,
                _ => 0.0,
            };
            let advance = metrics.advance(c) + extra;
            KrillaGlyph::new(
                GlyphId::new(metrics.glyph(c)),
                advance,
                0.0,
                0.0,
                0.0,
                at..at + c.len_utf8(),
                None,
            )
        })
        .collect();
    let paint: krilla::paint::Paint =
        if run.red { rgb::Color::new(0xE6, 0x00, 0x12).into() } else { rgb::Color::black().into() };
    surface.set_fill(Some(Fill { paint: paint.clone(), ..Fill::default() }));
    if run.bold {
        surface.set_stroke(Some(Stroke { paint, width: BOLD * run.size, ..Stroke::default() }));
    }
    surface.draw_glyphs(
        Point::from_xy(run.x, run.baseline),
        &glyphs,
        font.pdf.clone(),
        &run.text,
        run.size,
        false,
    );
    surface.set_stroke(None);
    surface.set_fill(Some(Fill::default()));
}
