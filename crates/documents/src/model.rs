//! The document model: owned, plain data that the callers (inspections, leads, cases) fill in and
//! [`render`](crate::render) lays out. It knows nothing about PDF or fonts, so a use case can build and test
//! a document's content without rendering it.

/// One document an officer signs and serves (检查通知书, 现场检查记录, 行政处罚决定书 …), in the order the
/// paper form reads: issuing authority and title, 文号, addressee, body, closing with the seal, a footer note.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// 发文机关, e.g. 上海市宝山区生态环境局, printed above the title (empty: left out).
    pub authority: String,
    /// 文书名称, e.g. 检查通知书, centred and large.
    pub title: String,
    /// 文号 from the department's sequence, e.g. 宝环检通〔2026〕12号, centred under the title.
    pub number: Option<String>,
    /// 主送: the institution the document is served on; printed flush left and followed by "：".
    pub addressee: Option<String>,
    /// The body, top to bottom.
    pub blocks: Vec<Block>,
    /// 落款: the signing authority, the date and the space left for the seal.
    pub closing: Closing,
    /// A note at the foot of the last page, e.g. 本通知书一式两份，一份送达被检查单位，一份存档。
    pub footer_note: Option<String>,
}

/// One piece of the body. Every block is real text in the PDF (selectable and searchable).
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Body text with a first-line indent of two characters, as 公文 正文. A `\n` starts a new paragraph.
    Paragraph(String),
    /// A section head (一、检查依据), indented like a paragraph and kept with the line that follows it.
    Heading(String),
    /// A bordered two-column form grid: label | value (被检查单位 | 上海某某检测有限公司; 统一社会信用代码 | …).
    Fields(Vec<(String, String)>),
    /// A bordered table; the header row is repeated on every page the table runs onto, and cells wrap.
    Table {
        /// Column heads; may be empty (no header row).
        headers: Vec<String>,
        /// The rows; a short row is padded with empty cells.
        rows: Vec<Vec<String>>,
        /// Relative column widths (`[1.0, 4.0, 2.0]`); missing or non-positive entries count as 1.
        widths: Vec<f32>,
    },
    /// Lines to sign on, one a line with room above for the signature, e.g.
    /// `执法人员：张卫东（执法证号 31011234）  ______`.
    Signatures(Vec<String>),
    /// Vertical space, in millimetres.
    Spacer(f32),
}

/// 落款 of a document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Closing {
    /// 发文机关署名, centred over the date.
    pub authority: String,
    /// 成文日期 as it is printed, e.g. 2026年12月20日.
    pub date: String,
    /// Reserve an empty square of about 42 mm over the signature and date for the seal (印章位置).
    pub seal_area: bool,
}

/// How to print what the model does not say. The default prints everything black.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Options {
    /// Print the issuing authority above the title in red, as on 红头 paper.
    pub red_authority: bool,
}

impl Document {
    /// Every piece of text in the document, in reading order.
    pub(crate) fn texts(&self) -> Vec<&str> {
        let mut out = vec![self.authority.as_str(), self.title.as_str()];
        out.extend(self.number.as_deref());
        out.extend(self.addressee.as_deref());
        for block in &self.blocks {
            match block {
                Block::Paragraph(t) | Block::Heading(t) => out.push(t),
                Block::Fields(fields) => {
                    fields.iter().for_each(|(k, v)| out.extend([k.as_str(), v.as_str()]))
                }
                Block::Table { headers, rows, .. } => {
                    out.extend(headers.iter().map(String::as_str));
                    rows.iter().for_each(|r| out.extend(r.iter().map(String::as_str)));
                }
                Block::Signatures(lines) => out.extend(lines.iter().map(String::as_str)),
                Block::Spacer(_) => {}
            }
        }
        out.extend([self.closing.authority.as_str(), self.closing.date.as_str()]);
        out.extend(self.footer_note.as_deref());
        out
    }

    /// The document with every text cleaned for typesetting (see [`clean`]).
    pub(crate) fn cleaned(&self) -> Document {
        let list = |v: &[String]| v.iter().map(|s| clean(s)).collect::<Vec<_>>();
        Document {
            authority: clean(&self.authority),
            title: clean(&self.title),
            number: self.number.as_deref().map(clean),
            addressee: self.addressee.as_deref().map(clean),
            blocks: self
                .blocks
                .iter()
                .map(|block| match block {
                    Block::Paragraph(t) => Block::Paragraph(clean(t)),
                    Block::Heading(t) => Block::Heading(clean(t)),
                    Block::Fields(fields) => {
                        Block::Fields(fields.iter().map(|(k, v)| (clean(k), clean(v))).collect())
                    }
                    Block::Table { headers, rows, widths } => Block::Table {
                        headers: list(headers),
                        rows: rows.iter().map(|r| list(r)).collect(),
                        widths: widths.clone(),
                    },
                    Block::Signatures(lines) => Block::Signatures(list(lines)),
                    Block::Spacer(mm) => Block::Spacer(*mm),
                })
                .collect(),
            closing: Closing {
                authority: clean(&self.closing.authority),
                date: clean(&self.closing.date),
                seal_area: self.closing.seal_area,
            },
            footer_note: self.footer_note.as_deref().map(clean),
        }
    }
}

/// Text as it is typeset: line ends (`\r\n`, `\r`) become `\n`, tabs and other spaces a plain space (the
/// ideographic space U+3000 stays), and other control characters, which no font draws, are dropped.
pub(crate) fn clean(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' => Some('\n'),
            '\u{3000}' => Some(c),
            c if c.is_whitespace() => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}
