//! The PDF documents officers sign and serve: 检查通知书, 现场检查记录, 责令改正通知书, 整改复查意见书,
//! 联合研判会议纪要, 立案审批表, 行政处罚事先告知书, 听证通知书, 行政处罚决定书, 涉嫌犯罪案件移送书 ….
//!
//! Why it exists: these documents are served on institutions and filed in case dossiers, so they must look
//! like the paper forms an officer knows — A4 in the 公文 layout of GB/T 9704-2012 (title, 文号, addressee,
//! body, form grids and tables, signatures with credential numbers, the closing with the space for the seal,
//! "— 1 —" page numbers) — and every character must be real text in an embedded subset of a Chinese font, so
//! that the PDF can be searched, copied and checked by a machine. A use case fills a [`Document`]; [`render`]
//! turns it into PDF bytes. The crate is pure: no file or network I/O. The binary reads the font once at
//! start-up from [`DEFAULT_FONT_PATHS`] (Debian package `fonts-noto-cjk`) or an override, and fails with
//! [`font_not_found_message`] when there is none.
//!
//! ```no_run
//! use lianjian_documents::{render, Block, Closing, Document, Font, DEFAULT_FONT_PATHS};
//! let place = DEFAULT_FONT_PATHS[0];
//! let font = Font::from_bytes(std::fs::read(place.path)?, place.index)?;
//! let notice = Document {
//!     authority: "上海市宝山区生态环境局".into(),
//!     title: "检查通知书".into(),
//!     number: Some("宝环检通〔2026〕12号".into()),
//!     addressee: Some("上海某某检测技术有限公司".into()),
//!     blocks: vec![Block::Paragraph("我局定于2027年1月15日对你单位开展“双随机、一公开”检查。".into())],
//!     closing: Closing { authority: "上海市宝山区生态环境局".into(), date: "2026年12月20日".into(), seal_area: true },
//!     footer_note: Some("本通知书一式两份，一份送达被检查单位，一份存档。".into()),
//! };
//! let pdf: Vec<u8> = render(&notice, &font)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Why krilla
//! PDF is written with [krilla](https://docs.rs/krilla) (LaurenzV; the PDF back end of typst), default
//! features off. It embeds OpenType fonts — CFF-flavoured collections such as Noto CJK's .ttc included — as
//! CID fonts *subset to the glyphs used*, and writes the ToUnicode map from each glyph's text, which is what
//! makes the text searchable and extractable. With `raster-images` off there are no image codecs, and with
//! `simple-text` off there is no shaper (rustybuzz): Chinese needs no shaping, so this crate breaks lines
//! itself (by character, with the 禁则) and places the glyphs. The alternatives: `pdf-writer` is the
//! low-level layer under krilla — subsetting, CID encoding and ToUnicode would all be ours to write;
//! `printpdf` 0.12 brings an HTML/CSS layout engine and font discovery that a pure crate does not want;
//! `genpdf` is built on an old printpdf (0.3) and has had no release since 2021.
//!
//! ## Layout
//! A4, margins 37/35/28/26 mm (top/bottom/left/right); authority 20 pt and title 22 pt centred, the 文号
//! under them; body 16 pt (三号) at 1.5 lines, a two-character first-line indent, justified when it costs no
//! searchability; grids and tables 12 pt (小四) with borders; the closing right-aligned with the date four
//! characters from the edge and, when asked, a 42 mm square left empty for the seal; page numbers centred.
//! Bold is the regular font drawn a little heavier. Colour: black, unless [`Options::red_authority`].

mod breaking;
mod font;
mod layout;
mod model;
mod pdf;
mod table;

pub use font::{font_not_found_message, Font, FontError, FontLocation, DEFAULT_FONT_PATHS, FONT_PACKAGE};
pub use model::{Block, Closing, Document, Options};

/// Why a document could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The text has characters the font cannot draw (a rare character in a name, an emoji): printed, they
    /// would be empty boxes and lost from the text, which a document that is served must not be.
    #[error("文书中有字体无法显示的字符：{}；请改写这些字符，或由系统管理员配置覆盖更全的中文字体", .0.iter().collect::<String>())]
    MissingGlyphs(Vec<char>),
    /// The PDF writer refused the document (not expected for any model; the cause is for the log).
    #[error("生成 PDF 文书失败：{0}")]
    Pdf(String),
}

/// Lays out `document` on A4 pages and writes it as PDF, all in black. Line ends may be `\n`, `\r\n` or
/// `\r`; tabs print as spaces; other control characters are left out. Fails when the font cannot draw a
/// character ([`Font::missing_glyphs`] checks text beforehand).
pub fn render(document: &Document, font: &Font) -> Result<Vec<u8>, RenderError> {
    render_with(document, font, &Options::default())
}

/// Like [`render`], with print options.
pub fn render_with(document: &Document, font: &Font, options: &Options) -> Result<Vec<u8>, RenderError> {
    let document = &document.cleaned();
    let missing = font.missing_glyphs(&document.texts().concat());
    if !missing.is_empty() {
        return Err(RenderError::MissingGlyphs(missing));
    }
    let metrics = font.metrics();
    let pages = layout::layout(document, &metrics, options);
    let title = match document.number.as_deref() {
        Some(number) if !number.trim().is_empty() => {
            format!("{}（{}）", document.title.trim(), number.trim())
        }
        _ => document.title.trim().to_owned(),
    };
    pdf::write(&pages, font, &metrics, &title, document.authority.trim())
}

/// How many pages `document` takes, without writing the PDF (for a preview or a 送达回证 that cites it).
pub fn page_count(document: &Document, font: &Font, options: &Options) -> usize {
    layout::layout(&document.cleaned(), &font.metrics(), options).len()
}
