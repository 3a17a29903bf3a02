//! Behaviour tests on hand-made plans: what verifies, what is rejected and where.

use lianjian_draw::{recuse, run, verify, verify_record, DrawError, VerifyError};
use serde_json::{json, Value};

use crate::fixtures::{cjk_plan, tiny_plan};
use crate::naive::naive_draw;

fn field_of(e: VerifyError) -> String {
    e.field().to_owned()
}

#[test]
fn cjk_plan_draws_verifies_and_matches_the_naive_reading() {
    let (inputs, entropy) = cjk_plan();
    let rec = run(&inputs, &entropy).unwrap();
    verify_record(&rec).unwrap();
    let (targets, teams) = naive_draw(&inputs, &entropy).unwrap();
    let got: Vec<(String, String)> = rec.targets.iter().map(|t| (t.stratum.clone(), t.id.clone())).collect();
    assert_eq!(got, targets);
    assert_eq!(rec.teams.iter().map(|t| t.members.clone()).collect::<Vec<_>>(), teams);
    // Strata in byte order: "A" < "一般单位" < "空层" < "重点排污单位"; 空层 has no candidates.
    let strata: Vec<&str> = rec.targets.iter().map(|t| t.stratum.as_str()).collect();
    assert_eq!(strata, ["A", "一般单位", "重点排污单位", "重点排污单位"]);
    // Slots: EEB then MSA (byte order of department), then one open slot.
    for t in &rec.teams {
        assert!(t.members[0].starts_with("EEB-") && t.members[1].starts_with("MSA-"), "{t:?}");
    }
}

#[test]
fn tiny_plan_matches_the_hand_computed_seed() {
    // Seed computed independently with tools/draw_verify.py and by hand from spec §3:
    // sha256('{"entropy":["round 123"],"inputs_digest":"<digest>"}').
    let (inputs, entropy) = tiny_plan();
    let rec = run(&inputs, &entropy).unwrap();
    let digest = lianjian_draw::inputs_digest(&inputs).unwrap();
    let doc = format!("{{\"entropy\":[\"round 123\"],\"inputs_digest\":\"{digest}\"}}");
    use sha2::Digest;
    assert_eq!(rec.seed, hex::encode(sha2::Sha256::digest(doc.as_bytes())));
    assert_eq!(rec.targets.len(), 1, "k = max(1, ceil(1 × 1 / 1000)) = 1");
    assert_eq!(rec.teams[0].members, ["i1"]);
    let text = serde_json::to_string(&rec).unwrap();
    assert!(!text.contains("recusals"), "no recusals member when there are none");
}

#[test]
fn swapped_team_member_is_rejected_at_that_member() {
    let (inputs, entropy) = cjk_plan();
    let rec = run(&inputs, &entropy).unwrap();
    let mut v = serde_json::to_value(&rec).unwrap();
    let mine = v["teams"][0]["members"][2].clone();
    let other = if mine == "WRB-赵六" { "MSA-王五" } else { "WRB-赵六" };
    v["teams"][0]["members"][2] = json!(other);
    assert_eq!(field_of(verify(&v).unwrap_err()), "teams[0].members[2]");
}

#[test]
fn changed_public_entropy_is_rejected_at_seed() {
    let (inputs, entropy) = cjk_plan();
    let mut v = serde_json::to_value(run(&inputs, &entropy).unwrap()).unwrap();
    v["entropy"][2] = json!("4 0 8");
    let e = verify(&v).unwrap_err();
    assert_eq!(field_of(e.clone()), "seed", "{e}");
}

#[test]
fn changed_secret_fails_its_commitment() {
    let (inputs, mut entropy) = cjk_plan();
    entropy[1].push('!');
    let e = run(&inputs, &entropy).unwrap_err();
    assert!(matches!(&e, DrawError::Entropy { field, .. } if field == "entropy[1]"), "{e}");
}

#[test]
fn edited_inputs_are_rejected_at_inputs_digest() {
    let (inputs, entropy) = cjk_plan();
    let mut v = serde_json::to_value(run(&inputs, &entropy).unwrap()).unwrap();
    v["inputs"]["备注"] = json!("changed after the freeze");
    assert_eq!(field_of(verify(&v).unwrap_err()), "inputs_digest");
    v["protocol"] = json!("lianjian-draw-v0");
    assert_eq!(field_of(verify(&v).unwrap_err()), "protocol");
}

#[test]
fn reordered_targets_are_rejected_at_the_first_target() {
    let (inputs, entropy) = cjk_plan();
    let mut v = serde_json::to_value(run(&inputs, &entropy).unwrap()).unwrap();
    let t = v["targets"].as_array_mut().unwrap();
    t.swap(2, 3);
    assert_eq!(field_of(verify(&v).unwrap_err()), "targets[2]");
}

#[test]
fn entropy_count_must_match_sources() {
    let (inputs, entropy) = cjk_plan();
    let e = run(&inputs, &entropy[..2]).unwrap_err();
    assert!(matches!(&e, DrawError::Entropy { field, .. } if field == "entropy"), "{e}");
}

#[test]
fn invalid_input_names_the_first_offending_field() {
    let (mut inputs, entropy) = cjk_plan();
    inputs["candidates"][3]["stratum"] = json!("X");
    inputs["inspectors"][0]["max_tasks"] = json!(-1);
    let e = run(&inputs, &entropy).unwrap_err();
    assert_eq!(e.to_string(), "输入无效: inputs.candidates[3].stratum: \"X\" is not a stratum key");
}

#[test]
fn unstaffable_slot_names_target_and_slot_and_draws_nothing() {
    let (mut inputs, entropy) = tiny_plan();
    inputs["inspectors"][0]["conflicts"] = json!(["c1"]);
    let e = run(&inputs, &entropy).unwrap_err();
    assert_eq!(e, DrawError::Unstaffable { target: "c1".into(), slot: 0, department: None });
    assert!(e.to_string().contains("\"c1\" slot 0"), "{e}");
}

#[test]
fn recusal_replaces_in_the_same_slot_and_verifies() {
    let (inputs, entropy) = cjk_plan();
    let rec = run(&inputs, &entropy).unwrap();
    let target = rec.teams[0].target.clone();
    let out = rec.teams[0].members[0].clone(); // the EEB slot
    let r1 = recuse(&rec, &target, &out).unwrap();
    verify_record(&r1).unwrap();
    let entry = &r1.recusals[0];
    assert_eq!((entry.slot, entry.label.as_str()), (0, format!("recusal/{target}/1").as_str()));
    assert_eq!(r1.teams[0].members[0], entry.replacement);
    assert!(entry.replacement.starts_with("EEB-"), "same department as the slot");
    assert_ne!(entry.replacement, out);
    // The original record is untouched; withdrawing the replacement too gives recusal n = 2,
    // and the first withdrawn inspector may not come back.
    assert!(rec.recusals.is_empty());
    match recuse(&r1, &target, &entry.replacement) {
        Ok(r2) => {
            verify_record(&r2).unwrap();
            assert_eq!(r2.recusals[1].label, format!("recusal/{target}/2"));
            assert_ne!(r2.recusals[1].replacement, out);
        }
        Err(e) => assert!(matches!(e, DrawError::Unstaffable { slot: 0, .. }), "{e}"),
    }
}

#[test]
fn recusal_of_someone_not_on_the_team_is_refused() {
    let (inputs, entropy) = cjk_plan();
    let rec = run(&inputs, &entropy).unwrap();
    let target = rec.teams[0].target.clone();
    let outsider = ["EEB-0007", "EEB-张三", "EEB-李四", "MSA-0012", "MSA-王五", "MSA-0003", "WRB-赵六"]
        .into_iter()
        .find(|i| !rec.teams[0].members.iter().any(|m| m == i))
        .unwrap();
    assert!(
        matches!(recuse(&rec, &target, outsider), Err(DrawError::Recusal { field, .. }) if field == "inspector")
    );
    assert!(
        matches!(recuse(&rec, "nope", outsider), Err(DrawError::Recusal { field, .. }) if field == "target")
    );
}

#[test]
fn tampered_recusal_is_rejected_at_that_recusal() {
    let (inputs, entropy) = cjk_plan();
    let rec = run(&inputs, &entropy).unwrap();
    let r1 = recuse(&rec, &rec.teams[1].target, &rec.teams[1].members[1]).unwrap();
    let mut v: Value = serde_json::to_value(&r1).unwrap();
    v["recusals"][0]["label"] = json!("recusal/x/1");
    assert_eq!(field_of(verify(&v).unwrap_err()), "recusals[0]");
    // Dropping the recusal but keeping the new team is caught at the team.
    let mut v: Value = serde_json::to_value(&r1).unwrap();
    v.as_object_mut().unwrap().remove("recusals");
    assert_eq!(field_of(verify(&v).unwrap_err()), "teams[1].members[1]");
}
