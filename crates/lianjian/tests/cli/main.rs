//! The binary as an operator uses it: exit codes, messages, and the operator workflows end to end.
//! Databases come from `lianjian_store::testing`, so this suite runs on SQLite and on PostgreSQL.

mod admin;
mod draw;
mod offsite;
mod registry;
mod upload_limits;

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub fn lianjian(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lianjian"))
        .args(args)
        .env_remove("LIANJIAN_DATABASE_URL")
        .env("LIANJIAN_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn lianjian");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn shared(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(path)
}
