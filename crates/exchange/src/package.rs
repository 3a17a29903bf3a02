//! The XLSX package guard: what a workbook is allowed to make the reader hold, checked before
//! calamine sees it (issue 15).
//!
//! An XLSX is a zip of XML parts. Opening one with calamine inflates and parses, whole, the parts
//! it keeps in memory — the shared-string table, the cell formats, the workbook's sheet list and
//! relationships — and it sizes some of its buffers by what the file declares (it reserves room
//! for the `uniqueCount` the shared-string table claims). So before calamine opens a file this
//! module opens the zip itself and, in one pass that holds nothing but counters:
//!
//! - counts the central-directory entries in the raw bytes (the zip reader keeps a record per
//!   entry, so a directory of millions of empty entries is refused before it is parsed);
//! - adds up the sizes the entries declare, then inflates every entry and counts what comes out,
//!   refusing as soon as the total passes the cap (a package can lie about its sizes);
//! - tokenises every part as calamine's XML reader would and refuses a single token (tag, text,
//!   comment) longer than [`MAX_TOKEN`], since that reader buffers a token whole; more shared
//!   strings than the cell cap (or a `uniqueCount` above it); more than [`MAX_RECORDS`] records
//!   of a kind calamine keeps (cell formats, fonts, fills, borders, number formats, sheets,
//!   defined names, relationships); and more than [`MAX_STYLE_TEXT`] of text that calamine copies
//!   into every cell format (its font name and number format code).
//!
//! Every part is tokenised whatever its name, since calamine finds the parts it reads through the
//! package's own relationships. The worksheets themselves are read later as a stream
//! (`crate::grid`), where the row, column and cell caps apply.

use std::collections::HashMap;
use std::io::{self, BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use crate::limits::{SheetLimits, MB};
use crate::SheetProblem;

/// Entries in one package. Excel writes a few dozen (one per sheet, plus a dozen others).
const MAX_ENTRIES: usize = 10_000;
/// Longest single XML token in any part. The longest Excel writes are a cell of 32,767
/// characters (at most ~200 KB escaped) and the range lists of formatting rules.
pub(crate) const MAX_TOKEN: u64 = 16 * MB;
/// Records of one kind in one part. Excel allows 65,490 cell formats and 65,530 hyperlinks (each a
/// relationship) per sheet.
pub(crate) const MAX_RECORDS: u64 = 100_000;
/// Text calamine copies into its cell formats. A real workbook needs well under 1 MB (tens of
/// thousands of formats, each with a font name of at most 31 characters and a short format code).
pub(crate) const MAX_STYLE_TEXT: u64 = 16 * MB;
/// What a built-in number format code may cost when a cell format names one.
const BUILTIN_FORMAT_TEXT: u64 = 64;

fn whole(reason: String) -> SheetProblem {
    SheetProblem::new("", 0, "", reason)
}

fn mb_up(bytes: u64) -> u64 {
    bytes.div_ceil(MB)
}

const RESAVE: &str = "请在 Excel 或 WPS 中打开后另存为新的 .xlsx 文件再上传";

/// Checks an XLSX package against `limits` and the structural caps above. `Ok` also for bytes that
/// are not a zip at all: calamine then refuses them with its own reason.
pub(crate) fn check(bytes: &[u8], limits: &SheetLimits) -> Result<(), SheetProblem> {
    let cap = limits.max_unzipped_bytes;
    let len = bytes.len() as u64;
    if len > cap {
        return Err(whole(format!(
            "文件大小 {} MB,超过上传工作簿的上限 {} MB;请拆分为多个文件分批导入",
            mb_up(len),
            limits.unzipped_mb()
        )));
    }
    let entries = memchr::memmem::find_iter(bytes, b"PK\x01\x02").count();
    if entries > MAX_ENTRIES {
        return Err(whole(format!(
            "文件中有 {entries} 个压缩条目(上限 {MAX_ENTRIES} 个),不是正常的 Excel 工作簿;{RESAVE}"
        )));
    }
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    let unreadable = |name: &str, e: &dyn std::fmt::Display| {
        whole(format!(
            "文件不是可读取的 Excel 工作簿(.xlsx):部件 {name} 无法解压({e}),文件可能已损坏或被篡改;{RESAVE}"
        ))
    };
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| unreadable(&format!("#{i}"), &e))?;
        declared = declared.saturating_add(f.size());
    }
    if declared > cap {
        return Err(whole(format!(
            "工作簿解压后有 {} MB(文件中声明),超过上限 {} MB;请删除多余的工作表、图片或表格之外的单元格,或拆分为多个文件分批导入",
            mb_up(declared),
            limits.unzipped_mb()
        )));
    }
    let mut inflated = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index(i).map_err(|e| unreadable(&format!("#{i}"), &e))?;
        if f.is_dir() {
            continue;
        }
        let name = String::from_utf8_lossy(f.name_raw()).into_owned();
        let mut meter = Meter { inner: f, total: inflated, cap, token: 0, exceeded: None };
        let result = scan_part(&name, &mut meter, limits);
        inflated = meter.total;
        match meter.exceeded {
            Some(Exceeded::Unzipped) => {
                return Err(whole(format!(
                    "工作簿解压后超过上限 {} MB(文件中声明的只有 {} MB,实际解压出的更多,文件可能被篡改或是压缩炸弹);请检查文件来源,或在 Excel 中另存为新文件后重试",
                    limits.unzipped_mb(),
                    mb_up(declared)
                )))
            }
            Some(Exceeded::Token) => {
                return Err(whole(format!(
                    "部件 {name} 中有一段超过 {} MB 的连续内容(单个单元格或元素过长),不是正常的 Excel 内容;{RESAVE}",
                    MAX_TOKEN / MB
                )))
            }
            None => result.map_err(|e| match e {
                PartError::Io(e) => unreadable(&name, &e),
                PartError::Refused(p) => p,
            })?,
        }
    }
    Ok(())
}

/// Why inflating stopped early.
#[derive(Debug, Clone, Copy)]
enum Exceeded {
    Unzipped,
    Token,
}

/// Counts what an entry inflates to (against the package total) and the bytes read since the XML
/// tokeniser last finished a token.
struct Meter<R> {
    inner: R,
    total: u64,
    cap: u64,
    token: u64,
    exceeded: Option<Exceeded>,
}

impl<R: Read> Read for Meter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        self.token += n as u64;
        let over = if self.total > self.cap {
            Some(Exceeded::Unzipped)
        } else if self.token > MAX_TOKEN {
            Some(Exceeded::Token)
        } else {
            None
        };
        if let Some(e) = over {
            self.exceeded = Some(e);
            return Err(io::Error::other("limit exceeded"));
        }
        Ok(n)
    }
}

enum PartError {
    Io(io::Error),
    Refused(SheetProblem),
}

impl From<io::Error> for PartError {
    fn from(e: io::Error) -> Self {
        PartError::Io(e)
    }
}

/// Counters over one part.
#[derive(Default)]
struct Tally {
    records: HashMap<&'static str, u64>,
    shared_strings: u64,
    /// Attribute bytes of each font in `<fonts>`, by index (an upper bound on its name).
    fonts: Vec<u64>,
    font: Option<u64>,
    in_fonts: bool,
    in_cell_xfs: bool,
    /// Format code bytes by `numFmtId`.
    formats: HashMap<String, u64>,
    style_text: u64,
}

/// The record kinds calamine keeps from the parts it loads whole.
const RECORDS: [&str; 8] = ["xf", "font", "fill", "border", "numFmt", "sheet", "definedName", "Relationship"];

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().map(|a| a.value.into_owned())
}

fn number(v: &str) -> Option<u64> {
    v.trim().parse().ok()
}

/// Tokenises one part the way calamine's reader is configured, keeping only counters. A part that
/// is not well-formed XML is tokenised up to its first error (calamine's reader stops there too)
/// and the rest only counted.
fn scan_part<R: Read>(name: &str, meter: &mut Meter<R>, limits: &SheetLimits) -> Result<(), PartError> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(meter));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut t = Tally::default();
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        let event = xml.read_event_into(&mut buf);
        match event {
            Ok(Event::Eof) => return Ok(()),
            Ok(Event::Start(e)) => t.start(name, &e, limits).map_err(PartError::Refused)?,
            Ok(Event::End(e)) => t.end(e.local_name().as_ref()),
            Ok(_) => {}
            Err(quick_xml::Error::Io(e)) => {
                return Err(PartError::Io(io::Error::new(e.kind(), e.to_string())))
            }
            Err(_) => break,
        }
        xml.get_mut().get_mut().token = 0;
    }
    // Not XML (an image, say) or broken from here on: only count the rest. Calamine's reader, which
    // is configured the same, stops at the same place.
    let mut rest = xml.into_inner();
    let mut sink = [0u8; 8192];
    loop {
        rest.get_mut().token = 0;
        if rest.read(&mut sink)? == 0 {
            return Ok(());
        }
    }
}

impl Tally {
    fn start(&mut self, part: &str, e: &BytesStart<'_>, limits: &SheetLimits) -> Result<(), SheetProblem> {
        let local = e.local_name();
        let local = local.as_ref();
        if let Some(kind) = RECORDS.iter().find(|k| **k == local) {
            let n = self.records.entry(kind).or_default();
            *n += 1;
            if *n > MAX_RECORDS {
                return Err(whole(format!(
                    "部件 {part} 中的 <{kind}> 记录超过 {MAX_RECORDS} 个,不是正常的 Excel 工作簿(格式或名称过多);{RESAVE}"
                )));
            }
        }
        if let Some(f) = self.font.as_mut() {
            *f += e.len() as u64;
        }
        match local {
            "sst" => {
                let declared = attr(e, "uniqueCount").as_deref().and_then(number).unwrap_or(0);
                if declared > limits.max_cells {
                    return Err(too_many_strings(declared, limits));
                }
            }
            "si" => {
                self.shared_strings += 1;
                if self.shared_strings > limits.max_cells {
                    return Err(too_many_strings(self.shared_strings, limits));
                }
            }
            "fonts" => self.in_fonts = true,
            "font" if self.in_fonts => self.font = Some(e.len() as u64),
            "cellXfs" => self.in_cell_xfs = true,
            "numFmt" => {
                if let Some(id) = attr(e, "numFmtId") {
                    let code = attr(e, "formatCode").map_or(0, |c| c.len() as u64);
                    self.formats.insert(id, code);
                }
            }
            "xf" if self.in_cell_xfs => {
                // calamine gives every cell format its own copy of its font and format code.
                let font = attr(e, "fontId")
                    .as_deref()
                    .and_then(number)
                    .and_then(|i| self.fonts.get(usize::try_from(i).ok()?).copied())
                    .unwrap_or(0);
                let code = attr(e, "numFmtId")
                    .map_or(0, |id| self.formats.get(&id).copied().unwrap_or(BUILTIN_FORMAT_TEXT));
                self.style_text += font + code;
                if self.style_text > MAX_STYLE_TEXT {
                    return Err(whole(format!(
                        "部件 {part} 中的单元格格式合计超过 {} MB(字体名或数字格式过长、格式过多),不是正常的 Excel 工作簿;{RESAVE}",
                        MAX_STYLE_TEXT / MB
                    )));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, local: &str) {
        match local {
            "fonts" => self.in_fonts = false,
            "font" => {
                if let Some(f) = self.font.take() {
                    self.fonts.push(f);
                }
            }
            "cellXfs" => self.in_cell_xfs = false,
            _ => {}
        }
    }
}

fn too_many_strings(n: u64, limits: &SheetLimits) -> SheetProblem {
    whole(format!(
        "工作簿的共享字符串表有 {n} 项,超过单元格上限 {} 个;请删除多余的工作表或表格之外的单元格,或拆分为多个文件分批导入",
        limits.max_cells
    ))
}
