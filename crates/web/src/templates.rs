//! Server-rendered pages: minijinja templates embedded in the binary, HTML auto-escaped, no asset from
//! the internet.

use minijinja::{Environment, Value};
use serde::Serialize;

use crate::auth::Caller;
use crate::nav::nav_for;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("password.html", include_str!("../templates/password.html")),
    ("workspace.html", include_str!("../templates/workspace.html")),
    ("public_home.html", include_str!("../templates/public_home.html")),
    ("admin_users.html", include_str!("../templates/admin_users.html")),
    ("admin_security.html", include_str!("../templates/admin_security.html")),
    ("admin_audit.html", include_str!("../templates/admin_audit.html")),
    ("institutions_directory.html", include_str!("../templates/institutions_directory.html")),
    ("institutions_detail.html", include_str!("../templates/institutions_detail.html")),
    ("institutions_import.html", include_str!("../templates/institutions_import.html")),
    ("reports.html", include_str!("../templates/reports.html")),
    ("report_batch.html", include_str!("../templates/report_batch.html")),
    ("report.html", include_str!("../templates/report.html")),
    ("findings.html", include_str!("../templates/findings.html")),
    ("findings_table.html", include_str!("../templates/findings_table.html")),
    ("institution_scope.html", include_str!("../templates/institution_scope.html")),
    ("inspectors_list.html", include_str!("../templates/inspectors_list.html")),
    ("inspectors_detail.html", include_str!("../templates/inspectors_detail.html")),
    ("items_list.html", include_str!("../templates/items_list.html")),
    ("legal_params.html", include_str!("../templates/legal_params.html")),
    ("deadlines.html", include_str!("../templates/deadlines.html")),
    ("offsite_config.html", include_str!("../templates/offsite_config.html")),
    ("partner_lists_board.html", include_str!("../templates/partner_lists_board.html")),
    ("partner_lists_upload.html", include_str!("../templates/partner_lists_upload.html")),
    ("plan_list.html", include_str!("../templates/plan_list.html")),
    ("plan_detail.html", include_str!("../templates/plan_detail.html")),
    ("plan_tasks.html", include_str!("../templates/plan_tasks.html")),
    ("plan_task.html", include_str!("../templates/plan_task.html")),
    ("public_plans.html", include_str!("../templates/public_plans.html")),
    ("public_plan.html", include_str!("../templates/public_plan.html")),
    ("public_plan_verify.html", include_str!("../templates/public_plan_verify.html")),
];

pub const SITE_CSS: &str = include_str!("../assets/site.css");

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            // A broken embedded template is a build defect; the template test catches it before release.
            tracing::error!(template = name, error = %e, "template does not parse");
        }
    }
    env
}

/// The signed-in user as the layout shows it.
#[derive(Serialize)]
struct UserView<'a> {
    display_name: &'a str,
    department_zh: &'a str,
    role_zh: &'a str,
}

/// Render `name` inside the layout: `ctx` is the page's own context.
pub fn render(
    env: &Environment<'static>,
    name: &str,
    title: &str,
    path: &str,
    caller: Option<&Caller>,
    ctx: Value,
) -> Result<String, crate::error::AppError> {
    let user = caller.map(|c| UserView {
        display_name: &c.user.display_name,
        department_zh: c.user.department.zh(),
        role_zh: c.user.role.zh(),
    });
    let base = minijinja::context! {
        title => title,
        nav => nav_for(caller, path),
        user => user,
        csrf => caller.map(|c| c.csrf()).unwrap_or(""),
    };
    let merged = minijinja::context! { ..ctx, ..base };
    env.get_template(name)
        .and_then(|t| t.render(merged))
        .map_err(|e| crate::error::AppError::Internal(format!("render {name}: {e:#}")))
}

/// Escape text for HTML outside templates (error pages).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// [`render`] as a response under `status` (a page shown again with a refusal, a preview).
pub fn render_status(
    env: &Environment<'static>,
    (name, title, path): (&str, &str, &str),
    caller: &Caller,
    ctx: Value,
    status: axum::http::StatusCode,
) -> Result<axum::response::Response, crate::error::AppError> {
    use axum::response::IntoResponse;
    Ok((status, axum::response::Html(render(env, name, title, path, Some(caller), ctx)?)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_template_parses() {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn user_text_is_escaped() {
        let env = environment();
        let html = render(
            &env,
            "login.html",
            "登录",
            "/login",
            None,
            minijinja::context! { error => "<script>alert(1)</script>" },
        )
        .unwrap();
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;") || html.contains("&lt;script&gt;")
        );
        assert!(!html.contains("<script>alert(1)"));
        assert!(html.contains("<html lang=\"zh-CN\">"));
    }
}
