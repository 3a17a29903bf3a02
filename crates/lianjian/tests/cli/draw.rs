use crate::{err, lianjian, out, shared};

#[test]
fn rfc3797_reproduces_the_rfc_worked_example() {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shared("data/rfc3797-example.json")).unwrap()).unwrap();
    let ex = &v["example"];
    let sources: Vec<String> = ex["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["values"].as_array().unwrap().iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" "))
        .collect();
    let pool = ex["pool_size"].to_string();
    let select = ex["select"].to_string();
    let mut args = vec!["draw", "rfc3797", "--pool", &pool, "--select", &select];
    for s in &sources {
        args.push("--source");
        args.push(s);
    }
    let o = lianjian(&args, None);
    assert!(o.status.success(), "{}", err(&o));
    let got: Vec<u64> = out(&o).split_whitespace().map(|x| x.parse().unwrap()).collect();
    let want: Vec<u64> = ex["iterations"]
        .as_array()
        .unwrap()
        .iter()
        .take(got.len())
        .map(|i| i["selected"].as_u64().unwrap())
        .collect();
    assert_eq!(got.len(), 10);
    assert_eq!(got, want);
}

#[test]
fn draw_run_then_verify_and_a_swapped_member_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = serde_json::json!({
        "plan_id": "2026-H2-JOINT-01",
        "strata": [{"key": "B", "permille": 500}, {"key": "D", "permille": 1000}],
        "candidates": [
            {"id": "91310113MA1GL0QY3R", "stratum": "B", "categories": ["water"]},
            {"id": "91310113MA1G8XXXX1", "stratum": "B", "categories": ["air"]},
            {"id": "91310113MA1G8XXXX2", "stratum": "D", "categories": ["noise"]}
        ],
        "inspectors": [
            {"id": "EEB-0001", "department": "EEB", "specialties": ["water"], "max_tasks": 3, "conflicts": []},
            {"id": "EEB-0002", "department": "EEB", "specialties": ["air"], "max_tasks": 3, "conflicts": ["91310113MA1G8XXXX2"]},
            {"id": "MSA-0001", "department": "MSA", "specialties": ["noise"], "max_tasks": 3, "conflicts": []},
            {"id": "MSA-0002", "department": "MSA", "specialties": ["water"], "max_tasks": 3, "conflicts": []}
        ],
        "team": {"size": 2, "per_department": [{"department": "EEB", "min": 1}, {"department": "MSA", "min": 1}]},
        "entropy_sources": [{"kind": "public", "label": "福彩3D 2026-12-01"}]
    });
    let path = dir.path().join("inputs.json");
    std::fs::write(&path, inputs.to_string()).unwrap();
    let o = lianjian(&["draw", "run", path.to_str().unwrap(), "--entropy", "5 2 8"], None);
    assert!(o.status.success(), "{}", err(&o));
    let record: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(record["protocol"], "lianjian-draw-v1");
    let rec_path = dir.path().join("record.json");
    std::fs::write(&rec_path, out(&o)).unwrap();
    assert!(lianjian(&["draw", "verify", rec_path.to_str().unwrap()], None).status.success());

    let mut forged = record.clone();
    let members = forged["teams"][0]["members"].as_array_mut().unwrap();
    let other = if members[1] == "MSA-0001" { "MSA-0002" } else { "MSA-0001" };
    members[1] = serde_json::Value::String(other.into());
    std::fs::write(&rec_path, forged.to_string()).unwrap();
    let bad = lianjian(&["draw", "verify", rec_path.to_str().unwrap()], None);
    assert!(!bad.status.success());
    assert!(out(&bad).contains("teams[0].members[1]"), "{}", out(&bad));
}

#[test]
fn draw_run_refuses_invalid_inputs_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, r#"{"plan_id":"x","strata":[{"key":"A","permille":1.5}],"candidates":[],"inspectors":[],"team":{"size":2,"per_department":[]},"entropy_sources":[]}"#).unwrap();
    let o = lianjian(&["draw", "run", path.to_str().unwrap(), "--entropy", "1"], None);
    assert!(!o.status.success());
    assert!(err(&o).contains("permille"), "{}", err(&o));
}
