//! Planting violations: which kinds, in which order, and how each one changes a clean report.

use lianjian_offsite::RuleId;
use serde_json::{json, Value};

use crate::registry::{uscc, ABOLISHED_METHOD, OUT_OF_SCOPE, UNKNOWN_METHOD};
use crate::report::{ts, Gen};
use crate::{CorpusSpec, Planted};

/// The planted kinds, in the order they cycle.
pub(crate) const KINDS: &[(&str, RuleId)] = &[
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

/// Plants a violation of `kind` in report `r` of institution `i` (the `kind_i`-th planted) and
/// completes its truth `p`; returns the raw line to write instead of the report, when the kind is a
/// line that is not a report.
pub(crate) fn plant(
    kind: &str,
    i: usize,
    kind_i: usize,
    spec: &CorpusSpec,
    g: &mut Gen,
    r: &mut Value,
    p: &mut Planted,
) -> Option<String> {
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
            let res = first_result(r);
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
            r["samples"][0]["samplers"][1] = json!({"id": format!("P-9{:05}", kind_i), "name": "外来人员"})
        }
        "analyst_not_staff" => {
            first_result(r)["analyst"] = json!({"id": format!("P-8{:05}", kind_i), "name": "外来人员"})
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
            extra["method"] = json!(if kind == "unknown_method" { UNKNOWN_METHOD } else { ABOLISHED_METHOD });
            extra["value"] = Value::Null;
            extra["below_detection"] = json!(true);
            if let Some(a) = sample["results"].as_array_mut() {
                a.retain(|x| x["parameter"] != json!("五日生化需氧量"));
                a.push(extra);
            }
            p.parameter = Some("五日生化需氧量".into());
        }
        "unregistered_instrument" => first_result(r)["instrument_id"] = json!("YQ-UNREGISTERED"),
        "analyzed_before_received" => {
            let recv = r["samples"][0]["received_at"].as_str().unwrap_or_default().to_owned();
            // one hour before receipt, same CST day
            let t = lianjian_offsite::instant::parse_instant(&recv)
                .map(|x| x.secs + 8 * 3600 - 3600)
                .unwrap_or(0);
            first_result(r)["analyzed_at"] = json!(ts(t));
        }
        "two_sites_at_once" => {
            if let Some((from, to, samplers)) = g.prev_sample[i].clone() {
                let s = &mut r["samples"][0];
                s["sampled_from"] = json!(ts(from));
                s["sampled_to"] = json!(ts(to));
                s["site"] = json!("另一处站点");
                s["samplers"] =
                    json!(samplers.iter().map(|x| json!({"id": x, "name": "采样员"})).collect::<Vec<_>>());
            }
        }
        "copied_results" => {
            if let Some(mut prev) = g.last_results[i].clone() {
                // same values; this sample's own analysis time
                let at = first_result(r)["analyzed_at"].clone();
                for x in &mut prev {
                    x["analyzed_at"] = at.clone();
                }
                r["samples"][0]["results"] = Value::Array(prev);
                r["samples"][0]["site"] = json!("复制站点");
            }
        }
        "number_below_detection_limit" => {
            let res = first_result(r);
            res["below_detection"] = json!(false);
            res["detection_limit"] = json!("4");
            res["value"] = json!("3.9");
        }
        "below_detection_with_value" => {
            let res = first_result(r);
            res["below_detection"] = json!(true);
            res["value"] = json!("1.23");
        }
        _ => {}
    }
    raw_line
}
