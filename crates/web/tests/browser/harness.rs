//! Headless-Chromium harness for browser flows.
//!
//! A flow is one `#[test]` that calls [`flow`]: the harness starts a Lianjian server in-process on
//! `127.0.0.1:0` over a fresh test database (`lianjian_store::testing::fresh`, so SQLite by default
//! and PostgreSQL when `LIANJIAN_TEST_DATABASE_URL=postgres://…`), starts `chromedriver` on a free
//! port, opens a WebDriver session on headless Chromium with a new empty profile, and hands the flow
//! a [`Browser`]. When the flow fails (returns `Err`, panics or times out) a screenshot, the page
//! source and the chromedriver log are saved (see [`artifacts_dir`]) before the test fails.
//!
//! Flows run one at a time (a process-wide lock), so a two-core machine is never asked to drive two
//! Chromiums at once; each flow gets its own server, database, chromedriver and browser profile.
//!
//! Chromium and chromedriver are found through `CHROME_BIN` and `CHROMEDRIVER`, defaulting to the
//! Debian packages (`/usr/bin/chromium`, `/usr/bin/chromedriver`). If either is missing the test
//! fails with a message saying so: browser tests never pass by skipping.

use std::future::Future;
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use lianjian_app::accounts::NewAccount;
use lianjian_domain::org::{Department, Role};
use lianjian_store::audit::Actor;
use lianjian_web::{AppState, Settings};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T = ()> = std::result::Result<T, Error>;

/// How long a helper waits for an element, a navigation or a URL before it gives up.
pub const WAIT: Duration = Duration::from_secs(15);
/// How long a whole flow (after setup) may take.
pub const FLOW_TIMEOUT: Duration = Duration::from_secs(180);
const POLL: Duration = Duration::from_millis(50);

/// Chromium's flags. Without the background-networking ones Chromium tries to reach Google's
/// services at start-up, and on a closed network those connections are refused.
pub const CHROME_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn fail(msg: impl Into<String>) -> Error {
    msg.into().into()
}

/// The Chromium and chromedriver binaries, from `CHROME_BIN` / `CHROMEDRIVER` or the Debian paths.
struct Tools {
    chrome: PathBuf,
    chromedriver: PathBuf,
}

impl Tools {
    fn locate() -> Tools {
        let find = |what: &str, var: &str, default: &str, package: &str| {
            let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default));
            assert!(
                path.is_file(),
                "browser tests need {what}, which was not found at {} (set {var}, or `apt-get install {package}`)",
                path.display(),
            );
            path
        };
        Tools {
            chrome: find("Chromium", "CHROME_BIN", "/usr/bin/chromium", "chromium"),
            chromedriver: find("chromedriver", "CHROMEDRIVER", "/usr/bin/chromedriver", "chromium-driver"),
        }
    }
}

/// A chromedriver process on a free local port, killed when dropped.
struct Chromedriver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Chromedriver {
    fn start(tools: &Tools, scratch: &Path) -> Result<Chromedriver> {
        // The free port is found by binding and releasing it; if another process takes it in between,
        // chromedriver exits at once and we try another.
        let mut last = String::new();
        for attempt in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            let log = scratch.join(format!("chromedriver-{attempt}.log"));
            let child = Command::new(&tools.chromedriver)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| fail(format!("cannot start {}: {e}", tools.chromedriver.display())))?;
            let mut driver = Chromedriver { child, port, log };
            match driver.wait_ready() {
                Ok(()) => return Ok(driver),
                Err(e) => last = e.to_string(),
            }
        }
        Err(fail(format!("chromedriver did not start: {last}")))
    }

    fn wait_ready(&mut self) -> Result {
        let deadline = Instant::now() + WAIT;
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(fail(format!("chromedriver exited with {status}; log: {}", self.log_tail())));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(fail(format!(
                    "chromedriver did not answer on port {} within {WAIT:?}",
                    self.port
                )));
            }
            std::thread::sleep(POLL);
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where failure evidence goes: `LIANJIAN_BROWSER_ARTIFACTS`, or `browser/` under Cargo's
/// per-target temp directory (`$CARGO_TARGET_DIR/tmp/browser`).
pub fn artifacts_dir() -> PathBuf {
    std::env::var_os("LIANJIAN_BROWSER_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser"))
}

/// Run one browser flow. `name` names the failure artifacts; `body` drives the browser.
///
/// ```ignore
/// #[test]
/// fn officer_signs_in() {
///     harness::flow("officer_signs_in", |b| async move {
///         b.create_account(harness::eeb_officer("zhang.wei", "张伟", "Officer@2026")).await?;
///         b.sign_in("zhang.wei", "Officer@2026").await?;
///         assert_eq!(b.path().await?, "/eeb");
///         Ok(())
///     });
/// }
/// ```
pub fn flow<F, Fut>(name: &str, body: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = Result> + Send + 'static,
{
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let tools = Tools::locate();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime for the browser test");
    let outcome = runtime.block_on(run(name, &tools, body));
    runtime.shutdown_timeout(Duration::from_secs(5));
    match outcome {
        Outcome::Passed => {}
        Outcome::Setup(e) => panic!("browser flow `{name}`: setup failed: {e}"),
        Outcome::Failed(e) => panic!("browser flow `{name}` failed: {e}"),
        Outcome::Panicked(payload) => std::panic::resume_unwind(payload),
    }
}

enum Outcome {
    Passed,
    Setup(Error),
    Failed(Error),
    Panicked(Box<dyn std::any::Any + Send>),
}

async fn run<F, Fut>(name: &str, tools: &Tools, body: F) -> Outcome
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = Result> + Send + 'static,
{
    // Declared first so it is dropped last: the profile and logs outlive Chromium and chromedriver.
    let scratch = match tempfile::Builder::new().prefix("lianjian-browser-").tempdir() {
        Ok(d) => d,
        Err(e) => return Outcome::Setup(e.into()),
    };
    let server = match Server::start().await {
        Ok(s) => s,
        Err(e) => return Outcome::Setup(fail(format!("Lianjian server: {e}"))),
    };
    let driver = match Chromedriver::start(tools, scratch.path()) {
        Ok(d) => d,
        Err(e) => return Outcome::Setup(e),
    };
    let client = match connect(tools, &driver, scratch.path()).await {
        Ok(c) => c,
        Err(e) => return Outcome::Setup(fail(format!("{e}\nchromedriver log:\n{}", driver.log_tail()))),
    };
    let browser = Browser { client: client.clone(), base: server.base.clone(), state: server.state.clone() };

    let task = tokio::spawn(body(browser.clone()));
    let outcome = match tokio::time::timeout(FLOW_TIMEOUT, task).await {
        Ok(Ok(Ok(()))) => Outcome::Passed,
        Ok(Ok(Err(e))) => Outcome::Failed(e),
        Ok(Err(join)) if join.is_panic() => Outcome::Panicked(join.into_panic()),
        Ok(Err(join)) => Outcome::Failed(fail(format!("flow task ended abnormally: {join}"))),
        Err(_) => Outcome::Failed(fail(format!("flow did not finish within {FLOW_TIMEOUT:?}"))),
    };
    if !matches!(outcome, Outcome::Passed) {
        browser.save_evidence(name, &driver).await;
    }
    // Ends the WebDriver session, which makes chromedriver quit Chromium.
    let _ = client.close().await;
    drop(driver);
    server.stop();
    drop(scratch);
    outcome
}

async fn connect(tools: &Tools, driver: &Chromedriver, scratch: &Path) -> Result<Client> {
    let profile = scratch.join("profile");
    std::fs::create_dir_all(&profile)?;
    let mut args: Vec<String> = CHROME_ARGS.iter().map(|a| (*a).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "chrome".into());
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": tools.chrome.display().to_string(), "args": args }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url())
        .await
        .map_err(|e| fail(format!("cannot open a Chromium session ({}): {e}", tools.chrome.display())))?;
    Ok(client)
}

/// The Lianjian server under test, in-process.
struct Server {
    base: String,
    state: AppState,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _db: lianjian_store::testing::TestDb,
}

impl Server {
    async fn start() -> Result<Server> {
        let db = lianjian_store::testing::fresh().await?;
        let state = AppState::new(db.store.clone(), Settings::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        // `lianjian_web::serve` without its Ctrl-C/SIGTERM handler (which would swallow a Ctrl-C
        // meant for the test run) and its session sweeper (each flow is minutes shorter than it).
        let app = lianjian_web::app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Server { base, state, task, _db: db })
    }

    fn stop(self) {
        self.task.abort();
    }
}

/// An account to create with [`Browser::create_account`]; no forced password change.
pub fn account(
    username: &str,
    display_name: &str,
    department: Department,
    role: Role,
    password: &str,
) -> NewAccount {
    NewAccount {
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        department,
        role,
        institution_uscc: None,
        password: password.to_owned(),
        must_change_password: false,
    }
}

/// An officer (执法人员) of the district Ecology and Environment Bureau.
pub fn eeb_officer(username: &str, display_name: &str, password: &str) -> NewAccount {
    account(username, display_name, Department::Eeb, Role::Officer, password)
}

/// The browser of one flow, with the server it talks to. Cheap to clone.
#[derive(Clone)]
pub struct Browser {
    client: Client,
    base: String,
    state: AppState,
}

impl Browser {
    /// The raw WebDriver client, for what the helpers do not cover.
    #[allow(dead_code)] // for flows that need more than the helpers
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The server's state (store and settings), to arrange data the flow needs.
    #[allow(dead_code)] // for flows that need more than the helpers
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// `http://127.0.0.1:PORT` of the server under test.
    #[allow(dead_code)] // for flows that need more than the helpers
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Create an account directly in the store (as the operator CLI would).
    pub async fn create_account(&self, account: NewAccount) -> Result<i64> {
        let username = account.username.clone();
        let actor = Actor::system("browser-test");
        self.state
            .app
            .clone()
            .create_user(&actor, account)
            .await
            .map_err(|e| fail(format!("creating account {username}: {e}")))
    }

    /// Open a path of the server (`/login`, `/eeb`, …) and wait for it to load.
    pub async fn goto(&self, path: &str) -> Result {
        self.client.goto(&format!("{}{path}", self.base)).await?;
        Ok(())
    }

    /// The path of the current page (`/eeb`).
    pub async fn path(&self) -> Result<String> {
        Ok(self.client.current_url().await?.path().to_owned())
    }

    /// Wait until the current page is at `path`.
    pub async fn wait_for_path(&self, path: &str) -> Result {
        let deadline = Instant::now() + WAIT;
        loop {
            let now = self.path().await?;
            if now == path {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(fail(format!("expected to be on {path}, still on {now} after {WAIT:?}")));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Result<Element> {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(e) => return Ok(e),
                Err(e) if e.is_no_such_element() && Instant::now() < deadline => {
                    tokio::time::sleep(POLL).await;
                }
                Err(e) if e.is_no_such_element() => {
                    let path = self.path().await.unwrap_or_default();
                    return Err(fail(format!("no element matches `{css}` on {path} after {WAIT:?}")));
                }
                Err(e) => return Err(fail(format!("finding `{css}`: {e}"))),
            }
        }
    }

    /// Whether an element matches `css` right now (no waiting).
    pub async fn exists(&self, css: &str) -> Result<bool> {
        Ok(!self.client.find_all(Locator::Css(css)).await?.is_empty())
    }

    /// The visible text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.find(css).await?.text().await?)
    }

    /// An attribute of the first element matching `css`.
    pub async fn attr(&self, css: &str, name: &str) -> Result<Option<String>> {
        Ok(self.find(css).await?.attr(name).await?)
    }

    /// Click the first element matching `css`. Use [`Browser::submit`] when the click loads a page.
    pub async fn click(&self, css: &str) -> Result {
        self.find(css).await?.click().await?;
        Ok(())
    }

    /// Replace the value of the input matching `css`.
    pub async fn fill(&self, css: &str, value: &str) -> Result {
        let input = self.find(css).await?;
        input.clear().await?;
        input.send_keys(value).await?;
        Ok(())
    }

    /// Click the element matching `css` and wait until the browser has replaced the page (a form
    /// post, a link), even when the new page has the same URL (a form shown again with an error).
    pub async fn submit(&self, css: &str) -> Result {
        let old = self.client.find(Locator::Css("html")).await?;
        self.click(css).await?;
        let deadline = Instant::now() + WAIT;
        loop {
            match old.tag_name().await {
                // Chromium reports a node of a replaced document either as stale or as "does not belong
                // to the document", depending on timing: both mean the new page has come.
                Err(e)
                    if e.is_stale_element_reference()
                        || e.to_string().contains("does not belong to the document") =>
                {
                    break
                }
                Err(e) => return Err(e.into()),
                Ok(_) if Instant::now() > deadline => {
                    return Err(fail(format!("clicking `{css}` did not load a new page within {WAIT:?}")))
                }
                Ok(_) => tokio::time::sleep(POLL).await,
            }
        }
        // The new document is in place; wait for it to be fully parsed.
        let deadline = Instant::now() + WAIT;
        loop {
            let state = self.client.execute("return document.readyState", vec![]).await?;
            if state == "complete" {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(fail(format!("page after clicking `{css}` did not finish loading")));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Sign in through the real form on `/login`. Does not check where it lands: a refused sign-in
    /// shows the form again with `#login-error`.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result {
        self.goto("/login").await?;
        self.fill("#username", username).await?;
        self.fill("#password", password).await?;
        self.submit("#submit").await
    }

    /// Sign out with the `#logout` button in the top bar.
    pub async fn sign_out(&self) -> Result {
        self.submit("#logout").await
    }

    /// Save a PNG screenshot of the current page.
    pub async fn screenshot(&self, path: &Path) -> Result {
        let png = self.client.screenshot().await?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png)?;
        Ok(())
    }

    /// On failure: screenshot, page source and chromedriver log under [`artifacts_dir`].
    async fn save_evidence(&self, name: &str, driver: &Chromedriver) {
        let dir = artifacts_dir();
        let _ = std::fs::create_dir_all(&dir);
        let png = dir.join(format!("{name}.png"));
        let mut notes = Vec::new();
        match tokio::time::timeout(Duration::from_secs(20), self.screenshot(&png)).await {
            Ok(Ok(())) => notes.push(format!("screenshot: {}", png.display())),
            Ok(Err(e)) => notes.push(format!("no screenshot: {e}")),
            Err(_) => notes.push("no screenshot: timed out".to_owned()),
        }
        let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
        if let Ok(Ok(html)) = tokio::time::timeout(Duration::from_secs(10), self.client.source()).await {
            let file = dir.join(format!("{name}.html"));
            if std::fs::write(&file, html).is_ok() {
                notes.push(format!("page source ({url}): {}", file.display()));
            }
        }
        let log = dir.join(format!("{name}.chromedriver.log"));
        if std::fs::copy(&driver.log, &log).is_ok() {
            notes.push(format!("chromedriver log: {}", log.display()));
        }
        let mut err = std::io::stderr().lock();
        for n in notes {
            let _ = writeln!(err, "browser flow `{name}`: {n}");
        }
    }
}
