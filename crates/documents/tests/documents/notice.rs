use lianjian_documents::{render, render_with, Options};

use crate::samples::*;
use crate::support::*;

#[test]
fn notice_is_one_a4_page() {
    let pdf = render(&notice(), font()).unwrap();
    assert_eq!(info(&pdf, "Pages"), "1");
    assert!(info(&pdf, "Page size").starts_with("595.276 x 841.89 pts"), "{}", info(&pdf, "Page size"));
}

#[test]
fn notice_text_reads_in_order_with_addressee_number_problem_and_deadline() {
    let text = text(&render(&notice(), font()).unwrap());
    assert_in_order(
        &text,
        &[
            AUTHORITY,
            "检查通知书",
            NUMBER,
            &format!("{INSTITUTION}："),
            DEADLINE,
            "一、检查事项",
            PROBLEM,
            "统一社会信用代码",
            "91310113MA1GL2XK3P",
            "执法人员：张卫东（执法证号 31011234）",
            "执法证号 31011288",
            AUTHORITY,
            "2026年12月20日",
            "本通知书一式两份，一份送达被检查单位，一份存档。",
            "— 1 —",
        ],
    );
}

#[test]
fn notice_embeds_one_subset_font_and_stays_small() {
    let pdf = render(&notice(), font()).unwrap();
    let fonts = fonts(&pdf);
    assert_eq!(fonts.len(), 1, "{fonts:#?}");
    let row: Vec<&str> = fonts[0].split_whitespace().collect();
    let name = row[0];
    assert!(name.len() > 7 && name.as_bytes()[6] == b'+', "not a subset: {name}");
    assert!(name.contains("NotoSerifCJKsc"), "{name}");
    // emb sub uni: embedded, subset, with a ToUnicode map (searchable).
    assert!(fonts[0].contains("yes yes yes"), "{}", fonts[0]);
    assert!(pdf.len() < 150_000, "{} bytes: is the font subset?", pdf.len());
}

#[test]
fn no_extracted_line_starts_with_closing_punctuation() {
    for doc in [notice(), record()] {
        let text = text(&render(&doc, font()).unwrap());
        for line in text.lines() {
            if let Some(first) = line.trim_start().chars().next() {
                assert!(!"，。、；：？！）」』》〕】".contains(first), "a line starts with {first}: {line}");
            }
        }
    }
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(render(&record(), font()).unwrap(), render(&record(), font()).unwrap());
}

#[test]
fn red_authority_changes_the_colour_not_the_text() {
    let black = render(&notice(), font()).unwrap();
    let red = render_with(&notice(), font(), &Options { red_authority: true }).unwrap();
    assert_ne!(black, red);
    assert_eq!(text(&black), text(&red));
}

/// A word's box as `pdftotext -bbox` reports it: (text, x min, y min, x max, y max), y from the top.
fn words(pdf: &[u8]) -> Vec<(String, f32, f32, f32, f32)> {
    let html = poppler("pdftotext", &["-bbox"], pdf);
    let attr = |line: &str, name: &str| -> f32 {
        let at = line.find(&format!("{name}=\"")).expect("an attribute") + name.len() + 2;
        line[at..].split('"').next().and_then(|v| v.parse().ok()).expect("a number")
    };
    html.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let text = l.split('>').nth(1).and_then(|t| t.split('<').next()).unwrap_or("").to_owned();
            (text, attr(l, "xMin"), attr(l, "yMin"), attr(l, "xMax"), attr(l, "yMax"))
        })
        .collect()
}

#[test]
fn notice_text_keeps_the_gongwen_margins_and_centres_title_and_page_number() {
    const MM: f32 = 72.0 / 25.4;
    let words = words(&render(&notice(), font()).unwrap());
    let (left, right, top, bottom) = (28.0 * MM, (210.0 - 26.0) * MM, 37.0 * MM, (297.0 - 35.0) * MM);
    // The 版心 is 1 mm right of the page's middle (28 mm left, 26 mm right); things centre on it.
    let centre = (left + right) / 2.0;
    for (text, x0, y0, x1, y1) in &words {
        if y0 > &bottom {
            // Only the page number is under the 版心, about 7 mm under it, centred.
            assert!("—1".contains(text.as_str()), "{text} under the text area");
            assert!((y0 - bottom - 7.0 * MM).abs() < 3.0 * MM, "page number at {y0}");
            assert!((x0 + x1) / 2.0 > centre - 20.0 && (x0 + x1) / 2.0 < centre + 20.0);
            continue;
        }
        assert!(*x0 >= left - 0.5 && *x1 <= right + 0.5, "{text} outside the margins: {x0}..{x1}");
        assert!(*y0 >= top - 0.5 && *y1 <= bottom + 0.5, "{text} outside the margins: {y0}..{y1}");
    }
    let title = words.iter().find(|w| w.0 == "检查通知书").expect("the title");
    assert!(((title.1 + title.3) / 2.0 - centre).abs() < 1.0, "title not centred: {title:?}");
    assert!(title.4 - title.2 >= 21.0, "title smaller than 22 pt: {title:?}");
    let date = words.iter().find(|w| w.0 == "2026年12月20日").expect("the date");
    assert!((right - date.3 - 4.0 * 16.0).abs() < 1.0, "date not four characters from the right: {date:?}");
}

#[test]
fn a_character_the_font_cannot_draw_is_an_error_not_an_empty_box() {
    let mut doc = notice();
    doc.addressee = Some("上海😀检测有限公司".into());
    let err = render(&doc, font()).unwrap_err();
    assert_eq!(err, lianjian_documents::RenderError::MissingGlyphs(vec!['😀']));
    assert!(err.to_string().contains("字体无法显示的字符：😀"), "{err}");
    assert_eq!(font().missing_glyphs("宝山区😀a😀"), vec!['😀']);
}

#[test]
fn tabs_carriage_returns_and_control_characters_print_cleanly() {
    let mut doc = notice();
    doc.blocks = vec![lianjian_documents::Block::Paragraph("制表\t符号\r\n回车\r换行\u{7}响铃".into())];
    let pdf = render(&doc, font()).unwrap();
    let body = raw_body(&pdf);
    assert!(body.contains("制表符号回车换行响铃"), "{body}");
}
