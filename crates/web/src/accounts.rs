//! Account operations shared by the web edge and the operator CLI. Each change and its audit entry
//! are written in one transaction.

use lianjian_domain::org::{Department, Role};
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::users::{self, NewUser, User};
use lianjian_store::{sessions, Store};
use serde_json::json;

use crate::auth::{check_password_policy, hash_password, random_token, token_hash, verify_password};
use crate::error::AppError;
use crate::Settings;

pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub department: Department,
    pub role: Role,
    pub institution_uscc: Option<String>,
    pub password: String,
    /// Demo and first accounts may skip the forced change; real ones change on first sign-in.
    pub must_change_password: bool,
}

pub async fn create_user(
    store: &Store,
    settings: &Settings,
    actor: &Actor,
    acc: NewAccount,
) -> Result<i64, AppError> {
    let username = acc.username.trim().to_owned();
    if username.is_empty()
        || username.len() > 64
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(AppError::bad("username", "用户名只能由字母、数字和 - _ . 组成,长度 1–64"));
    }
    if !acc.role.allows_department(acc.department) {
        return Err(AppError::bad(
            "department",
            format!("角色“{}”不能属于部门“{}”", acc.role.zh(), acc.department.zh()),
        ));
    }
    let uscc = match (acc.role, &acc.institution_uscc) {
        (Role::Institution, Some(u)) => Some(
            lianjian_domain::uscc::Uscc::parse(u)
                .map_err(|e| AppError::bad("institution", e.to_string()))?
                .as_str()
                .to_owned(),
        ),
        (Role::Institution, None) => return Err(AppError::bad("institution", "机构用户必须绑定一个机构")),
        (_, Some(_)) => return Err(AppError::bad("institution", "只有机构用户可以绑定机构")),
        (_, None) => None,
    };
    check_password_policy(&acc.password, settings.password_min_len)?;
    let hash = hash_password(&acc.password)?;
    let mut tx = store.begin().await?;
    let id = users::insert(
        &mut tx,
        &NewUser {
            username: username.clone(),
            display_name: acc.display_name.clone(),
            department: acc.department,
            role: acc.role,
            institution_uscc: uscc.clone(),
            password_hash: hash,
            must_change_password: acc.must_change_password,
        },
        store.now_ms(),
    )
    .await?;
    let after = json!({"username": username, "display_name": acc.display_name, "department": acc.department,
                       "role": acc.role, "institution_uscc": uscc});
    audit::append(
        &mut tx,
        AuditDraft::new(actor, "user.create", "user", &username).after(after),
        store.now(),
    )
    .await?;
    lianjian_store::commit(tx).await?;
    Ok(id)
}

fn minutes(ms: i64) -> i64 {
    (ms + 59_999) / 60_000
}

/// Sign in: argon2id check, lockout after repeated failures, every attempt audited.
pub async fn sign_in(
    store: &Store,
    settings: &Settings,
    username: &str,
    password: &str,
    ip: Option<String>,
) -> Result<User, AppError> {
    let username = username.trim();
    let attempt_actor = |u: Option<&User>| Actor {
        user: username.to_owned(),
        department: u.map(|u| u.department.code().to_owned()).unwrap_or_default(),
        role: u.map(|u| u.role.code().to_owned()).unwrap_or_default(),
        ip: ip.clone(),
    };
    let refuse = |note: &str, u: Option<&User>| {
        AuditDraft::new(&attempt_actor(u), "session.sign_in_failed", "user", username).note(note)
    };
    let user = store.user_by_username(username).await?;
    let mut tx = store.begin().await?;
    let t = store.now_ms();
    let Some(user) = user.filter(|u| u.active) else {
        audit::append(&mut tx, refuse("未知或已停用的用户", None), store.now()).await?;
        lianjian_store::commit(tx).await?;
        return Err(AppError::SignInRefused("用户名或口令错误".into()));
    };
    if let Some(until) = user.locked_until.filter(|u| *u > t) {
        audit::append(&mut tx, refuse("账户锁定中", Some(&user)), store.now()).await?;
        lianjian_store::commit(tx).await?;
        return Err(AppError::SignInRefused(format!(
            "账户因多次口令错误已被锁定,请 {} 分钟后再试,或联系安全管理员解锁",
            minutes(until - t)
        )));
    }
    let hash = user.password_hash.clone();
    let pw = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if !ok {
        let failures = users::record_failure(&mut tx, user.id, t, settings.lockout_window_ms).await?;
        let message = if failures >= settings.lockout_threshold {
            users::lock_until(&mut tx, user.id, Some(t + settings.lockout_duration_ms)).await?;
            audit::append(&mut tx, refuse("口令错误,账户已锁定", Some(&user)), store.now()).await?;
            format!("口令连续错误 {failures} 次,账户已锁定 {} 分钟", minutes(settings.lockout_duration_ms))
        } else {
            audit::append(&mut tx, refuse("口令错误", Some(&user)), store.now()).await?;
            format!("用户名或口令错误(再错 {} 次将锁定账户)", settings.lockout_threshold - failures)
        };
        lianjian_store::commit(tx).await?;
        return Err(AppError::SignInRefused(message));
    }
    users::clear_failures(&mut tx, user.id).await?;
    if user.locked_until.is_some() {
        users::lock_until(&mut tx, user.id, None).await?;
    }
    audit::append(
        &mut tx,
        AuditDraft::new(&attempt_actor(Some(&user)), "session.sign_in", "user", username),
        store.now(),
    )
    .await?;
    lianjian_store::commit(tx).await?;
    Ok(user)
}

pub async fn sign_out(store: &Store, actor: &Actor, token_hash: &str) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    sessions::delete_session_in(&mut tx, token_hash).await?;
    audit::append(&mut tx, AuditDraft::new(actor, "session.sign_out", "user", &actor.user), store.now())
        .await?;
    lianjian_store::commit(tx).await?;
    Ok(())
}

/// Change one's own password (the old one must be right). Other sessions of the user end.
pub async fn change_password(
    store: &Store,
    settings: &Settings,
    actor: &Actor,
    user: &User,
    old: &str,
    new: &str,
) -> Result<(), AppError> {
    if !verify_password(old, &user.password_hash) {
        return Err(AppError::bad("old_password", "原口令不正确"));
    }
    if old == new {
        return Err(AppError::bad("new_password", "新口令不能与原口令相同"));
    }
    check_password_policy(new, settings.password_min_len)?;
    let hash = hash_password(new)?;
    let mut tx = store.begin().await?;
    users::set_password(&mut tx, user.id, &hash, false).await?;
    // The spec keeps passwords out of the log: the action alone is recorded.
    audit::append(
        &mut tx,
        AuditDraft::new(actor, "user.password_change", "user", &user.username),
        store.now(),
    )
    .await?;
    lianjian_store::commit(tx).await?;
    Ok(())
}

/// Security admin: lift a lockout.
pub async fn unlock(store: &Store, actor: &Actor, username: &str) -> Result<(), AppError> {
    let user = store.user_by_username(username).await?.ok_or_else(|| AppError::NotFound(username.into()))?;
    let mut tx = store.begin().await?;
    users::lock_until(&mut tx, user.id, None).await?;
    users::clear_failures(&mut tx, user.id).await?;
    audit::append(&mut tx, AuditDraft::new(actor, "user.unlock", "user", username), store.now()).await?;
    lianjian_store::commit(tx).await?;
    Ok(())
}

/// Security admin: enable or disable an account (accounts are never deleted).
pub async fn set_active(store: &Store, actor: &Actor, username: &str, active: bool) -> Result<(), AppError> {
    let user = store.user_by_username(username).await?.ok_or_else(|| AppError::NotFound(username.into()))?;
    let mut tx = store.begin().await?;
    users::set_active(&mut tx, user.id, active).await?;
    if !active {
        sessions::delete_sessions_of(&mut tx, user.id).await?;
    }
    let draft = AuditDraft::new(actor, if active { "user.enable" } else { "user.disable" }, "user", username)
        .before(json!({"active": user.active}))
        .after(json!({"active": active}));
    audit::append(&mut tx, draft, store.now()).await?;
    lianjian_store::commit(tx).await?;
    Ok(())
}

/// Create an API token for a user; returns the secret, which is shown once and stored only hashed.
pub async fn create_token(
    store: &Store,
    actor: &Actor,
    username: &str,
    label: &str,
) -> Result<String, AppError> {
    let user = store.user_by_username(username).await?.ok_or_else(|| AppError::NotFound(username.into()))?;
    let secret = format!("ljt_{}", random_token());
    let mut tx = store.begin().await?;
    let id =
        sessions::insert_api_token(&mut tx, user.id, &token_hash(&secret), label, store.now_ms()).await?;
    let draft = AuditDraft::new(actor, "token.create", "api_token", id.to_string())
        .after(json!({"user": username, "label": label}));
    audit::append(&mut tx, draft, store.now()).await?;
    lianjian_store::commit(tx).await?;
    Ok(secret)
}

pub async fn revoke_token(store: &Store, actor: &Actor, id: i64) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    if !sessions::revoke_api_token(&mut tx, id, store.now_ms()).await? {
        return Err(AppError::NotFound(format!("令牌 {id} 不存在或已吊销")));
    }
    audit::append(&mut tx, AuditDraft::new(actor, "token.revoke", "api_token", id.to_string()), store.now())
        .await?;
    lianjian_store::commit(tx).await?;
    Ok(())
}
