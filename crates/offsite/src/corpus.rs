//! Deterministic test corpora 测试语料: a registry snapshot, a method table and reports with
//! planted violations of every rule, plus the ground truth of what was planted. Clean reports
//! are built so that they raise nothing, warnings included (values are log-uniform over whole
//! decades, so they follow Benford and show no bunching or digit preference).
//!
//! Special institutions: #0 restricted (only non-public work when clean), #1 S01 bunching on
//! 化学需氧量, #2 S02 digit preference on 氨氮, #3 S03 uniform (non-Benford) values; the rest are
//! ordinary. Warnings need enough data: plant them in corpora of at least ~2,000 reports.

use std::io::{self, Write};

use lianjian_registry::{
    Category, Certificate, Institution, Instrument, Person, Restriction, ScopeEntry, Signatory, Snapshot,
    Staff, Status, StatusEntry,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::instant::{day_string, days_from_civil};
use crate::RuleId;

/// What to generate.
#[derive(Debug, Clone)]
pub struct CorpusSpec {
    pub seed: u64,
    /// Stop after this many reports …
    pub reports: u64,
    /// … or once this many result rows are written, whichever comes first (0 = no row limit).
    pub rows: u64,
    /// Ordinary institutions (besides the four special ones).
    pub institutions: usize,
    /// Plant violations (every `plant_every`-th report) and the warning institutions' signals.
    pub plant: bool,
    pub plant_every: u64,
}

impl Default for CorpusSpec {
    fn default() -> CorpusSpec {
        CorpusSpec { seed: 1, reports: 3000, rows: 0, institutions: 16, plant: true, plant_every: 40 }
    }
}

/// One planted violation. Error rules carry the report (or, for an unreadable line, the line);
/// warnings carry the institution and parameter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Planted {
    pub rule: RuleId,
    pub report_no: Option<String>,
    pub line: Option<u64>,
    pub institution_uscc: Option<String>,
    pub parameter: Option<String>,
    pub kind: String,
}

/// The generated registry and method table, the truth, and counts.
#[derive(Debug, Clone)]
pub struct Corpus {
    pub snapshot: Snapshot,
    pub methods_csv: String,
    pub truth: Vec<Planted>,
    pub reports: u64,
    pub rows: u64,
}

/// splitmix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Param {
    category: Category,
    name: &'static str,
    method: &'static str,
    unit: &'static str,
    limit: Option<&'static str>,
    /// detection limit as (mantissa, exponent): value = m × 10^e
    dl: (u64, i32),
}

fn params() -> Vec<Param> {
    use Category::{Air, Water};
    let p = |category, name, method, unit, limit, dl| Param { category, name, method, unit, limit, dl };
    vec![
        p(Water, "化学需氧量", "HJ 828-2017", "mg/L", Some("30"), (4, 0)),
        p(Water, "氨氮", "HJ 535-2009", "mg/L", Some("1.5"), (25, -3)),
        p(Water, "总磷", "GB 11893-89", "mg/L", Some("0.3"), (1, -2)),
        p(Water, "总氮", "HJ 636-2012", "mg/L", Some("1.5"), (5, -2)),
        p(Water, "五日生化需氧量", "HJ 505-2009", "mg/L", Some("6"), (5, -1)),
        p(Water, "石油类", "HJ 970-2018", "mg/L", Some("0.5"), (1, -2)),
        p(Water, "pH值", "HJ 1147-2020", "无量纲", None, (0, 0)),
        p(Air, "二氧化硫", "HJ 482-2009", "μg/m³", Some("150"), (7, 0)),
        p(Air, "二氧化氮", "HJ 479-2009", "μg/m³", Some("80"), (3, 0)),
        p(Air, "颗粒物", "HJ 836-2017", "mg/m³", Some("120"), (1, 0)),
        p(Air, "非甲烷总烃", "HJ 38-2017", "mg/m³", Some("10"), (7, -2)),
        p(Air, "氮氧化物", "HJ 693-2014", "mg/m³", Some("100"), (3, 0)),
    ]
}

const UNKNOWN_METHOD: &str = "HJ 9999-2099";
const ABOLISHED_METHOD: &str = "GB 7488-87";
const OUT_OF_SCOPE: (&str, &str) = ("镉", "GB 7475-87");

fn methods_csv() -> String {
    let mut s = String::from("code,title_zh,category,effective,abolished,replaced_by,source\n");
    for p in params() {
        s.push_str(&format!(
            "{},{}测定方法,{},2000-01-01,,,generated\n",
            p.method,
            p.name,
            p.category.as_str()
        ));
    }
    s.push_str("GB 7488-87,水质 五日生化需氧量的测定,water,MISSING,2009-12-01,HJ 505-2009,generated\n");
    s.push_str("GB 7475-87,水质 铜、锌、铅、镉的测定,water,MISSING,,,generated\n");
    s
}

const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn uscc(rng: &mut Rng) -> String {
    let mut body = String::from("91310");
    for _ in 0..12 {
        body.push(CHARSET[rng.below(31) as usize] as char);
    }
    let c = lianjian_registry::uscc::check_char(&body).unwrap_or('0');
    body.push(c);
    body
}

fn date(y: i32, m: u8, d: u8) -> time::Date {
    time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap_or(time::Month::January), d)
        .unwrap_or(time::Date::MIN)
}

fn person(id: String) -> Person {
    Person { name: format!("人员{}", &id[2..]), id }
}

fn institution(i: usize, rng: &mut Rng) -> Institution {
    let mut scope = Vec::new();
    for p in params() {
        scope.push(ScopeEntry {
            category: p.category,
            parameter: p.name.into(),
            method: p.method.into(),
            from: date(2017, 1, 1),
            to: None,
        });
    }
    for m in [UNKNOWN_METHOD, ABOLISHED_METHOD] {
        scope.push(ScopeEntry {
            category: Category::Water,
            parameter: "五日生化需氧量".into(),
            method: m.into(),
            from: date(2017, 1, 1),
            to: None,
        });
    }
    let cert = |no: String, issued, expires| Certificate {
        no,
        issuer: Some("上海市市场监督管理局".into()),
        issued_on: issued,
        expires_on: expires,
        status_history: vec![StatusEntry { status: Status::Valid, from: issued }],
        scope: scope.clone(),
    };
    let staff = (0..8)
        .map(|k| Staff {
            person: person(format!("P-{:03}{:03}", i, k)),
            roles: vec!["sampler".into(), "analyst".into()],
            from: date(2018, 1, 1),
            to: None,
        })
        .collect();
    Institution {
        uscc: uscc(rng),
        name: format!("上海第{}检测技术有限公司", i + 1),
        district: Some("宝山区".into()),
        address: Some(format!("某路 {} 号", i + 1)),
        legal_rep: Some("某某".into()),
        phone: None,
        certificates: vec![
            cert(format!("2017{:08}", i), date(2017, 1, 1), date(2022, 12, 31)),
            cert(format!("2023{:08}", i), date(2023, 1, 1), date(2028, 12, 31)),
        ],
        signatories: vec![
            Signatory {
                person: person(format!("P-{:03}000", i)),
                categories: vec![Category::Water, Category::Air],
                from: date(2018, 1, 1),
                to: None,
            },
            Signatory {
                person: person(format!("P-{:03}001", i)),
                categories: vec![Category::Water],
                from: date(2018, 1, 1),
                to: None,
            },
        ],
        staff,
        instruments: (0..4)
            .map(|k| Instrument { id: format!("YQ-{i:03}-{k}"), name: "分析仪器".into() })
            .collect(),
        restrictions: if i == 0 {
            vec![Restriction { from: date(2023, 6, 1), to: None, basis: "宝市监罚〔2023〕7号".into() }]
        } else {
            Vec::new()
        },
    }
}

/// Formats m × 10^e as a decimal string (m > 0).
fn dec_string(m: u64, e: i32) -> String {
    let digits = m.to_string();
    if e >= 0 {
        format!("{digits}{}", "0".repeat(e as usize))
    } else {
        let k = (-e) as usize;
        if digits.len() > k {
            format!("{}.{}", &digits[..digits.len() - k], &digits[digits.len() - k..])
        } else {
            format!("0.{}{digits}", "0".repeat(k - digits.len()))
        }
    }
}

/// Formats a positive value as reported: three significant digits, truncated, or the integer
/// part when that has more digits (so the last digit is never a padding zero).
fn report_value(v: f64) -> String {
    if v >= 100.0 {
        return format!("{}", v.floor() as u64);
    }
    let k = v.log10().floor() as i32;
    let decimals = 2 - k;
    let mant = (v * 10f64.powi(decimals)).floor() as u64;
    dec_string(mant.max(1), -decimals)
}

/// A value log-uniform over three decades starting at the detection limit (Benford-conformant;
/// truncation keeps it at or above the detection limit).
fn benford_value(rng: &mut Rng, dl: (u64, i32)) -> String {
    let x = (dl.0 as f64).log10() + f64::from(dl.1) + 3.0 * rng.unit();
    report_value(10f64.powf(x).max(dl.0 as f64 * 10f64.powi(dl.1)))
}

/// Uniform (not log-uniform) over [dl, 1000·dl]: far from Benford.
fn uniform_value(rng: &mut Rng, dl: (u64, i32)) -> String {
    let d = dl.0 as f64 * 10f64.powi(dl.1);
    report_value(d * (1.0 + 999.0 * rng.unit()))
}

struct Gen {
    rng: Rng,
    insts: Vec<Institution>,
    /// per institution: next sampling instant (seconds, CST-local epoch seconds)
    cursor: Vec<i64>,
    /// per institution: last sample (window, samplers, site) for T02, and last numeric results for D01
    last_sample: Vec<Option<(i64, i64, Vec<String>)>>,
    prev_sample: Vec<Option<(i64, i64, Vec<String>)>>,
    /// force the report's samples to water (true) or air (false)
    force_water: Option<bool>,
    /// whether the warning institutions show their signals
    signals: bool,
    last_results: Vec<Option<Vec<Value>>>,
    line: u64,
    rows: u64,
    seq: u64,
}

fn ts(local_secs: i64) -> String {
    let day = local_secs.div_euclid(86_400);
    let s = local_secs.rem_euclid(86_400);
    format!("{}T{:02}:{:02}:{:02}+08:00", day_string(day as i32), s / 3600, s / 60 % 60, s % 60)
}

impl Gen {
    fn samplers(&mut self, i: usize) -> Vec<String> {
        let a = self.rng.below(8);
        let b = (a + 1 + self.rng.below(7)) % 8;
        vec![format!("P-{i:03}{a:03}"), format!("P-{i:03}{b:03}")]
    }

    fn value_for(&mut self, i: usize, p: &Param) -> Option<String> {
        if p.limit.is_none() {
            // pH: 6.00–9.00, three significant digits
            return Some(dec_string(600 + self.rng.below(301), -2));
        }
        if !self.signals {
            return Some(benford_value(&mut self.rng, p.dl));
        }
        if i == 1 && p.name == "化学需氧量" {
            // bunching just under the limit 30: 27.0–29.9
            return Some(dec_string(270 + self.rng.below(30), -1));
        }
        if i == 3 {
            return Some(uniform_value(&mut self.rng, p.dl));
        }
        let mut v = benford_value(&mut self.rng, p.dl);
        if i == 2 && p.name == "氨氮" {
            let last = if self.rng.below(2) == 0 { '0' } else { '5' };
            v.pop();
            v.push(last);
        }
        Some(v)
    }

    /// Builds one clean report of institution `i` (as JSON) and its sample count.
    fn report(&mut self, i: usize, public_ok: bool) -> Value {
        let inst = &self.insts[i];
        let uscc = inst.uscc.clone();
        let cert = inst.certificates[1].no.clone();
        self.seq += 1;
        let report_no = format!("R{:03}-{:08}", i, self.seq);
        self.prev_sample[i] = self.last_sample[i].clone();
        let n_samples = 1 + self.rng.below(2) as usize;
        let water = self.rng.below(3) != 0;
        let water = self.force_water.unwrap_or(water);
        let all = params();
        let mut samples = Vec::new();
        let mut last_analysis = 0i64;
        for k in 0..n_samples {
            let from = self.cursor[i];
            let to = from + 1800;
            self.cursor[i] += 2700 + 900 * self.rng.below(4) as i64;
            let received = to + 7200;
            let samplers = self.samplers(i);
            let mut results = Vec::new();
            let ps: Vec<&Param> = all.iter().filter(|p| (p.category == Category::Water) == water).collect();
            for (j, p) in ps.iter().enumerate() {
                // COD always (S01 needs it), others most of the time
                if j > 0 && self.rng.below(6) == 0 {
                    continue;
                }
                let analyzed = received + 86_400 + 3600 * self.rng.below(8) as i64;
                last_analysis = last_analysis.max(analyzed);
                let below = p.limit.is_some() && self.rng.below(25) == 0;
                let value = if below { None } else { self.value_for(i, p) };
                let dl = if p.limit.is_some() { Some(dec_string(p.dl.0, p.dl.1)) } else { None };
                results.push(json!({
                    "parameter": p.name, "method": p.method, "value": value, "below_detection": below,
                    "detection_limit": dl, "unit": p.unit, "limit": p.limit,
                    "limit_standard": p.limit.map(|_| "GB 3838-2002 IV类"),
                    "analyzed_at": ts(analyzed),
                    "analyst": {"id": samplers[0], "name": "分析员"},
                    "instrument_id": format!("YQ-{i:03}-{}", self.rng.below(4)),
                }));
            }
            self.rows += results.len() as u64;
            self.last_sample[i] = Some((from, to, samplers.clone()));
            samples.push(json!({
                "sample_id": format!("{report_no}-S{k}"),
                "category": if water { "water" } else { "air" },
                "site": format!("站点{:03}-{}", i, self.rng.below(50)),
                "sampled_from": ts(from), "sampled_to": ts(to),
                "samplers": samplers.iter().map(|s| json!({"id": s, "name": "采样员"})).collect::<Vec<_>>(),
                "received_at": ts(received),
                "results": results,
            }));
        }
        let issued = (last_analysis.div_euclid(86_400) + 2) as i32;
        let purpose = match self.rng.below(4) {
            0 if public_ok => "enforcement",
            1 if public_ok => "government",
            2 => "commissioned",
            _ => "self_monitoring",
        };
        let public = purpose == "enforcement" || purpose == "government";
        json!({
            "report_no": report_no, "institution_uscc": uscc, "cma_mark": true, "certificate_no": cert,
            "purpose": purpose, "commissioned_by": if public { Some("WATER") } else { None },
            "client": {"name": "某某公司", "uscc": null}, "project": "某项目监测",
            "issued_on": day_string(issued),
            "compiled_by": {"id": format!("P-{i:03}002"), "name": "编制人"},
            "reviewed_by": {"id": format!("P-{i:03}003"), "name": "审核人"},
            "signatory": {"id": format!("P-{i:03}000"), "name": "签字人"},
            "samples": samples,
        })
    }
}

/// The planted kinds, in the order they cycle.
const KINDS: &[(&str, RuleId)] = &[
    ("unreadable_line", RuleId::C01),
    ("missing_site", RuleId::C01),
    ("bad_issued_on", RuleId::C01),
    ("unknown_institution", RuleId::C01),
    ("numeric_value", RuleId::C01),
    ("blank_line", RuleId::C01),
    ("commissioner_on_private_report", RuleId::C01),
    ("cma_without_certificate", RuleId::Q01),
    ("other_institutions_certificate", RuleId::Q01),
    ("expired_certificate", RuleId::Q02),
    ("out_of_scope", RuleId::Q03),
    ("enforcement_without_cma", RuleId::Q04),
    ("not_a_signatory", RuleId::Q05),
    ("signatory_lacks_category", RuleId::Q05),
    ("restricted_enforcement", RuleId::Q06),
    ("sampler_not_staff", RuleId::P01),
    ("analyst_not_staff", RuleId::P01),
    ("single_sampler", RuleId::P02),
    ("unknown_method", RuleId::M01),
    ("abolished_method", RuleId::M01),
    ("unregistered_instrument", RuleId::I01),
    ("analyzed_before_received", RuleId::T01),
    ("two_sites_at_once", RuleId::T02),
    ("copied_results", RuleId::D01),
    ("number_below_detection_limit", RuleId::D02),
    ("below_detection_with_value", RuleId::D02),
];

fn first_result(r: &mut Value) -> &mut Value {
    &mut r["samples"][0]["results"][0]
}

/// Generates the corpus, writing reports (JSON Lines) to `out`.
pub fn generate<W: Write>(spec: &CorpusSpec, mut out: W) -> io::Result<Corpus> {
    let mut rng = Rng(spec.seed ^ 0x5EED_0FF5_17E0_0001);
    let n = spec.institutions + 4;
    let insts: Vec<Institution> = (0..n).map(|i| institution(i, &mut rng)).collect();
    let start = days_from_civil(2024, 1, 1) * 86_400 + 8 * 3600;
    let mut g = Gen {
        rng,
        cursor: (0..n).map(|i| start + i as i64 * 600).collect(),
        last_sample: vec![None; n],
        prev_sample: vec![None; n],
        force_water: None,
        signals: spec.plant,
        last_results: vec![None; n],
        insts,
        line: 0,
        rows: 0,
        seq: 0,
    };
    let mut truth = Vec::new();
    let mut kind_i = 0usize;
    let mut reports = 0u64;
    let mut buf = Vec::with_capacity(4096);
    while reports < spec.reports && (spec.rows == 0 || g.rows < spec.rows) {
        reports += 1;
        let plant = spec.plant && reports % spec.plant_every.max(1) == spec.plant_every.max(1) / 2;
        let ordinary = 4 + g.rng.below(spec.institutions.max(1) as u64) as usize;
        let (kind, rule) = KINDS[kind_i % KINDS.len()];
        let i = if !plant {
            // the S03 institution gets a triple share so it reaches 1,000 values early
            let k = g.rng.below(n as u64 + 2) as usize;
            if k >= n {
                3
            } else {
                k
            }
        } else if kind == "restricted_enforcement" {
            0
        } else {
            ordinary
        };
        g.force_water = match kind {
            _ if !plant => None,
            "out_of_scope" | "unknown_method" | "abolished_method" | "copied_results" => Some(true),
            "signatory_lacks_category" => Some(false),
            _ => None,
        };
        let mut r = g.report(i, i != 0);
        g.force_water = None;
        g.line += 1;
        if plant {
            kind_i += 1;
            let rn = r["report_no"].as_str().unwrap_or_default().to_owned();
            let mut p = Planted {
                rule,
                report_no: Some(rn.clone()),
                line: None,
                institution_uscc: Some(g.insts[i].uscc.clone()),
                parameter: None,
                kind: kind.into(),
            };
            let mut raw_line: Option<String> = None;
            match kind {
                "unreadable_line" => {
                    let s = r.to_string();
                    // Cut in the middle, on a character boundary (the line stays UTF-8).
                    let cut = (0..=s.len() / 2).rev().find(|&k| s.is_char_boundary(k)).unwrap_or(0);
                    raw_line = Some(s[..cut].to_owned());
                    p.report_no = None;
                    p.line = Some(g.line);
                    p.institution_uscc = None;
                }
                "blank_line" => {
                    raw_line = Some(String::new());
                    p.report_no = None;
                    p.line = Some(g.line);
                    p.institution_uscc = None;
                }
                "commissioner_on_private_report" => {
                    r["purpose"] = json!("self_monitoring");
                    r["commissioned_by"] = json!("WATER");
                }
                "missing_site" => {
                    if let Some(o) = r["samples"][0].as_object_mut() {
                        o.remove("site");
                    }
                }
                "bad_issued_on" => r["issued_on"] = json!("2025-02-30"),
                "unknown_institution" => {
                    let u = uscc(&mut g.rng);
                    r["institution_uscc"] = json!(u);
                    p.institution_uscc = Some(u);
                }
                "numeric_value" => {
                    let res = first_result(&mut r);
                    res["below_detection"] = json!(false);
                    res["value"] = json!(23.5);
                }
                "cma_without_certificate" => r["certificate_no"] = Value::Null,
                "other_institutions_certificate" => {
                    let other = (i + 1 - 4) % spec.institutions.max(1) + 4;
                    r["certificate_no"] = json!(g.insts[other].certificates[1].no);
                }
                "expired_certificate" => r["certificate_no"] = json!(g.insts[i].certificates[0].no),
                "out_of_scope" => {
                    let sample = &mut r["samples"][0];
                    let mut extra = sample["results"][0].clone();
                    extra["parameter"] = json!(OUT_OF_SCOPE.0);
                    extra["method"] = json!(OUT_OF_SCOPE.1);
                    extra["value"] = Value::Null;
                    extra["below_detection"] = json!(true);
                    if let Some(a) = sample["results"].as_array_mut() {
                        a.push(extra);
                    }
                    p.parameter = Some(OUT_OF_SCOPE.0.into());
                }
                "enforcement_without_cma" => {
                    r["purpose"] = json!("enforcement");
                    r["commissioned_by"] = json!("EEB");
                    r["cma_mark"] = json!(false);
                }
                "not_a_signatory" => r["signatory"] = json!({"id": format!("P-{i:03}005"), "name": "某人"}),
                "signatory_lacks_category" => {
                    // the report is all air; this signatory is authorised for water only
                    r["signatory"] = json!({"id": format!("P-{i:03}001"), "name": "某人"});
                }
                "restricted_enforcement" => {
                    r["purpose"] = json!("enforcement");
                    r["commissioned_by"] = json!("EEB");
                }
                "sampler_not_staff" => {
                    r["samples"][0]["samplers"][1] =
                        json!({"id": format!("P-9{:05}", kind_i), "name": "外来人员"})
                }
                "analyst_not_staff" => {
                    first_result(&mut r)["analyst"] =
                        json!({"id": format!("P-8{:05}", kind_i), "name": "外来人员"})
                }
                "single_sampler" => {
                    if let Some(a) = r["samples"][0]["samplers"].as_array_mut() {
                        a.truncate(1);
                    }
                }
                "unknown_method" | "abolished_method" => {
                    let sample = &mut r["samples"][0];
                    let mut extra = sample["results"][0].clone();
                    extra["parameter"] = json!("五日生化需氧量");
                    extra["method"] =
                        json!(if kind == "unknown_method" { UNKNOWN_METHOD } else { ABOLISHED_METHOD });
                    extra["value"] = Value::Null;
                    extra["below_detection"] = json!(true);
                    if let Some(a) = sample["results"].as_array_mut() {
                        a.retain(|x| x["parameter"] != json!("五日生化需氧量"));
                        a.push(extra);
                    }
                    p.parameter = Some("五日生化需氧量".into());
                }
                "unregistered_instrument" => first_result(&mut r)["instrument_id"] = json!("YQ-UNREGISTERED"),
                "analyzed_before_received" => {
                    let recv = r["samples"][0]["received_at"].as_str().unwrap_or_default().to_owned();
                    // one hour before receipt, same CST day
                    let t =
                        crate::instant::parse_instant(&recv).map(|x| x.secs + 8 * 3600 - 3600).unwrap_or(0);
                    first_result(&mut r)["analyzed_at"] = json!(ts(t));
                }
                "two_sites_at_once" => {
                    if let Some((from, to, samplers)) = g.prev_sample[i].clone() {
                        let s = &mut r["samples"][0];
                        s["sampled_from"] = json!(ts(from));
                        s["sampled_to"] = json!(ts(to));
                        s["site"] = json!("另一处站点");
                        s["samplers"] = json!(samplers
                            .iter()
                            .map(|x| json!({"id": x, "name": "采样员"}))
                            .collect::<Vec<_>>());
                    }
                }
                "copied_results" => {
                    if let Some(mut prev) = g.last_results[i].clone() {
                        // same values; this sample's own analysis time
                        let at = first_result(&mut r)["analyzed_at"].clone();
                        for x in &mut prev {
                            x["analyzed_at"] = at.clone();
                        }
                        r["samples"][0]["results"] = Value::Array(prev);
                        r["samples"][0]["site"] = json!("复制站点");
                    }
                }
                "number_below_detection_limit" => {
                    let res = first_result(&mut r);
                    res["below_detection"] = json!(false);
                    res["detection_limit"] = json!("4");
                    res["value"] = json!("3.9");
                }
                "below_detection_with_value" => {
                    let res = first_result(&mut r);
                    res["below_detection"] = json!(true);
                    res["value"] = json!("1.23");
                }
                _ => {}
            }
            truth.push(p);
            buf.clear();
            match raw_line {
                Some(l) => buf.extend_from_slice(l.as_bytes()),
                None => serde_json::to_writer(&mut buf, &r)?,
            }
        } else {
            buf.clear();
            serde_json::to_writer(&mut buf, &r)?;
        }
        buf.push(b'\n');
        out.write_all(&buf)?;
        // remember a clean water sample with ≥ 5 numeric results for the next copy
        if !plant {
            if let Some(s) = r["samples"].as_array().and_then(|a| a.first()) {
                let numeric =
                    s["results"].as_array().map_or(0, |a| a.iter().filter(|x| !x["value"].is_null()).count());
                if s["category"] == json!("water") && numeric >= 5 {
                    g.last_results[i] = s["results"].as_array().cloned();
                }
            }
        }
    }
    if spec.plant {
        for (i, rule, param) in
            [(1, RuleId::S01, Some("化学需氧量")), (2, RuleId::S02, Some("氨氮")), (3, RuleId::S03, None)]
        {
            truth.push(Planted {
                rule,
                report_no: None,
                line: None,
                institution_uscc: Some(g.insts[i].uscc.clone()),
                parameter: param.map(str::to_owned),
                kind: "warning".into(),
            });
        }
    }
    truth.sort();
    Ok(Corpus {
        snapshot: Snapshot { institutions: g.insts },
        methods_csv: methods_csv(),
        truth,
        reports,
        rows: g.rows,
    })
}
