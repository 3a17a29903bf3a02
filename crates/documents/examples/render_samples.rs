//! Writes the test suite's sample documents as PDF, to look at them and to time them:
//! `cargo run --release -p lianjian-documents --example render_samples -- OUT_DIR [ROWS]`
//! (ROWS: problems in the record's table, 36 by default; 12 gives three pages).

use std::time::Instant;

use lianjian_documents::{font_not_found_message, page_count, render, Font, Options, DEFAULT_FONT_PATHS};

#[path = "../tests/documents/samples.rs"]
#[allow(dead_code)]
mod samples;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let rows: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(36);
    let started = Instant::now();
    let place = DEFAULT_FONT_PATHS
        .iter()
        .find(|p| std::path::Path::new(p.path).exists())
        .ok_or_else(|| font_not_found_message(DEFAULT_FONT_PATHS.iter().map(|p| p.path), "(none)"))?;
    let font = Font::from_bytes(std::fs::read(place.path)?, place.index)?;
    println!("font {} loaded in {:.1?}", font.family_name(), started.elapsed());
    for (name, doc) in [("notice", samples::notice()), ("record", samples::record_with(rows))] {
        let started = Instant::now();
        let pdf = render(&doc, &font)?;
        let took = started.elapsed();
        let pages = page_count(&doc, &font, &Options::default());
        println!("{name}: {pages} pages, {} bytes, rendered in {took:.1?}", pdf.len());
        std::fs::write(out.join(format!("{name}.pdf")), pdf)?;
    }
    Ok(())
}
