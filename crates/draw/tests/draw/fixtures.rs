//! Small hand-made plans used across the tests.

use lianjian_draw::commitment;
use serde_json::{json, Value};

/// A plan with non-ASCII ids and CJK stratum labels, two department secrets and one public value.
pub fn cjk_plan() -> (Value, Vec<String>) {
    let eeb = "生态环境局的秘密 42";
    let msa = "MSA secret 7";
    let inputs = json!({
        "plan_id": "2025-H1-联合-01",
        "strata": [
            {"key": "重点排污单位", "permille": 500},
            {"key": "一般单位", "permille": 200},
            {"key": "A", "permille": 1000},
            {"key": "空层", "permille": 300}
        ],
        "candidates": [
            {"id": "91310113MA1G000001", "stratum": "重点排污单位", "categories": ["water", "air"]},
            {"id": "沪环监-002", "stratum": "重点排污单位", "categories": ["air"]},
            {"id": "沪环监-003", "stratum": "重点排污单位", "categories": ["soil"]},
            {"id": "Émile-004", "stratum": "重点排污单位", "categories": []},
            {"id": "c-005", "stratum": "一般单位", "categories": ["noise"]},
            {"id": "c-006", "stratum": "一般单位", "categories": ["water"]},
            {"id": "c-007", "stratum": "一般单位", "categories": ["water"]},
            {"id": "c-008", "stratum": "A", "categories": ["radiation"]}
        ],
        "inspectors": [
            {"id": "EEB-0007", "department": "EEB", "specialties": ["water"], "max_tasks": 3,
             "conflicts": ["91310113MA1G000001"]},
            {"id": "EEB-张三", "department": "EEB", "specialties": ["air", "soil"], "max_tasks": 3, "conflicts": []},
            {"id": "EEB-李四", "department": "EEB", "specialties": ["noise"], "max_tasks": 2, "conflicts": ["c-005"]},
            {"id": "MSA-0012", "department": "MSA", "specialties": ["water"], "max_tasks": 3, "conflicts": []},
            {"id": "MSA-王五", "department": "MSA", "specialties": [], "max_tasks": 3, "conflicts": []},
            {"id": "MSA-0003", "department": "MSA", "specialties": ["radiation"], "max_tasks": 1, "conflicts": []},
            {"id": "WRB-赵六", "department": "WRB", "specialties": ["water", "air"], "max_tasks": 4, "conflicts": []}
        ],
        "team": {"size": 3, "per_department": [{"department": "MSA", "min": 1}, {"department": "EEB", "min": 1}]},
        "entropy_sources": [
            {"kind": "department-secret", "label": "EEB", "commitment": commitment(eeb)},
            {"kind": "department-secret", "label": "MSA", "commitment": commitment(msa)},
            {"kind": "public", "label": "福彩3D 2025-03-05"}
        ],
        "备注": "extra members are covered by the digest"
    });
    (inputs, vec![eeb.to_owned(), msa.to_owned(), "4 0 7".to_owned()])
}

/// The smallest plan: one stratum, one candidate, one inspector.
pub fn tiny_plan() -> (Value, Vec<String>) {
    let inputs = json!({
        "plan_id": "T",
        "strata": [{"key": "A", "permille": 1}],
        "candidates": [{"id": "c1", "stratum": "A", "categories": ["water"]}],
        "inspectors": [{"id": "i1", "department": "EEB", "specialties": [], "max_tasks": 1, "conflicts": []}],
        "team": {"size": 1, "per_department": []},
        "entropy_sources": [{"kind": "public", "label": "beacon"}]
    });
    (inputs, vec!["round 123".to_owned()])
}
