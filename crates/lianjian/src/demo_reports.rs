//! Demo monitoring reports for the district, so that the off-site worklists have something to show.

use lianjian_registry::{Category, ScopeEntry, Snapshot, Staff};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{Date, Duration};

/// Monitoring reports (exchange-formats §2, JSON Lines) from the district's institutions: mostly
/// clean, with a few planted problems so that the worklists have something to show — a report under a
/// suspended or revoked certificate (OFF-Q02), a parameter outside the scope (OFF-Q03), one sampler
/// (OFF-P02), enforcement work by a restricted institution (OFF-Q06), an analysis before sampling
/// (OFF-T01) and an unregistered instrument (OFF-I01).
pub fn reports(district: &Snapshot, seed: u64, today: Date) -> String {
    use serde_json::json;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5e9c);
    let fmt = lianjian_registry::date::format;
    let mut out = String::new();
    let mut n = 0usize;
    for (i, inst) in district.institutions.iter().enumerate().take(60) {
        let Some(cert) = inst.certificates.first() else { continue };
        let samplers: Vec<&Staff> =
            inst.staff.iter().filter(|s| s.roles.iter().any(|r| r == "sampler")).collect();
        let analysts: Vec<&Staff> =
            inst.staff.iter().filter(|s| s.roles.iter().any(|r| r == "analyst")).collect();
        let (Some(signatory), true, Some(analyst)) =
            (inst.signatories.first(), samplers.len() >= 2, analysts.first())
        else {
            continue;
        };
        let earliest =
            cert.issued_on.max(today - Duration::days(120)).max(samplers[0].from.max(samplers[1].from));
        if earliest >= today - Duration::days(3) {
            continue;
        }
        let restricted_now = inst.restriction_on(today - Duration::days(3)).is_some();
        let in_force_days: Vec<Date> = (0..120)
            .map(|k| today - Duration::days(3 + k))
            .filter(|d| *d >= earliest && cert.in_force_on(*d) && inst.restriction_on(*d).is_none())
            .collect();
        for k in 0..2 {
            n += 1;
            let plant = if k == 0 { i % 10 } else { 99 };
            // Planted Q02: a report issued while the certificate was not in force.
            let recent = today - Duration::days(3);
            let issued = if (plant == 1 && !cert.in_force_on(recent)) || (restricted_now && k == 0) {
                recent
            } else if let Some(d) = in_force_days.get(rng.gen_range(0..in_force_days.len().max(1))) {
                *d
            } else {
                continue;
            };
            let sampled = issued - Duration::days(4);
            let scope: Vec<&ScopeEntry> = cert.scope.iter().filter(|s| s.covers(sampled)).collect();
            let Some(first) = scope.first() else { continue };
            let category = first.category;
            let mut results: Vec<serde_json::Value> = scope
                .iter()
                .filter(|s| s.category == category)
                .take(3)
                .map(|s| {
                    json!({"parameter": s.parameter, "method": s.method,
                           "value": format!("{}.{}", rng.gen_range(1..40), rng.gen_range(0..10)),
                           "below_detection": false, "detection_limit": "0.5", "unit": if category == Category::Noise { "dB(A)" } else { "mg/L" },
                           "limit": null, "limit_standard": null,
                           "analyzed_at": format!("{}T10:15:00+08:00", fmt(sampled + Duration::days(1))),
                           "analyst": {"id": analyst.person.id, "name": analyst.person.name},
                           "instrument_id": inst.instruments.first().map(|x| x.id.clone())})
                })
                .collect();
            if plant == 2 {
                results.push(json!({"parameter": "总汞", "method": "HJ 597-2011", "value": "0.8", "below_detection": false,
                    "detection_limit": "0.02", "unit": "μg/L", "limit": null, "limit_standard": null,
                    "analyzed_at": format!("{}T11:00:00+08:00", fmt(sampled + Duration::days(1))),
                    "analyst": {"id": analyst.person.id, "name": analyst.person.name}, "instrument_id": null}));
            }
            if plant == 5 {
                results[0]["analyzed_at"] =
                    json!(format!("{}T08:00:00+08:00", fmt(sampled - Duration::days(1))));
            }
            if plant == 7 {
                results[0]["instrument_id"] = json!("未登记-YQ-999");
            }
            let mut sampler_list = vec![
                json!({"id": samplers[0].person.id, "name": samplers[0].person.name}),
                json!({"id": samplers[1].person.id, "name": samplers[1].person.name}),
            ];
            if plant == 3 {
                sampler_list.truncate(1);
            }
            let enforcement = plant == 4 || (restricted_now && k == 0) || i % 3 == 0;
            let report = json!({
                "report_no": format!("BSJC-{}-{:06}", issued.year(), n),
                "institution_uscc": inst.uscc, "cma_mark": true, "certificate_no": cert.no,
                "purpose": if enforcement { "enforcement" } else { "commissioned" },
                "commissioned_by": if enforcement { Some("WATER") } else { None },
                "client": {"name": "上海某某环保科技有限公司", "uscc": null},
                "project": format!("{}例行监测", category.name_zh()),
                "issued_on": fmt(issued),
                "compiled_by": {"id": analyst.person.id, "name": analyst.person.name},
                "reviewed_by": {"id": signatory.person.id, "name": signatory.person.name},
                "signatory": {"id": signatory.person.id, "name": signatory.person.name},
                "samples": [{
                    "sample_id": format!("S{}-{:03}", fmt(sampled).replace('-', ""), n),
                    "category": category, "site": format!("{}号监测点", rng.gen_range(1..20)),
                    "sampled_from": format!("{}T09:{:02}:00+08:00", fmt(sampled), rng.gen_range(0..30)),
                    "sampled_to": format!("{}T09:50:00+08:00", fmt(sampled)),
                    "samplers": sampler_list,
                    "received_at": format!("{}T14:00:00+08:00", fmt(sampled)),
                    "results": results,
                }],
            });
            out.push_str(&report.to_string());
            out.push('\n');
        }
    }
    out
}
