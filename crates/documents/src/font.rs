//! The one font every document is set in, where to find it, and its metrics for line breaking.
//!
//! The crate does no I/O: the binary reads the font file once at start-up (from [`DEFAULT_FONT_PATHS`] or an
//! override) and hands the bytes to [`Font::from_bytes`], which checks that they are a usable font with
//! Chinese glyphs. A missing font is a start-up error with [`font_not_found_message`], never a blank PDF.

use std::fmt;
use std::sync::Arc;

use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::raw::TableProvider;
use skrifa::{FontRef, GlyphId, MetadataProvider};

/// The Debian package that ships the default font.
pub const FONT_PACKAGE: &str = "fonts-noto-cjk";

/// A font file and the face to use in it (the index in a .ttc collection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FontLocation {
    /// Absolute path of the file.
    pub path: &'static str,
    /// Index of the face in the collection (0 for a single font).
    pub index: u32,
    /// The family the face is expected to be, for messages.
    pub family: &'static str,
}

/// Where the binary looks for the font, in order: Noto Serif CJK SC (a 宋体 like the paper forms), then
/// Noto Sans CJK SC, both from the Debian package `fonts-noto-cjk`. Both are OpenType collections whose faces
/// are JP 0, KR 1, **SC 2**, TC 3, HK 4 (checked with `fc-query` and by this crate's tests).
pub const DEFAULT_FONT_PATHS: &[FontLocation] = &[
    FontLocation {
        path: "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        index: 2,
        family: "Noto Serif CJK SC",
    },
    FontLocation {
        path: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        index: 2,
        family: "Noto Sans CJK SC",
    },
];

/// The start-up message when no font was found: what was looked for and how to fix it. `override_hint`
/// names the binary's own way to point at another file, e.g. `--font PATH` or `LIANJIAN_FONT=PATH`.
pub fn font_not_found_message<T: fmt::Display>(
    looked_for: impl IntoIterator<Item = T>,
    override_hint: &str,
) -> String {
    let mut message = String::from("找不到生成执法文书（PDF）所需的中文字体。已查找：\n");
    for place in looked_for {
        message.push_str(&format!("  {place}\n"));
    }
    message.push_str(&format!(
        "请安装 Debian 软件包 {FONT_PACKAGE}（apt-get install {FONT_PACKAGE}），\
         或用 {override_hint} 指定一个含简体中文字形的 OpenType/TrueType 字体文件。"
    ));
    message
}

/// Why font data was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FontError {
    /// The bytes are not an OpenType/TrueType font, or the collection has no face at the index.
    #[error("字体数据不可用：不是 OpenType/TrueType 字体，或字体集合中没有第 {index} 号字体")]
    NotAFont {
        /// The face index asked for.
        index: u32,
    },
    /// The font lacks glyphs that every document needs.
    #[error("字体缺少中文字形（如“{missing}”），无法生成执法文书；请使用 Noto Serif CJK SC 等简体中文字体")]
    MissingGlyphs {
        /// Some of the characters without a glyph.
        missing: String,
    },
}

/// Characters every document uses: a font without them cannot print our forms.
const REQUIRED: &str = "上海市生态环境局检查通知书责令改正行政处罚决定书〔〕（）：，。、；— 0123456789ABCabc";

/// A loaded font: cheap to clone (the bytes are shared), safe to share between threads.
#[derive(Clone)]
pub struct Font {
    data: Arc<Vec<u8>>,
    index: u32,
    pub(crate) pdf: krilla::text::Font,
    family: String,
    units_per_em: f32,
    /// The ideographic em box, in ems above and below the baseline (OS/2 typo metrics).
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
}

impl fmt::Debug for Font {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Font").field("family", &self.family).field("index", &self.index).finish()
    }
}

impl Font {
    /// Loads a font from its bytes; `index` is the face in a .ttc/.otc collection (0 for a single font).
    /// Refuses data that is not a font and a font without Chinese glyphs.
    pub fn from_bytes(bytes: Vec<u8>, index: u32) -> Result<Font, FontError> {
        let data = Arc::new(bytes);
        let face = FontRef::from_index(&data, index).map_err(|_| FontError::NotAFont { index })?;
        let charmap = face.charmap();
        let missing: String = REQUIRED.chars().filter(|&c| charmap.map(c).is_none()).take(8).collect();
        if !missing.is_empty() {
            return Err(FontError::MissingGlyphs { missing });
        }
        let units_per_em = face.head().map(|h| h.units_per_em()).unwrap_or(1000).max(1) as f32;
        let (ascent, descent) = match face.os2() {
            Ok(os2) => (os2.s_typo_ascender() as f32, -(os2.s_typo_descender() as f32)),
            Err(_) => (0.88 * units_per_em, 0.12 * units_per_em),
        };
        let family = face
            .localized_strings(skrifa::string::StringId::FAMILY_NAME)
            .english_or_first()
            .map(|s| s.to_string())
            .unwrap_or_default();
        let pdf = krilla::text::Font::new(krilla::Data::from(data.clone()), index)
            .ok_or(FontError::NotAFont { index })?;
        Ok(Font {
            data,
            index,
            pdf,
            family,
            units_per_em,
            ascent: ascent / units_per_em,
            descent: descent / units_per_em,
        })
    }

    /// The family name in the font (e.g. "Noto Serif CJK SC"), for the start-up log.
    pub fn family_name(&self) -> &str {
        &self.family
    }

    /// The characters of `text` this font cannot draw, each once, in order of appearance (line ends and
    /// control characters, which are never drawn, aside). A use case can check an officer's text with it
    /// before it renders.
    pub fn missing_glyphs(&self, text: &str) -> Vec<char> {
        let metrics = self.metrics();
        let mut missing = Vec::new();
        for c in text.chars() {
            if !c.is_control() && metrics.charmap.map(c).is_none() && !missing.contains(&c) {
                missing.push(c);
            }
        }
        missing
    }

    /// Glyph lookup and advances for one rendering.
    pub(crate) fn metrics(&self) -> Metrics<'_> {
        let face = FontRef::from_index(&self.data, self.index).expect("checked when the font was loaded");
        Metrics {
            charmap: face.charmap(),
            glyphs: face.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em: self.units_per_em,
            ascent: self.ascent,
            descent: self.descent,
        }
    }
}

/// What layout needs from the font: the glyph for a character and its advance in ems.
pub(crate) struct Metrics<'a> {
    charmap: Charmap<'a>,
    glyphs: GlyphMetrics<'a>,
    units_per_em: f32,
    pub ascent: f32,
    pub descent: f32,
}

impl Metrics<'_> {
    /// The glyph drawn for `c` (0, .notdef, when the font has none).
    pub fn glyph(&self, c: char) -> u32 {
        self.charmap.map(c).unwrap_or(GlyphId::NOTDEF).to_u32()
    }

    /// The advance of `c` in ems.
    pub fn advance(&self, c: char) -> f32 {
        let glyph = self.charmap.map(c).unwrap_or(GlyphId::NOTDEF);
        self.glyphs.advance_width(glyph).unwrap_or(0.0) / self.units_per_em
    }

    /// The width of `text` in ems.
    pub fn width(&self, text: &str) -> f32 {
        text.chars().map(|c| self.advance(c)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_font_and_says_so_in_chinese() {
        let err = Font::from_bytes(b"not a font at all".to_vec(), 0).unwrap_err();
        assert_eq!(err, FontError::NotAFont { index: 0 });
        assert!(err.to_string().contains("字体数据不可用"));
    }

    #[test]
    fn missing_font_message_names_the_paths_the_package_and_the_override() {
        let msg = font_not_found_message(DEFAULT_FONT_PATHS.iter().map(|l| l.path), "--font PATH");
        assert!(msg.contains("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"));
        assert!(msg.contains("apt-get install fonts-noto-cjk"));
        assert!(msg.contains("--font PATH"));
    }

    #[test]
    fn font_is_shareable_between_threads() {
        fn send_sync<T: Send + Sync + Clone>() {}
        send_sync::<Font>();
    }
}
