//! Whatever the text, layout neither panics nor loses a character: what pdftotext reads back, whitespace
//! aside, is what went in.

use lianjian_documents::{render, Block, Document};
use proptest::prelude::*;

use crate::support::*;

const HANZI: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过\
    子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把\
    性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命\
    监测机构检查通知书责令改正整改复查意见会议纪要立案审批表行政处罚事先告知听证决定涉嫌犯罪移送生态环境局宝山区";
const MARKS: &str = "，。、；：？！（）「」『』《》〔〕【】“”‘’—…·";
const LATIN: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?()-/%";

fn text() -> impl Strategy<Value = String> {
    let pool: Vec<char> = HANZI.chars().chain(MARKS.chars()).chain(LATIN.chars()).collect();
    let ch = prop_oneof![
        6 => proptest::sample::select(pool),
        1 => Just(' '),
        1 => proptest::sample::select(vec!['\n', '　', '\t', '\r']),
    ];
    proptest::collection::vec(ch, 0..600).prop_map(|cs| cs.into_iter().collect())
}

fn bare(blocks: Vec<Block>) -> Document {
    Document { blocks, ..Document::default() }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn paragraph_text_survives_layout_and_extraction(text in text()) {
        let pdf = render(&bare(vec![Block::Paragraph(text.clone())]), font()).unwrap();
        prop_assert_eq!(raw_body(&pdf), squash(&text));
    }

    #[test]
    fn table_cell_text_survives_layout_and_extraction(a in text(), b in text(), c in text()) {
        let table = Block::Table { headers: vec![], rows: vec![vec![a.clone(), b.clone(), c.clone()]], widths: vec![1.0, 3.0, 2.0] };
        let pdf = render(&bare(vec![table]), font()).unwrap();
        // A row taller than a page is split line by line: on each page, a's lines, then b's, then c's.
        let raw = raw_body(&pdf);
        let expected = squash(&format!("{a}{b}{c}"));
        if raw_pages(&pdf).len() == 1 {
            prop_assert_eq!(&raw, &expected);
        }
        let mut sorted_raw: Vec<char> = raw.chars().collect();
        let mut sorted_expected: Vec<char> = expected.chars().collect();
        sorted_raw.sort_unstable();
        sorted_expected.sort_unstable();
        prop_assert_eq!(sorted_raw, sorted_expected);
    }
}
