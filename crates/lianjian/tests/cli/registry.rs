//! `lianjian import registry` / `lianjian export registry` as an operator uses them.

use lianjian_store::testing;

use crate::{err, lianjian, out, shared};

fn codes() -> Vec<String> {
    let text = std::fs::read_to_string(shared("data/uscc-vectors.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["valid"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap().to_owned()).collect()
}

fn snapshot(a: &str, b: &str, expires_b: &str) -> String {
    format!(
        r#"{{ "institutions": [
  {{ "uscc": "{b}", "name": "上海浦东绿源监测有限公司", "district": "浦东新区",
     "certificates": [ {{ "no": "202212340002", "issuer": "上海市市场监督管理局",
        "issued_on": "2022-01-01", "expires_on": "{expires_b}",
        "status_history": [ {{"status": "valid", "from": "2022-01-01"}}, {{"status": "revoked", "from": "2024-06-01"}} ],
        "scope": [ {{"category": "soil", "parameter": "镉", "method": "GB/T 17141-1997", "from": "2022-01-01", "to": null}} ] }} ] }},
  {{ "uscc": "{a}", "name": "上海宝山环境检测技术有限公司", "district": "宝山区", "address": "某路 1 号",
     "legal_rep": "王某", "phone": "021-00000000",
     "certificates": [ {{ "no": "201912345678", "issuer": "上海市市场监督管理局",
        "issued_on": "2019-05-10", "expires_on": "2025-05-09",
        "status_history": [ {{"status": "valid", "from": "2019-05-10"}}, {{"status": "suspended", "from": "2024-08-01"}} ],
        "scope": [ {{"category": "water", "parameter": "化学需氧量", "method": "HJ 828-2017", "from": "2019-05-10", "to": null}},
                   {{"category": "water", "parameter": "氨氮", "method": "HJ 535-2009", "from": "2019-05-10", "to": "2022-12-31"}} ] }} ],
     "signatories": [ {{"person": {{"id": "P-000123", "name": "张三"}}, "categories": ["water", "air"], "from": "2019-05-10", "to": null}} ],
     "staff": [ {{"person": {{"id": "P-000124", "name": "李四"}}, "roles": ["sampler", "analyst"], "from": "2020-01-01", "to": null}} ],
     "instruments": [ {{"id": "BSJC-YQ-017", "name": "紫外可见分光光度计"}} ],
     "restrictions": [ {{"from": "2025-01-10", "to": "2026-01-09", "basis": "宝市监罚〔2025〕12号"}} ] }}
] }}"#
    )
}

#[tokio::test]
async fn exported_registry_imports_back_unchanged_and_exports_the_same_bytes() {
    let (url, _file) = testing::fresh_url().await.unwrap();
    let c = codes();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("registry.json");
    std::fs::write(&input, snapshot(&c[0], &c[1], "2026-12-31")).unwrap();
    let imp = lianjian(&["--database-url", &url, "import", "registry", input.to_str().unwrap()], None);
    assert!(imp.status.success(), "{}", err(&imp));
    assert!(out(&imp).contains("新增 2"), "{}", out(&imp));

    let first = dir.path().join("export.json");
    let exp =
        lianjian(&["--database-url", &url, "export", "registry", "--out", first.to_str().unwrap()], None);
    assert!(exp.status.success(), "{}", err(&exp));
    let exported = std::fs::read_to_string(&first).unwrap();
    assert!(exported.find(&c[0]) < exported.find(&c[1]) || c[0] > c[1], "canonical order by USCC");
    assert!(exported.contains("宝市监罚〔2025〕12号"));

    let again = lianjian(&["--database-url", &url, "import", "registry", first.to_str().unwrap()], None);
    assert!(again.status.success(), "{}", err(&again));
    assert!(out(&again).contains("未变 2"), "{}", out(&again));
    let stdout = lianjian(&["--database-url", &url, "export", "registry"], None);
    assert!(stdout.status.success());
    assert_eq!(out(&stdout), exported, "byte-identical export after re-import");
    let verify = lianjian(&["--database-url", &url, "audit", "verify"], None);
    assert!(verify.status.success(), "{}", out(&verify));
}

#[tokio::test]
async fn a_bad_registry_file_is_refused_with_every_problem_and_exit_1() {
    let (url, _file) = testing::fresh_url().await.unwrap();
    let c = codes();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, snapshot(&c[0], &c[1], "2026-12-31")).unwrap();
    assert!(lianjian(&["--database-url", &url, "import", "registry", good.to_str().unwrap()], None)
        .status
        .success());
    let before = out(&lianjian(&["--database-url", &url, "export", "registry"], None));
    let head = out(&lianjian(&["--database-url", &url, "audit", "head"], None));

    let last = c[0].chars().last().unwrap();
    let wrong = format!("{}{}", &c[0][..17], if last == '0' { '1' } else { '0' });
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, snapshot(&wrong, &c[1], "2021-12-31")).unwrap();
    let o = lianjian(&["--database-url", &url, "import", "registry", bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let e = err(&o);
    assert!(e.contains(&format!("{wrong} /institutions/1/uscc uscc: 统一社会信用代码校验位错误")), "{e}");
    assert!(
        e.contains(&format!(
            "{} /institutions/0/certificates/0/expires_on expires_on: 有效期至 2021-12-31",
            c[1]
        )),
        "{e}"
    );
    // The wrong code is a new institution to the database, so A's certificate number is taken.
    assert!(e.contains("/institutions/1/certificates/0/no no: 证书编号 201912345678 已登记在机构"), "{e}");
    assert!(e.contains("共 3 个问题"), "{e}");
    assert_eq!(out(&lianjian(&["--database-url", &url, "export", "registry"], None)), before);
    assert_eq!(out(&lianjian(&["--database-url", &url, "audit", "head"], None)), head);
}

#[tokio::test]
async fn the_registry_round_trips_through_excel_and_a_broken_workbook_is_refused() {
    let (url, _file) = testing::fresh_url().await.unwrap();
    let codes = codes();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("in.json");
    std::fs::write(&json, snapshot(&codes[0], &codes[1], "2027-01-01")).unwrap();
    assert!(lianjian(&["--database-url", &url, "import", "registry", json.to_str().unwrap()], None)
        .status
        .success());
    let before = out(&lianjian(&["--database-url", &url, "export", "registry"], None));
    let xlsx = dir.path().join("名录.xlsx");
    let o = lianjian(&["--database-url", &url, "export", "registry", "--out", xlsx.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", err(&o));
    let o = lianjian(&["--database-url", &url, "import", "registry", xlsx.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("新增 0,更新 0"), "{}", out(&o));
    assert_eq!(out(&lianjian(&["--database-url", &url, "export", "registry"], None)), before);
    let template = dir.path().join("模板.xlsx");
    assert!(lianjian(&["export", "template", "--out", template.to_str().unwrap()], None).status.success());
    assert!(std::fs::read(&template).unwrap().starts_with(b"PK"));

    let broken = dir.path().join("坏.xlsx");
    std::fs::write(&broken, b"PK\x03\x04 not really a workbook").unwrap();
    let o = lianjian(&["--database-url", &url, "import", "registry", broken.to_str().unwrap()], None);
    assert!(!o.status.success());
    assert!(err(&o).contains("名录导入被拒绝"), "{}", err(&o));
    let o = lianjian(
        &["--database-url", &url, "import", "registry", "-"],
        Some("{\"institutions\": [ {\"uscc\": 1} ]}"),
    );
    assert!(!o.status.success());
    assert!(err(&o).contains("无法读取"), "{}", err(&o));
    assert!(!err(&o).contains("panicked"));
}
