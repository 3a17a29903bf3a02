//! Cross-checks with tools/draw_verify.py, an independent Python implementation of the spec:
//! records made here must verify there, records made there must verify here, and both must
//! reject the same tampering.

use std::path::{Path, PathBuf};
use std::process::Command;

use lianjian_draw::gen::{generate, GenParams};
use lianjian_draw::{recuse, run, verify};
use serde_json::Value;

use crate::fixtures::{cjk_plan, tiny_plan};

const TOOL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/draw_verify.py");

fn python() -> Option<&'static str> {
    let ok = Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        println!("SKIP: python3 is not installed, cannot run tools/draw_verify.py");
    }
    ok.then_some("python3")
}

fn tool(args: &[&Path]) -> (i32, String) {
    let out = Command::new("python3").arg(TOOL).args(args).output().expect("run python3");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn tool_cmd(args: &[&str]) -> (i32, String) {
    let out = Command::new("python3").arg(TOOL).args(args).output().expect("run python3");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn write(dir: &Path, name: &str, v: &impl serde::Serialize) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn plans() -> Vec<(&'static str, Value, Vec<String>)> {
    let (a, ea) = cjk_plan();
    let (b, eb) = tiny_plan();
    let mut p = GenParams::benchmark();
    p.candidates = 300;
    p.inspectors = 40;
    p.max_tasks = 8;
    p.cjk = true;
    p.seed = 9;
    let (c, ec) = generate(&p);
    vec![("cjk", a, ea), ("tiny", b, eb), ("generated", c, ec)]
}

#[test]
fn rust_records_verify_in_python() {
    if python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, inputs, entropy) in plans() {
        let rec = run(&inputs, &entropy).unwrap();
        let p = write(dir.path(), &format!("{name}.json"), &rec);
        let (code, out) = tool(&[&p]);
        assert_eq!(code, 0, "{name}: {out}");
        // With a recusal on the first team's open slot.
        let last = rec.teams[0].members.len() - 1;
        if let Ok(r1) = recuse(&rec, &rec.teams[0].target, &rec.teams[0].members[last]) {
            let p = write(dir.path(), &format!("{name}-recused.json"), &r1);
            let (code, out) = tool(&[&p]);
            assert_eq!(code, 0, "{name} recused: {out}");
        }
    }
}

#[test]
fn python_records_verify_in_rust_byte_for_byte() {
    if python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, inputs, entropy) in plans() {
        let ip = write(dir.path(), &format!("{name}-in.json"), &inputs);
        let ep = write(dir.path(), &format!("{name}-entropy.json"), &entropy);
        let (code, out) = tool_cmd(&["draw", ip.to_str().unwrap(), ep.to_str().unwrap()]);
        assert_eq!(code, 0, "{name}: {out}");
        let py: Value = serde_json::from_str(&out).unwrap();
        verify(&py).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(py, serde_json::to_value(run(&inputs, &entropy).unwrap()).unwrap(), "{name}");

        // Python's recusal verifies in Rust and equals Rust's.
        let rp = write(dir.path(), &format!("{name}-rec.json"), &py);
        let target = py["teams"][0]["target"].as_str().unwrap();
        let member = py["teams"][0]["members"][0].as_str().unwrap();
        let (code, out) = tool_cmd(&["recuse", rp.to_str().unwrap(), target, member]);
        let rust = recuse(&run(&inputs, &entropy).unwrap(), target, member);
        match rust {
            Ok(r) => {
                assert_eq!(code, 0, "{name}: {out}");
                let py: Value = serde_json::from_str(&out).unwrap();
                verify(&py).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(py, serde_json::to_value(r).unwrap(), "{name}");
            }
            Err(e) => assert_eq!(code, 1, "{name}: Rust refused ({e}) but Python said {out}"),
        }
    }
}

#[test]
fn python_rejects_the_same_tampering_at_the_same_field() {
    if python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (inputs, entropy) = cjk_plan();
    let rec = serde_json::to_value(run(&inputs, &entropy).unwrap()).unwrap();
    type Tamper = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Tamper)> = vec![
        (
            "teams[0].members[2]",
            Box::new(|v| {
                let other =
                    if v["teams"][0]["members"][2] == "WRB-赵六" { "MSA-王五" } else { "WRB-赵六" };
                v["teams"][0]["members"][2] = other.into();
            }),
        ),
        ("seed", Box::new(|v| v["entropy"][2] = "4 0 8".into())),
        ("inputs_digest", Box::new(|v| v["inputs"]["plan_id"] = "other".into())),
        ("targets[1]", Box::new(|v| v["targets"][1]["order"] = 7.into())),
    ];
    for (field, tamper) in cases {
        let mut v = rec.clone();
        tamper(&mut v);
        let rust = verify(&v).unwrap_err();
        assert_eq!(rust.field(), field);
        let p = write(dir.path(), "t.json", &v);
        let (code, out) = tool(&[&p]);
        assert_eq!(code, 1, "{out}");
        assert!(out.starts_with(&format!("FAIL: {field}:")), "python said {out:?}, rust said {rust}");
    }
}
