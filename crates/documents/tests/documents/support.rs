//! The font and the poppler tools the tests read PDFs back with.

use std::io::Write;
use std::process::Command;
use std::sync::OnceLock;

use lianjian_documents::{font_not_found_message, Font, DEFAULT_FONT_PATHS};

/// The default font, loaded once for all tests, from where the binary finds it.
pub fn font() -> &'static Font {
    static FONT: OnceLock<Font> = OnceLock::new();
    FONT.get_or_init(|| {
        for place in DEFAULT_FONT_PATHS {
            if let Ok(bytes) = std::fs::read(place.path) {
                return Font::from_bytes(bytes, place.index).expect("the packaged font loads");
            }
        }
        panic!("{}", font_not_found_message(DEFAULT_FONT_PATHS.iter().map(|p| p.path), "(tests: none)"));
    })
}

/// Runs a poppler tool on `pdf` and returns its standard output.
pub fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let mut file = tempfile::Builder::new().suffix(".pdf").tempfile().expect("a temporary file");
    file.write_all(pdf).expect("write the PDF");
    let path = file.path().to_str().expect("a UTF-8 temporary path").to_owned();
    let mut command = Command::new(tool);
    command.args(args).arg(&path);
    if tool == "pdftotext" {
        command.arg("-");
    }
    let out = command.output().unwrap_or_else(|e| {
        panic!("cannot run {tool} ({e}): these tests need poppler-utils (apt-get install poppler-utils)")
    });
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("poppler writes UTF-8")
}

/// The text of `pdf` as pdftotext reads it (reading order, pages separated by form feeds).
pub fn text(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-enc", "UTF-8"], pdf)
}

/// `text` without any whitespace, so that line breaks do not matter.
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that every needle occurs in `haystack` (both squashed), each after the previous one.
pub fn assert_in_order(haystack: &str, needles: &[&str]) {
    let hay = squash(haystack);
    let mut at = 0;
    for needle in needles {
        let needle = squash(needle);
        match hay[at..].find(&needle) {
            Some(i) => at += i + needle.len(),
            None => panic!("{needle:?} not found after byte {at} of the extracted text:\n{haystack}"),
        }
    }
}

/// The value of one `Key: value` line of pdfinfo.
pub fn info(pdf: &[u8], key: &str) -> String {
    let out = poppler("pdfinfo", &[], pdf);
    out.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|rest| rest.strip_prefix(':')))
        .unwrap_or_else(|| panic!("pdfinfo has no {key}:\n{out}"))
        .trim()
        .to_owned()
}

/// The fonts pdffonts lists (its table rows, past the two header lines).
pub fn fonts(pdf: &[u8]) -> Vec<String> {
    poppler("pdffonts", &[], pdf).lines().skip(2).map(str::to_owned).collect()
}

/// The text of each page, as `pdftotext -raw` reads it: in the order it was written (cell by cell in a
/// table, where the default mode guesses columns), the page number last.
pub fn raw_pages(pdf: &[u8]) -> Vec<String> {
    let raw = poppler("pdftotext", &["-raw", "-enc", "UTF-8"], pdf);
    let mut pages: Vec<String> = raw.split('\u{c}').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// All the text of `pdf` in the order it was written, squashed, without the page numbers "— n —".
pub fn raw_body(pdf: &[u8]) -> String {
    raw_pages(pdf)
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let page = squash(page);
            let number = format!("—{}—", i + 1);
            page.strip_suffix(&number)
                .unwrap_or_else(|| panic!("page {} is not numbered: {page}", i + 1))
                .to_owned()
        })
        .collect()
}
