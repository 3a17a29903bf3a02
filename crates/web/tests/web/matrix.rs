//! The permission matrix: every route × every role (and anonymous), allow or deny. The expectations
//! are written out here by hand, independently of `lianjian_domain::org::allows`.

use axum::http::StatusCode;

use crate::client::{form, get, App, ROLES};

#[derive(Clone, Copy)]
enum Req {
    Get(&'static str),
    /// A form post carrying the caller's CSRF token.
    Post(&'static str, &'static [(&'static str, &'static str)]),
}

/// (request, who is allowed; "*" = every signed-in user, "anon" = also anonymous)
const ROUTES: &[(Req, &[&str])] = &[
    (Req::Get("/"), &["anon", "*"]),
    (Req::Get("/healthz"), &["anon", "*"]),
    (Req::Get("/api/v1/openapi.json"), &["anon", "*"]),
    (Req::Get("/account/password"), &["*"]),
    (Req::Get("/api/v1/me"), &["*"]),
    (Req::Get("/eeb"), &["eeb-officer", "eeb-leader"]),
    (Req::Get("/msa"), &["msa-officer", "msa-leader"]),
    (Req::Get("/partner"), &["water-liaison"]),
    (Req::Get("/institution"), &["inst-user"]),
    (Req::Get("/admin/users"), &["sysadmin"]),
    (
        Req::Post(
            "/admin/users",
            &[
                ("username", "new-user"),
                ("display_name", "新用户"),
                ("department", "EEB"),
                ("role", "officer"),
                ("password", "Abcdef-123"),
            ],
        ),
        &["sysadmin"],
    ),
    (Req::Get("/admin/security"), &["secadmin"]),
    (Req::Post("/admin/security/unlock", &[("username", "eeb-officer")]), &["secadmin"]),
    (Req::Post("/admin/security/tokens", &[("username", "eeb-officer"), ("label", "对接")]), &["secadmin"]),
    (Req::Get("/registry"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (Req::Get("/registry/import"), &["eeb-leader", "msa-leader"]),
    (Req::Get("/registry/export.json"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (Req::Get("/api/v1/registry"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (Req::Get("/api/v1/institutions"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    // The inspection institution's own account reads its own institution (the registry below holds it).
    (
        Req::Get("/api/v1/institutions/91310113MA1GL0QY3R"),
        &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader", "inst-user"],
    ),
    (Req::Get("/api/v1/institutions/91310113MA1GL0QY3R/standing"), &["*"]),
    (Req::Get("/api/v1/inspectors"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (Req::Get("/api/v1/items"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (
        Req::Get("/api/v1/partner-lists"),
        &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader", "water-liaison"],
    ),
    (Req::Get("/public/institutions"), &["anon", "*"]),
    (Req::Get("/public/items"), &["anon", "*"]),
    (Req::Get("/inspectors"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (Req::Get("/items"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (
        Req::Get("/partner-lists"),
        &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader", "water-liaison"],
    ),
    (Req::Get("/partner/upload"), &["water-liaison"]),
    (Req::Get("/plans"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (Req::Get("/tasks"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (Req::Get("/api/v1/tasks"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    // The first task of the plan drawn below: on both officers' teams, in both leaders' departments.
    (Req::Get("/api/v1/tasks/1"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (Req::Get("/public/plans"), &["anon", "*"]),
    (Req::Get("/public/plans/verify"), &["anon", "*"]),
    (
        Req::Get("/reports"),
        &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader", "inst-user", "city-feed"],
    ),
    (Req::Get("/eeb/findings"), &["eeb-officer", "eeb-leader"]),
    (Req::Get("/msa/findings"), &["msa-officer", "msa-leader"]),
    (Req::Get("/api/v1/findings"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (Req::Get("/params"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader", "sysadmin"]),
    (Req::Get("/offsite/config"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (Req::Get("/deadlines"), &["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"]),
    (
        Req::Post(
            "/admin/security/params",
            &[("key", "password_min_length"), ("value", "10"), ("from", "2026-01-01"), ("note", "测试")],
        ),
        &["secadmin"],
    ),
    (Req::Get("/admin/audit"), &["auditadmin"]),
    (Req::Get("/admin/audit/export"), &["auditadmin"]),
    (Req::Get("/api/v1/audit"), &["auditadmin"]),
    (Req::Get("/api/v1/audit/head"), &["auditadmin"]),
];

fn allowed(who: &[&str], user: Option<&str>) -> bool {
    match user {
        None => who.contains(&"anon"),
        Some(u) => who.contains(&"*") || who.contains(&u),
    }
}

#[tokio::test]
async fn every_route_allows_exactly_the_roles_it_should() {
    let app = App::new().await;
    crate::plans::district(&app).await;
    let task = crate::plans::task_of_both_officers(&app).await;
    assert_eq!(task.id, 1, "the route list names task 1");
    // The institution the registry routes name exists (imported after the draw, which it leaves
    // alone), so an allowed caller gets an answer, not a 404.
    let system = lianjian_store::audit::Actor::system("test");
    app.state.app.import_registry(&system, &crate::institutions::snapshot(), None).await.unwrap();
    let mut failures = Vec::new();
    let mut users: Vec<Option<&str>> = vec![None];
    users.extend(ROLES.iter().map(|r| Some(r.0)));
    for user in users {
        let session = match user {
            Some(u) => Some(app.sign_in(u).await),
            None => None,
        };
        for (req, who) in ROUTES {
            let (label, request) = match req {
                Req::Get(p) => (format!("GET {p}"), get(p, session.as_ref())),
                Req::Post(p, fields) => {
                    let mut f = fields.to_vec();
                    let csrf = session.as_ref().map(|s| s.csrf.clone()).unwrap_or_default();
                    f.push(("_csrf", &csrf));
                    (format!("POST {p}"), form(p, session.as_ref(), &f))
                }
            };
            let r = app.send(request).await;
            let expect_ok = allowed(who, user);
            let ok = r.status.is_success() || r.status.is_redirection() && !r.location().ends_with("/login");
            let denied = matches!(r.status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED)
                || r.status.is_redirection() && r.location().ends_with("/login");
            if expect_ok != ok || expect_ok == denied {
                failures.push(format!("{label} as {user:?}: got {} {}", r.status, r.location()));
            }
        }
    }
    assert!(failures.is_empty(), "permission matrix violations:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
    let doc = serde_json::to_value(lianjian_web::openapi()).unwrap();
    let paths: Vec<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    // A route of the matrix names a real path; the document its template (`/api/v1/institutions/{uscc}`).
    let matches = |template: &str, path: &str| {
        let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
        t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t == p || t.starts_with('{'))
    };
    for (req, _) in ROUTES {
        let (Req::Get(p) | Req::Post(p, _)) = req;
        let path = p.split('?').next().unwrap_or(p);
        if path.starts_with("/api/v1/") && path != "/api/v1/openapi.json" {
            assert!(paths.iter().any(|t| matches(t, path)), "{p} missing from OpenAPI: {paths:?}");
        }
    }
    assert!(paths.contains(&"/api/v1/session"));
    assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
}

#[tokio::test]
async fn institution_user_sees_only_its_own_institution() {
    let app = App::new().await;
    let s = app.sign_in("inst-user").await;
    let me = app.send(get("/api/v1/me", Some(&s))).await.json();
    assert_eq!(me["institution_uscc"], "91310113MA1GL0QY3R");
    let page = app.send(get("/institution", Some(&s))).await;
    assert!(page.body.contains("91310113MA1GL0QY3R"));
    assert_eq!(app.send(get("/eeb", Some(&s))).await.status, StatusCode::FORBIDDEN);
}
