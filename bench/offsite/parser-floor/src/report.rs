//! The report shape of exchange-formats §2 as serde types, so the typed readers do the work an
//! engine built on them would do (every field the rules read, strings borrowed from the line).
#![allow(dead_code)]

use std::borrow::Cow;

use serde::Deserialize;

/// Borrowed where the text has no escapes, owned where it has.
type Text<'a> = Cow<'a, str>;

#[derive(Deserialize)]
pub struct Report<'a> {
    #[serde(borrow)]
    report_no: Text<'a>,
    #[serde(borrow)]
    institution_uscc: Text<'a>,
    #[serde(borrow)]
    certificate_no: Option<Text<'a>>,
    cma_mark: bool,
    #[serde(borrow)]
    issued_on: Text<'a>,
    #[serde(borrow)]
    purpose: Text<'a>,
    #[serde(borrow)]
    commissioned_by: Option<Text<'a>>,
    #[serde(borrow)]
    client: Client<'a>,
    #[serde(borrow)]
    project: Text<'a>,
    #[serde(borrow)]
    compiled_by: Person<'a>,
    #[serde(borrow)]
    reviewed_by: Person<'a>,
    #[serde(borrow)]
    signatory: Person<'a>,
    #[serde(borrow)]
    samples: Vec<Sample<'a>>,
}

#[derive(Deserialize)]
struct Client<'a> {
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    uscc: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Sample<'a> {
    #[serde(borrow)]
    sample_id: Text<'a>,
    #[serde(borrow)]
    category: Text<'a>,
    #[serde(borrow)]
    site: Text<'a>,
    #[serde(borrow)]
    sampled_from: Text<'a>,
    #[serde(borrow)]
    sampled_to: Text<'a>,
    #[serde(borrow)]
    received_at: Text<'a>,
    #[serde(borrow)]
    samplers: Vec<Person<'a>>,
    #[serde(borrow)]
    results: Vec<ResultRow<'a>>,
}

#[derive(Deserialize)]
struct ResultRow<'a> {
    #[serde(borrow)]
    parameter: Text<'a>,
    #[serde(borrow)]
    method: Text<'a>,
    #[serde(borrow)]
    value: Option<Text<'a>>,
    #[serde(borrow)]
    unit: Text<'a>,
    below_detection: bool,
    #[serde(borrow)]
    detection_limit: Option<Text<'a>>,
    #[serde(borrow)]
    limit: Option<Text<'a>>,
    #[serde(borrow)]
    limit_standard: Option<Text<'a>>,
    #[serde(borrow)]
    analyst: Person<'a>,
    #[serde(borrow)]
    analyzed_at: Text<'a>,
    #[serde(borrow)]
    instrument_id: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Person<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
}
