//! Import of a 10,000-institution registry (~300,000 scope rows, `institutions::gen::generate`) into a
//! fresh database: SQLite always, PostgreSQL too when `LIANJIAN_TEST_DATABASE_URL=postgres://…`
//! (a fresh schema per sample). Floor: < 10 s each on the 2-core dev machine.
//!
//! `cargo bench -p lianjian-store --bench registry_import`

use std::sync::Mutex;

use lianjian_app::institutions::ImportOutcome;
use lianjian_app::App;
use lianjian_store::audit::Actor;
use lianjian_store::institutions::gen;
use lianjian_store::Store;

const INSTITUTIONS: usize = 10_000;
const SCOPE_PER_INSTITUTION: usize = 30;

fn main() {
    divan::main();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime")
}

fn import(rt: &tokio::runtime::Runtime, store: &Store, snapshot: &lianjian_registry::Snapshot) {
    let outcome = rt
        .block_on(App::new(store.clone()).import_registry(
            &Actor::system("bench"),
            snapshot,
            Some("benchmark"),
        ))
        .expect("import");
    match outcome {
        ImportOutcome::Applied(s) => assert_eq!(s.created, INSTITUTIONS),
        ImportOutcome::Refused(p) => panic!("refused: {:?}", &p[..p.len().min(3)]),
    }
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn sqlite(bencher: divan::Bencher) {
    let rt = runtime();
    let snapshot = gen::generate(INSTITUTIONS, SCOPE_PER_INSTITUTION);
    let dir = tempfile::tempdir().expect("tempdir");
    let counter = Mutex::new(0);
    bencher
        .with_inputs(|| {
            let mut n = counter.lock().unwrap();
            *n += 1;
            let url = format!("sqlite://{}", dir.path().join(format!("bench{n}.db")).display());
            rt.block_on(Store::open(&url)).expect("open sqlite")
        })
        .bench_local_values(|store| {
            import(&rt, &store, &snapshot);
            store
        });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn postgres(bencher: divan::Bencher) {
    let Some(base) = lianjian_store::testing::base_url() else {
        eprintln!("postgres: LIANJIAN_TEST_DATABASE_URL not set, skipped");
        return;
    };
    let rt = runtime();
    let snapshot = gen::generate(INSTITUTIONS, SCOPE_PER_INSTITUTION);
    let schemas = Mutex::new(Vec::new());
    let admin = |sql: String| {
        rt.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&base).await.expect("connect");
            sqlx::query(&sql).execute(&mut conn).await.expect("admin sql");
            conn.close().await.ok();
        })
    };
    bencher
        .with_inputs(|| {
            let schema = format!("lj_bench_{}_{}", std::process::id(), schemas.lock().unwrap().len());
            admin(format!("CREATE SCHEMA {schema}"));
            schemas.lock().unwrap().push(schema.clone());
            let sep = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
            rt.block_on(Store::open(&url)).expect("open postgres")
        })
        .bench_local_values(|store| {
            import(&rt, &store, &snapshot);
            store
        });
    for schema in schemas.lock().unwrap().drain(..) {
        admin(format!("DROP SCHEMA {schema} CASCADE"));
    }
}
