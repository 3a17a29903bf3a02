//! Issue 15 on the command line: `lianjian import registry FILE` refuses a workbook past the upload
//! caps with one line naming the file and exit code 1 — it used to abort (“memory allocation of
//! 549755813888 bytes failed”) — and reading even the deflate bomb fits in a bounded amount of
//! memory, checked by running the import under a data-segment limit.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use lianjian_exchange::testing::{self, BOMB_ROWS};
use lianjian_store::testing as db;

use crate::{err, lianjian, out};

/// The memory every import below must fit in: well above what reading a real registry takes,
/// well below what the bomb took before the caps (≈ 360 MB peak RSS, and more address space).
const DATA_LIMIT: &str = "300000000";

/// `lianjian ARGS` under `prlimit --data=DATA_LIMIT`; `None` where prlimit is not installed.
fn lianjian_limited(args: &[&str]) -> Option<Output> {
    let mut cmd = Command::new("prlimit");
    cmd.arg(format!("--data={DATA_LIMIT}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_lianjian"))
        .args(args)
        .env_remove("LIANJIAN_DATABASE_URL")
        .env("LIANJIAN_LOG", "warn")
        .stdin(Stdio::null());
    match cmd.output() {
        Ok(o) => Some(o),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("prlimit: {e}"),
    }
}

fn refused_in_one_line(o: &Output, file: &Path, reason: &str) {
    let e = err(o);
    assert_eq!(o.status.code(), Some(1), "exit 1, not a crash: {e}");
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 2, "the refusal and the summary: {e}");
    assert!(lines[0].starts_with(&format!("{}: ", file.display())) && lines[0].contains(reason), "{e}");
    assert!(lines[1].starts_with("名录导入被拒绝:共 1 个问题,数据库未作任何修改"), "{e}");
}

#[tokio::test]
async fn issue_15_hostile_workbooks_are_refused_with_one_line_naming_the_file_and_exit_1() {
    let (url, _file) = db::fresh_url().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("a1-xfd1048576.xlsx", testing::two_cells((1_048_575, 16_383), true), "声明的范围 A1:XFD1048576"),
        ("a1-z200000.xlsx", testing::two_cells((199_999, 25), true), "声明的范围 A1:Z200000"),
        ("炸弹.xlsx", testing::deflate_bomb(BOMB_ROWS), "非空单元格超过上限 4000000 个"),
    ];
    for (name, bytes, reason) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let o = lianjian(&["--database-url", &url, "import", "registry", path.to_str().unwrap()], None);
        refused_in_one_line(&o, &path, reason);
    }
    let exported = lianjian(&["--database-url", &url, "export", "registry"], None);
    let v: serde_json::Value = serde_json::from_str(&out(&exported)).unwrap();
    assert_eq!(v["institutions"], serde_json::json!([]), "nothing imported");
}

#[tokio::test]
async fn issue_15_the_bomb_is_refused_within_300_mb_of_data_and_the_demo_registry_imports_within_it() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.xlsx");
    std::fs::write(&bomb, testing::deflate_bomb(BOMB_ROWS)).unwrap();
    let (url, _file) = db::fresh_url().await.unwrap();
    let Some(o) = lianjian_limited(&["--database-url", &url, "import", "registry", bomb.to_str().unwrap()])
    else {
        eprintln!("prlimit is not installed: the memory bound is not checked");
        return;
    };
    refused_in_one_line(&o, &bomb, "非空单元格超过上限 4000000 个");

    // The demo district's registry (160 institutions, ≈ 42,000 cells) as an officer exports it.
    let demo = format!("sqlite://{}", dir.path().join("demo.db").display());
    let o = lianjian(&["demo", "--no-serve", "--database-url", &demo], None);
    assert!(o.status.success(), "{}", err(&o));
    let xlsx = dir.path().join("名录.xlsx");
    let o = lianjian(&["--database-url", &demo, "export", "registry", "--out", xlsx.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", err(&o));
    let o =
        lianjian_limited(&["--database-url", &url, "import", "registry", xlsx.to_str().unwrap()]).unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("新增 160"), "{}", out(&o));
}
