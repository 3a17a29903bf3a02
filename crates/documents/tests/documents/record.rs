use lianjian_documents::{page_count, render, Block, Options};

use crate::samples::*;
use crate::support::*;

#[test]
fn record_spans_several_a4_pages_and_page_count_agrees() {
    let pdf = render(&record(), font()).unwrap();
    let pages: usize = info(&pdf, "Pages").parse().unwrap();
    assert!(pages >= 3, "{pages} pages");
    assert_eq!(pages, page_count(&record(), font(), &Options::default()));
    assert!(info(&pdf, "Page size").starts_with("595.276 x 841.89 pts"));
    assert_eq!(fonts(&pdf).len(), 1);
}

#[test]
fn every_table_cell_comes_out_in_reading_order() {
    let pdf = render(&record(), font()).unwrap();
    let raw = raw_pages(&pdf).concat();
    let mut cells: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    cells.extend(problems().into_iter().flatten());
    let needles: Vec<&str> = cells.iter().map(String::as_str).collect();
    assert_in_order(&raw, &needles);
    assert_in_order(&text(&pdf), &[INSTITUTION, "一、检查情况", "三、整改要求", DEADLINE, "2026年12月18日"]);
}

#[test]
fn table_header_is_repeated_on_every_page_the_table_runs_onto() {
    let pages = raw_pages(&render(&record(), font()).unwrap());
    let header = squash(&HEADERS.concat());
    let mut table_pages = 0;
    for (i, page) in pages.iter().enumerate() {
        let page = squash(page);
        if page.contains("相关人员未能当场说明原因") {
            table_pages += 1;
            assert!(page.contains(&header), "page {} has rows but no header", i + 1);
        }
    }
    assert!(table_pages >= 2, "the table should run over pages: {table_pages}");
}

#[test]
fn record_pages_are_numbered_in_gongwen_style() {
    let pages = raw_pages(&render(&record(), font()).unwrap());
    for (i, page) in pages.iter().enumerate() {
        assert!(squash(page).ends_with(&format!("—{}—", i + 1)), "page {}: {page}", i + 1);
    }
}

#[test]
fn closing_is_never_alone_on_its_page() {
    let pages = raw_pages(&render(&record(), font()).unwrap());
    let last = squash(pages.last().unwrap());
    assert!(last.contains("2026年12月18日"));
    assert!(last.contains("执法证号31011234"), "the closing should bring a line of the body: {last}");
}

#[test]
fn a_cell_taller_than_a_page_is_split_between_pages_not_lost() {
    let long: String = (0..120).map(|i| format!("第{i}条记录的内容需要逐项核对，")).collect();
    let mut doc = record();
    doc.blocks = vec![Block::Table {
        headers: vec!["序号".into(), "内容".into()],
        rows: vec![vec!["1".into(), long.clone()], vec!["2".into(), "最后一行".into()]],
        widths: vec![1.0, 6.0],
    }];
    let pdf = render(&doc, font()).unwrap();
    assert!(raw_pages(&pdf).len() >= 3, "{} pages", raw_pages(&pdf).len());
    let body = raw_body(&pdf).replace("序号内容", "");
    assert!(body.contains(&squash(&long)), "the long cell lost text");
    assert_in_order(&body, &[&long, "2", "最后一行"]);
}

#[test]
fn a_heading_is_never_left_at_the_foot_of_a_page_without_its_table() {
    for filler in 18..30 {
        let mut blocks: Vec<Block> = (0..filler).map(|i| Block::Paragraph(format!("第{i}段。"))).collect();
        blocks.push(Block::Heading("二、发现的问题".into()));
        blocks.push(Block::Table {
            headers: HEADERS.iter().map(|h| h.to_string()).collect(),
            rows: problems(),
            widths: vec![0.8, 1.6, 4.5, 1.8],
        });
        let doc = lianjian_documents::Document { blocks, ..record() };
        let pages = raw_pages(&render(&doc, font()).unwrap());
        let page = pages.iter().find(|p| p.contains("二、发现的问题")).expect("the heading");
        assert!(
            squash(page).contains("第1项"),
            "{filler} paragraphs: the heading's page has no row:\n{page}"
        );
    }
}
