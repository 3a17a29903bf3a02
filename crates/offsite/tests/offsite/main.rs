//! Integration tests of the off-site engine: planted violations of every rule are found and clean
//! reports raise nothing (generated corpus), hand-written edge cases of the catalogue, determinism
//! across threads, and robustness against arbitrary input.

mod independent;
mod io;
mod upload;

use std::collections::BTreeSet;

use lianjian_corpus::{generate, CorpusSpec};
use lianjian_offsite::{Engine, Finding, RuleId, Severity, Thresholds};
use lianjian_registry::{MethodTable, Snapshot};
use proptest::prelude::*;
use serde_json::{json, Value};

fn run_corpus(spec: &CorpusSpec, threads: usize) -> (Vec<u8>, lianjian_corpus::Corpus, Vec<u8>) {
    let mut reports = Vec::new();
    let corpus = generate(spec, &mut reports).unwrap();
    let methods = MethodTable::from_csv(corpus.methods_csv.as_bytes()).unwrap();
    let engine = Engine::new(&corpus.snapshot, &methods, Thresholds::default())
        .with_threads(threads)
        .with_batch_bytes(64 << 10);
    let mut out = Vec::new();
    engine.check(&reports[..], &mut out, None).unwrap();
    (out, corpus, reports)
}

fn findings(out: &[u8]) -> Vec<Finding> {
    out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect()
}

type Key = (RuleId, String, Option<String>);

fn finding_key(f: &Finding) -> Key {
    match f.severity {
        Severity::Warning => (f.rule, f.institution_uscc.clone().unwrap_or_default(), f.parameter.clone()),
        Severity::Error => {
            (f.rule, f.report_no.clone().unwrap_or_else(|| format!("line:{}", f.evidence["line"])), None)
        }
    }
}

#[test]
fn planted_violations_of_every_rule_are_found_and_nothing_else() {
    let spec = CorpusSpec { seed: 7, reports: 4000, ..CorpusSpec::default() };
    let (out, corpus, _) = run_corpus(&spec, 2);
    let found: BTreeSet<Key> = findings(&out).iter().map(finding_key).collect();
    let truth: BTreeSet<Key> = corpus
        .truth
        .iter()
        .map(|p| match p.rule.severity() {
            Severity::Warning => {
                (p.rule, p.institution_uscc.clone().unwrap_or_default(), p.parameter.clone())
            }
            Severity::Error => {
                (p.rule, p.report_no.clone().unwrap_or_else(|| format!("line:{}", p.line.unwrap_or(0))), None)
            }
        })
        .collect();
    let rules: BTreeSet<RuleId> = truth.iter().map(|k| k.0).collect();
    assert_eq!(rules.len(), RuleId::ALL.len(), "every rule is planted");
    let missed: Vec<&Key> = truth.difference(&found).collect();
    let false_alarms: Vec<&Key> = found.difference(&truth).collect();
    assert!(missed.is_empty(), "missed (recall < 1): {missed:#?}");
    assert!(false_alarms.is_empty(), "false alarms: {false_alarms:#?}");
}

#[test]
fn clean_corpus_raises_nothing() {
    let spec = CorpusSpec { seed: 3, reports: 2500, plant: false, ..CorpusSpec::default() };
    let (out, _, _) = run_corpus(&spec, 2);
    let f = findings(&out);
    assert!(f.is_empty(), "{:#?}", &f[..f.len().min(5)]);
}

#[test]
fn output_is_identical_for_any_thread_count_and_in_memory_api() {
    let spec = CorpusSpec { seed: 11, reports: 1200, plant_every: 10, ..CorpusSpec::default() };
    let (one, corpus, reports) = run_corpus(&spec, 1);
    let (two, _, _) = run_corpus(&spec, 2);
    let (four, _, _) = run_corpus(&spec, 4);
    assert_eq!(one, two);
    assert_eq!(one, four);
    let methods = MethodTable::from_csv(corpus.methods_csv.as_bytes()).unwrap();
    let engine = Engine::new(&corpus.snapshot, &methods, Thresholds::default());
    let (f, summary) = engine.check_str(std::str::from_utf8(&reports).unwrap());
    assert_eq!(f, findings(&one));
    assert_eq!(summary.errors() + summary.warnings(), f.len() as u64);
}

// ---- hand-written cases -------------------------------------------------------------------

const USCC: &str = "91110000600037341L";

fn snapshot() -> Snapshot {
    Snapshot::from_json(
        &json!({"institutions": [{
            "uscc": USCC, "name": "测试机构",
            "certificates": [{"no": "C1", "issued_on": "2020-01-01", "expires_on": "2026-12-31",
                "status_history": [{"status": "valid", "from": "2020-01-01"}, {"status": "suspended", "from": "2025-03-05"},
                                   {"status": "valid", "from": "2025-03-20"}],
                "scope": [{"category": "water", "parameter": "化学需氧量", "method": "HJ 828-2017", "from": "2020-01-01", "to": null},
                          {"category": "water", "parameter": "氨氮", "method": "HJ 535-2009", "from": "2020-01-01", "to": null}]}],
            "signatories": [{"person": {"id": "S1", "name": "签"}, "categories": ["water"], "from": "2020-01-01", "to": null}],
            "staff": [{"person": {"id": "A", "name": "甲"}, "roles": [], "from": "2020-01-01", "to": null},
                      {"person": {"id": "B", "name": "乙"}, "roles": [], "from": "2020-01-01", "to": "2025-03-01"}],
            "instruments": [{"id": "I1", "name": "仪器"}],
            "restrictions": []
        }]})
        .to_string(),
    )
    .unwrap()
}

fn methods() -> MethodTable {
    MethodTable::from_csv(
        "code,title_zh,category,effective,abolished,replaced_by,source\nHJ 828-2017,,water,MISSING,,,\nHJ 535-2009,,water,2010-04-01,,,\n"
            .as_bytes(),
    )
    .unwrap()
}

fn result(param: &str, value: &str) -> Value {
    json!({"parameter": param, "method": if param == "氨氮" { "HJ 535-2009" } else { "HJ 828-2017" },
           "value": value, "below_detection": false, "detection_limit": "0.01", "unit": "mg/L", "limit": null,
           "analyzed_at": "2025-03-02T10:00:00+08:00", "analyst": {"id": "A"}, "instrument_id": "I1"})
}

fn report(no: &str, site: &str, from: &str, to: &str, results: Vec<Value>) -> Value {
    json!({"report_no": no, "institution_uscc": USCC, "cma_mark": true, "certificate_no": "C1", "purpose": "commissioned",
           "commissioned_by": null, "issued_on": "2025-03-04", "signatory": {"id": "S1"},
           "samples": [{"sample_id": format!("{no}-1"), "category": "water", "site": site, "sampled_from": from, "sampled_to": to,
                        "samplers": [{"id": "A"}, {"id": "B"}], "received_at": "2025-03-01T14:00:00+08:00", "results": results}]})
}

fn check(reports: &[Value]) -> Vec<Finding> {
    Engine::new(&snapshot(), &methods(), Thresholds::default()).check_reports(reports).0
}

fn rules(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.rule.id()).collect()
}

const T0: &str = "2025-03-01T09:00:00+08:00";
const T1: &str = "2025-03-01T10:00:00+08:00";

#[test]
fn a_clean_hand_written_report_raises_nothing() {
    assert!(check(&[report("R1", "甲地", T0, T1, vec![result("化学需氧量", "23")])]).is_empty());
}

#[test]
fn suspended_certificate_on_issue_day_is_q02() {
    let mut r = report("R1", "甲地", T0, T1, vec![result("化学需氧量", "23")]);
    r["issued_on"] = json!("2025-03-05");
    let f = check(&[r]);
    assert_eq!(rules(&f), vec!["OFF-Q02"]);
    assert_eq!(f[0].evidence["certificate_status"], "suspended");
    assert!(f[0].message.contains("暂停"));
}

#[test]
fn sampler_who_left_before_the_sampling_day_is_p01() {
    let mut r = report(
        "R1",
        "甲地",
        "2025-03-02T09:00:00+08:00",
        "2025-03-02T10:00:00+08:00",
        vec![result("化学需氧量", "23")],
    );
    r["samples"][0]["received_at"] = json!("2025-03-02T11:00:00+08:00");
    r["samples"][0]["results"][0]["analyzed_at"] = json!("2025-03-02T12:00:00+08:00");
    let f = check(&[r]);
    assert_eq!(rules(&f), vec!["OFF-P01"]);
    assert_eq!(f[0].evidence["person_id"], "B");
}

#[test]
fn overlapping_windows_at_two_sites_are_t02_but_touching_windows_and_same_site_are_not() {
    let a = report("R1", "甲地", T0, T1, vec![result("化学需氧量", "23")]);
    let touching = report("R2", "乙地", T1, "2025-03-01T11:00:00+08:00", vec![result("化学需氧量", "24")]);
    let same_site = report("R3", "甲地", "2025-03-01T09:30:00+08:00", T1, vec![result("化学需氧量", "25")]);
    assert!(check(&[a.clone(), touching, same_site]).is_empty());
    // written in another offset, still overlapping: 01:30Z = 09:30 CST
    let overlap = report(
        "R4",
        "乙地",
        "2025-03-01T01:30:00Z",
        "2025-03-01T02:30:00Z",
        vec![result("化学需氧量", "26")],
    );
    let f = check(&[a, overlap]);
    assert_eq!(rules(&f), vec!["OFF-T02", "OFF-T02"]);
    assert_eq!(f[0].report_no.as_deref(), Some("R4"));
    assert_eq!(f[0].evidence["other"]["report_no"], "R1");
}

#[test]
fn copied_results_are_compared_as_reported_strings() {
    let five = |last: &str| {
        vec![
            result("化学需氧量", "23"),
            result("氨氮", "0.51"),
            result("总磷", "0.12"),
            result("总氮", "1.1"),
            result("石油类", last),
        ]
    };
    let a = report("R1", "甲地", T0, T1, five("0.05"));
    let b = report("R2", "乙地", "2025-03-01T11:00:00+08:00", "2025-03-01T12:00:00+08:00", five("0.05"));
    let c = report("R3", "丙地", "2025-03-01T11:00:00+08:00", "2025-03-01T12:00:00+08:00", five("0.050"));
    let f: Vec<Finding> = check(&[a, b, c]).into_iter().filter(|f| f.rule == RuleId::D01).collect();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].report_no.as_deref(), Some("R2"));
    assert_eq!(f[0].evidence["other"]["report_no"], "R1");
    assert_eq!(f[0].evidence["identical_pairs"], 5);
}

#[test]
fn two_samples_of_one_report_are_two_samples_even_with_the_same_id_and_window() {
    // The same sample id and window at two sites, the same two samplers and the same five
    // results: a person at two sites at once (T02, per sampler) and copied data (D01), within one
    // report — the cross-report stage must not take the second sample for the first.
    let five: Vec<Value> =
        [("化学需氧量", "23"), ("氨氮", "0.51"), ("总磷", "0.12"), ("总氮", "1.1"), ("石油类", "0.05")]
            .iter()
            .map(|(p, v)| result(p, v))
            .collect();
    let mut r = report("R1", "甲地", T0, T1, five);
    let mut second = r["samples"][0].clone();
    second["site"] = json!("乙地");
    r["samples"].as_array_mut().unwrap().push(second);
    let f: Vec<Finding> =
        check(&[r]).into_iter().filter(|f| matches!(f.rule, RuleId::T02 | RuleId::D01)).collect();
    assert_eq!(rules(&f), vec!["OFF-T02", "OFF-T02", "OFF-D01"], "{f:#?}");
    assert_eq!(f[0].evidence["this"]["site"], "乙地");
    assert_eq!(f[0].evidence["other"]["site"], "甲地");
    assert_eq!(f[2].evidence["other"]["site"], "甲地");
}

#[test]
fn shape_problems_are_one_finding_each_and_stop_further_checks() {
    let mut r = report("R1", "甲地", T0, T1, vec![result("化学需氧量", "23")]);
    r["samples"][0]["results"][0]["value"] = json!(23);
    r["samples"][0]["category"] = json!("weather");
    r["samples"][0]["samplers"] = json!([{"id": "A"}]); // would be P02
    let lines = format!("{}\n\n{{not json\n{}\n", r, json!({"report_no": "R9", "institution_uscc": "X"}));
    let (f, summary) = Engine::new(&snapshot(), &methods(), Thresholds::default()).check_str(&lines);
    assert!(f.iter().all(|f| f.rule == RuleId::C01));
    let fields: Vec<&str> = f.iter().map(|f| f.evidence["field"].as_str().unwrap()).collect();
    assert_eq!(fields[..2], ["samples[0].category", "samples[0].results[0].value"]);
    // §2: nothing is silently dropped — the blank line 2 is a finding too.
    assert_eq!(f[2].evidence["line"], 2, "a blank line is reported with its number");
    assert_eq!(f[2].evidence["error"], "blank line");
    assert_eq!(f[3].evidence["line"], 3, "unreadable line keeps its 1-based number");
    assert!(fields.contains(&"institution_uscc"));
    assert_eq!(summary.lines, 4);
    assert_eq!(summary.reports_checked, 0);
}

#[test]
fn below_detection_and_values_under_the_detection_limit_are_d02() {
    let mut r = report("R1", "甲地", T0, T1, vec![result("化学需氧量", "0.009"), result("氨氮", "0.010")]);
    let f = check(&[r.clone()]);
    assert_eq!(rules(&f), vec!["OFF-D02"]);
    r["samples"][0]["results"][1]["below_detection"] = json!(true);
    r["samples"][0]["results"][0]["value"] = json!("0.01");
    assert_eq!(rules(&check(&[r])), vec!["OFF-D02"]);
}

#[test]
fn rules_file_changes_thresholds() {
    let p = Thresholds::from_toml("min_samplers = 3").unwrap();
    let f = Engine::new(&snapshot(), &methods(), p)
        .check_reports(&[report("R1", "甲地", T0, T1, vec![result("化学需氧量", "23")])])
        .0;
    assert_eq!(rules(&f), vec!["OFF-P02"]);
}

// ---- fast path ≡ reference parser ----------------------------------------------------------

/// Runs `reports` through the engine with the fast scanner and with the reference parser only.
fn both_paths(engine: impl Fn() -> Engine, reports: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut fast = Vec::new();
    let mut reference = Vec::new();
    let a = engine().check(reports, &mut fast, None).unwrap();
    let b = engine().with_fast_path(false).check(reports, &mut reference, None).unwrap();
    assert_eq!(a, b, "summaries differ");
    (fast, reference)
}

fn corpus_engine(spec: &CorpusSpec) -> (Snapshot, MethodTable, Vec<u8>) {
    let mut reports = Vec::new();
    let corpus = generate(spec, &mut reports).unwrap();
    let methods = MethodTable::from_csv(corpus.methods_csv.as_bytes()).unwrap();
    (corpus.snapshot, methods, reports)
}

#[test]
fn fast_path_and_reference_parser_give_identical_bytes_on_the_planted_corpus() {
    for (seed, every) in [(7, 40), (13, 3)] {
        let spec = CorpusSpec { seed, reports: 4000, plant_every: every, ..CorpusSpec::default() };
        let (snap, meth, reports) = corpus_engine(&spec);
        for threads in [1, 2] {
            let engine = || {
                Engine::new(&snap, &meth, Thresholds::default())
                    .with_threads(threads)
                    .with_batch_bytes(64 << 10)
            };
            let (fast, reference) = both_paths(engine, &reports);
            assert!(!reference.is_empty());
            assert!(fast == reference, "seed {seed}, {threads} threads: outputs differ");
        }
    }
}

#[test]
fn fast_path_and_reference_parser_give_identical_bytes_on_a_clean_corpus() {
    let spec = CorpusSpec { seed: 3, reports: 2500, plant: false, ..CorpusSpec::default() };
    let (snap, meth, reports) = corpus_engine(&spec);
    let (fast, reference) =
        both_paths(|| Engine::new(&snap, &meth, Thresholds::default()).with_threads(2), &reports);
    assert!(fast == reference);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn fast_path_and_reference_agree_on_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let engine = || Engine::new(&snapshot(), &methods(), Thresholds::default()).with_threads(2).with_batch_bytes(4096);
        let (fast, reference) = both_paths(engine, &data);
        prop_assert_eq!(fast, reference);
    }

    #[test]
    fn fast_path_and_reference_agree_on_mutated_reports(
        edits in proptest::collection::vec((0usize..700, any::<u8>(), 0u8..3), 0..4),
        shape in 0u8..4,
    ) {
        let mut r = report("R1", "甲地", T0, T1, vec![result("化学需氧量", "23"), result("氨氮", "0.009")]);
        match shape {
            1 => r["samples"][0]["results"][0]["value"] = json!(null),
            2 => r["purpose"] = json!("enforcement"),
            3 => r["commissioned_by"] = json!({"a": [1, 2.5, "xé\n\"q\""]}),
            _ => {}
        }
        let clean = format!("{r}\n");
        let mut line = clean.clone().into_bytes();
        for (pos, byte, op) in edits {
            let p = pos % (line.len() + 1);
            match op {
                0 => { if p < line.len() { line[p] = byte; } }
                1 => { line.insert(p, byte); }
                _ => { let e = (p + 1 + byte as usize % 6).min(line.len()); line.drain(p..e); }
            }
        }
        // the mutated line between two good ones, so cross-report state is exercised too
        let data = [clean.as_bytes(), &line, b"\n", clean.as_bytes()].concat();
        let engine = || Engine::new(&snapshot(), &methods(), Thresholds::default()).with_threads(1);
        let (fast, reference) = both_paths(engine, &data);
        prop_assert_eq!(fast, reference);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let engine = Engine::new(&snapshot(), &methods(), Thresholds::default()).with_threads(2).with_batch_bytes(4096);
        let mut out = Vec::new();
        let s = engine.check(&data[..], &mut out, None).unwrap();
        prop_assert!(s.lines <= data.iter().filter(|&&b| b == b'\n').count() as u64 + 1);
    }

    #[test]
    fn mutated_reports_never_panic(cut in 0usize..600, byte in any::<u8>(), pos in 0usize..600) {
        let mut line = report("R1", "甲地", T0, T1, vec![result("化学需氧量", "23")]).to_string().into_bytes();
        let p = pos % line.len();
        line[p] = byte;
        line.truncate(cut.max(1).min(line.len()));
        line.push(b'\n');
        let engine = Engine::new(&snapshot(), &methods(), Thresholds::default()).with_threads(1);
        let mut out = Vec::new();
        engine.check(&line[..], &mut out, None).unwrap();
    }
}

#[test]
fn commissioned_by_is_null_unless_the_purpose_is_public() {
    // §2: "required when purpose is enforcement or government, else null".
    let mut r = report("R1", "甲地", T0, T1, vec![result("化学需氧量", "23")]);
    assert!(check(&[r.clone()]).is_empty(), "commissioned with null is clean");
    r.as_object_mut().map(|o| o.remove("commissioned_by"));
    assert!(check(&[r.clone()]).is_empty(), "absent is as good as null");
    r["commissioned_by"] = json!("WATER");
    let f = check(&[r.clone()]);
    assert_eq!(rules(&f), vec!["OFF-C01"]);
    assert_eq!(f[0].evidence["field"], "commissioned_by");
    r["purpose"] = json!("government");
    assert!(check(&[r.clone()]).is_empty(), "government names its commissioner");
    r["commissioned_by"] = json!(null);
    assert_eq!(rules(&check(&[r])), vec!["OFF-C01"]);
}

#[test]
fn below_detection_results_with_a_limit_count_towards_the_s01_minimum() {
    // 20 values at 95 % of the limit and 10 below-detection results with the same limit: 30
    // results have a limit (the catalogue's minimum), a = 20, b = 0, p = 2^-20.
    let with_limit = |value: Option<&str>| {
        let mut r = result("化学需氧量", value.unwrap_or("0"));
        r["limit"] = json!("10");
        if value.is_none() {
            r["value"] = json!(null);
            r["below_detection"] = json!(true);
        }
        r
    };
    let reports = |bdl: usize| -> Vec<Value> {
        (0..30)
            .map(|i| {
                let v = if i < 30 - bdl { Some("9.5") } else { None };
                let mut r = report(&format!("R{i}"), "甲地", T0, T1, vec![with_limit(v)]);
                // Different sites and days: no copy (D01 needs 5 pairs anyway) and no clash.
                r["samples"][0]["site"] = json!(format!("点位{i}"));
                r
            })
            .collect()
    };
    let s01 = |v: &[Value]| check(v).into_iter().filter(|f| f.rule == RuleId::S01).count();
    assert_eq!(s01(&reports(10)), 1, "20 numeric + 10 below detection = 30 with a limit");
    let mut short = reports(10);
    short.pop();
    assert_eq!(s01(&short), 0, "29 with a limit is under the minimum");
}

#[test]
fn a_byte_order_mark_opening_the_stream_is_ignored() {
    let r = report("R1", "甲地", T0, T1, vec![result("化学需氧量", "23")]);
    let engine = Engine::new(&snapshot(), &methods(), Thresholds::default());
    let plain = engine.check_str(&format!("{r}\n"));
    let (f, summary) = engine.check_str(&format!("\u{feff}{r}\n"));
    assert!(f.is_empty(), "{f:#?}");
    assert_eq!(summary.reports_checked, plain.1.reports_checked);
    // Only at the very start: a mark opening a later line is not JSON.
    let (f, _) = engine.check_str(&format!("{r}\n\u{feff}{r}\n"));
    assert_eq!(rules(&f), vec!["OFF-C01"]);
    assert_eq!(f[0].evidence["line"], 2);
}

/// Every input of the fuzz corpus (`fuzz/corpus/reports`: seeds plus what cargo-fuzz found)
/// replayed under the fuzz target's invariants, so the suite checks them without cargo-fuzz: no
/// panic, one thread ≡ two threads, fast path ≡ reference parser, findings are JSON Lines.
#[test]
fn the_fuzz_corpus_replays_without_panics_and_with_identical_output() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let snap = Snapshot::from_json(&std::fs::read_to_string(dir.join("registry.json")).unwrap()).unwrap();
    let meth = MethodTable::from_csv(std::fs::File::open(dir.join("methods.csv")).unwrap()).unwrap();
    let mut n = 0;
    for entry in std::fs::read_dir(dir.join("reports")).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        let engine = |threads| {
            Engine::new(&snap, &meth, Thresholds::default()).with_batch_bytes(4096).with_threads(threads)
        };
        let (one, reference) = both_paths(|| engine(1), &data);
        assert_eq!(one, reference, "fast path and reference parser differ");
        let (two, _) = both_paths(|| engine(2), &data);
        assert_eq!(one, two, "one and two threads differ");
        for line in one.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            serde_json::from_slice::<Value>(line).expect("findings are JSON");
        }
        n += 1;
    }
    assert!(n > 1000, "the corpus is there ({n} inputs)");
}

#[test]
fn nesting_is_bounded_whatever_the_build() {
    // An unknown field nested deep: 16 levels in all are read, 17 are refused (OFF-C01), and a
    // 5,000-level line neither overflows a thread's stack nor stops the run.
    let with_depth = |levels: usize| {
        let mut r = report("R1", "甲地", T0, T1, vec![result("化学需氧量", "23")]);
        // The report object is level 1 and `extra`'s outermost array level 2.
        r["extra"] = json!(0);
        let inner = "[".repeat(levels - 1) + &"]".repeat(levels - 1);
        r.to_string().replace("\"extra\":0", &format!("\"extra\":{inner}"))
    };
    let engine = Engine::new(&snapshot(), &methods(), Thresholds::default()).with_threads(2);
    assert!(engine.check_str(&with_depth(16)).0.is_empty());
    let (f, _) = engine.check_str(&with_depth(17));
    assert_eq!(rules(&f), vec!["OFF-C01"]);
    assert!(f[0].message.contains("嵌套超过 16 层"), "{}", f[0].message);
    let deep =
        "[".repeat(5000) + "\n" + &format!("{}\n", report("R2", "甲地", T0, T1, vec![result("氨氮", "1")]));
    let (f, summary) = engine.check_str(&deep);
    assert_eq!(rules(&f), vec!["OFF-C01"]);
    assert_eq!(summary.reports_checked, 1);
}

#[test]
fn a_line_problem_follows_the_cross_report_findings_of_the_report_before_it() {
    // R2 copies R1's results at another site (OFF-D01 on R2), then a blank line and a broken one:
    // in line order the copy's finding comes first, then lines 3 and 4 — whatever the threads.
    let five = || {
        ["化学需氧量", "氨氮", "总磷", "总氮", "石油类"].iter().map(|p| result(p, "1.5")).collect::<Vec<_>>()
    };
    let a = report("R1", "甲地", T0, T1, five());
    let b = report("R2", "乙地", "2025-03-01T11:00:00+08:00", "2025-03-01T12:00:00+08:00", five());
    let text = format!("{a}\n{b}\n\n{{\n");
    for threads in [1, 2] {
        let engine = Engine::new(&snapshot(), &methods(), Thresholds::default()).with_threads(threads);
        let (f, _) = engine.check_str(&text);
        // (Three of the five parameters are outside the scope: OFF-Q03 on both, left out here.)
        let order: Vec<(&str, Value)> = f
            .iter()
            .filter(|f| f.rule != RuleId::Q03)
            .map(|f| (f.rule.id(), f.evidence.get("line").cloned().unwrap_or(Value::Null)))
            .collect();
        assert_eq!(
            order,
            vec![("OFF-D01", Value::Null), ("OFF-C01", json!(3)), ("OFF-C01", json!(4))],
            "threads {threads}"
        );
    }
}
