//! Account operations shared by the web edge and the operator CLI. Each change and its audit entry
//! are written in one transaction.

use lianjian_domain::org::{Department, Role};
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::users::{self, NewUser, User};
use lianjian_store::{sessions, Store};
use serde_json::json;

use std::sync::OnceLock;

use lianjian_domain::security::SecurityPolicy;

use crate::auth::{check_password_policy, hash_password, random_token, token_hash, verify_password};
use crate::error::AppError;

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
    policy: &SecurityPolicy,
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
        (Role::Institution | Role::Feed, Some(u)) => Some(
            lianjian_domain::uscc::Uscc::parse(u)
                .map_err(|e| AppError::bad("institution", e.to_string()))?
                .as_str()
                .to_owned(),
        ),
        (Role::Institution, None) => return Err(AppError::bad("institution", "机构用户必须绑定一个机构")),
        (_, Some(_)) => {
            return Err(AppError::bad("institution", "只有机构用户和报告推送系统账户可以绑定机构"))
        }
        (_, None) => None,
    };
    check_password_policy(&acc.password, policy.password_min_len)?;
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

/// The one answer to a failed sign-in, whether the account exists or not (no enumeration).
const REFUSED: &str = "用户名或口令错误";

/// A hash to verify against when the username is unknown, so that an unknown and a known account
/// cost the same work and cannot be told apart by time.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password("未知账户的比对口令-Lianjian").unwrap_or_default())
}

async fn verify_blocking(password: &str, hash: &str) -> Result<bool, AppError> {
    let (pw, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// A successful sign-in, with the failed attempts on the account since the last success (shown to
/// the user now, never to whoever is guessing).
pub struct SignedIn {
    pub user: User,
    pub failures_before: i64,
}

/// Count a wrong password against `user` (and its address): lock the account at the threshold.
/// Returns whether it is now locked. Audited with `note`.
async fn count_failure(
    store: &Store,
    tx: &mut lianjian_store::Tx,
    policy: &SecurityPolicy,
    user: &User,
    draft: AuditDraft,
) -> Result<bool, AppError> {
    let t = store.now_ms();
    let failures = users::record_failure(tx, user.id, t, policy.lockout_window_ms).await?;
    let locked = failures >= policy.lockout_threshold;
    if locked {
        users::lock_until(tx, user.id, Some(t + policy.lockout_duration_ms)).await?;
    }
    let note = if locked { "口令错误,账户已锁定" } else { "口令错误" };
    let draft = draft.after(json!({"failures_in_window": failures})).note(note);
    audit::append(tx, draft, store.now()).await?;
    Ok(locked)
}

/// Sign in: argon2id check; a throttle per source address in front of the per-account lockout;
/// every attempt audited with its address. Unknown and known accounts get the same answer after
/// the same work; how many tries are left is never told to the one trying.
pub async fn sign_in(
    store: &Store,
    policy: &SecurityPolicy,
    username: &str,
    password: &str,
    ip: Option<String>,
) -> Result<SignedIn, AppError> {
    let username = username.trim();
    let attempt_actor = |u: Option<&User>| Actor {
        user: username.to_owned(),
        department: u.map(|u| u.department.code().to_owned()).unwrap_or_default(),
        role: u.map(|u| u.role.code().to_owned()).unwrap_or_default(),
        ip: ip.clone(),
    };
    let attempt =
        |u: Option<&User>| AuditDraft::new(&attempt_actor(u), "session.sign_in_failed", "user", username);
    let t = store.now_ms();
    if let Some(address) = ip.as_deref() {
        let mut conn = store.pool().acquire().await.map_err(lianjian_store::StoreError::from)?;
        let recent = users::address_failures(&mut conn, address, t - policy.address_window_ms).await?;
        drop(conn);
        if recent >= policy.address_failures {
            let mut tx = store.begin().await?;
            audit::append(&mut tx, attempt(None).note("来源地址登录失败次数过多,暂停登录"), store.now())
                .await?;
            lianjian_store::commit(tx).await?;
            return Err(AppError::TooManyAttempts(format!(
                "来自您所在网络地址的登录失败次数过多,请 {} 分钟后再试",
                minutes(policy.address_window_ms)
            )));
        }
    }
    let user = store.user_by_username(username).await?.filter(|u| u.active);
    let hash = user.as_ref().map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let ok = verify_blocking(password, &hash).await? && user.is_some();
    let mut tx = store.begin().await?;
    if !ok {
        if let Some(address) = ip.as_deref() {
            users::record_address_failure(&mut tx, address, t).await?;
        }
    }
    let Some(user) = user else {
        audit::append(&mut tx, attempt(None).note("未知或已停用的用户"), store.now()).await?;
        lianjian_store::commit(tx).await?;
        return Err(AppError::SignInRefused(REFUSED.into()));
    };
    let locked_until = user.locked_until.filter(|u| *u > t);
    match (ok, locked_until) {
        (true, Some(until)) => {
            // Only someone who knows the password learns that the account is locked.
            audit::append(&mut tx, attempt(Some(&user)).note("账户锁定中(口令正确)"), store.now()).await?;
            lianjian_store::commit(tx).await?;
            Err(AppError::SignInRefused(format!(
                "账户因多次口令错误已被锁定,请 {} 分钟后再试,或联系安全管理员解锁",
                minutes(until - t)
            )))
        }
        (false, Some(_)) => {
            audit::append(&mut tx, attempt(Some(&user)).note("账户锁定中(口令错误)"), store.now()).await?;
            lianjian_store::commit(tx).await?;
            Err(AppError::SignInRefused(REFUSED.into()))
        }
        (false, None) => {
            count_failure(store, &mut tx, policy, &user, attempt(Some(&user))).await?;
            lianjian_store::commit(tx).await?;
            Err(AppError::SignInRefused(REFUSED.into()))
        }
        (true, None) => {
            let failures_before = users::failures_since(&mut tx, user.id, 0).await?;
            users::clear_failures(&mut tx, user.id).await?;
            if user.locked_until.is_some() {
                users::lock_until(&mut tx, user.id, None).await?;
            }
            let draft = AuditDraft::new(&attempt_actor(Some(&user)), "session.sign_in", "user", username);
            audit::append(&mut tx, draft, store.now()).await?;
            lianjian_store::commit(tx).await?;
            Ok(SignedIn { user, failures_before })
        }
    }
}

pub async fn sign_out(store: &Store, actor: &Actor, token_hash: &str) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    sessions::delete_session_in(&mut tx, token_hash).await?;
    audit::append(&mut tx, AuditDraft::new(actor, "session.sign_out", "user", &actor.user), store.now())
        .await?;
    lianjian_store::commit(tx).await?;
    Ok(())
}

/// Change one's own password (the old one must be right; a wrong one counts toward the lockout like
/// a failed sign-in). The user's other sessions end; the one that made the change (`keep`) stays,
/// and API tokens, which are not sessions, are left alone.
pub async fn change_password(
    store: &Store,
    policy: &SecurityPolicy,
    actor: &Actor,
    user: &User,
    passwords: (&str, &str),
    keep: Option<&str>,
) -> Result<(), AppError> {
    let (old, new) = passwords;
    if !verify_blocking(old, &user.password_hash).await? {
        let mut tx = store.begin().await?;
        if let Some(address) = actor.ip.as_deref() {
            users::record_address_failure(&mut tx, address, store.now_ms()).await?;
        }
        let draft = AuditDraft::new(actor, "user.password_change_failed", "user", &user.username);
        let locked = count_failure(store, &mut tx, policy, user, draft).await?;
        if locked {
            // Whoever is guessing at an open session's password loses the session with the lock.
            sessions::delete_sessions_of(&mut tx, user.id).await?;
        }
        lianjian_store::commit(tx).await?;
        return Err(if locked {
            AppError::SignInRefused("原口令连续错误次数过多,账户已锁定,请稍后重新登录或联系安全管理员".into())
        } else {
            AppError::bad("old_password", "原口令不正确")
        });
    }
    if old == new {
        return Err(AppError::bad("new_password", "新口令不能与原口令相同"));
    }
    check_password_policy(new, policy.password_min_len)?;
    let hash = hash_password(new)?;
    let mut tx = store.begin().await?;
    users::set_password(&mut tx, user.id, &hash, false).await?;
    let ended = sessions::delete_other_sessions(&mut tx, user.id, keep).await?;
    // The spec keeps passwords out of the log: the action alone is recorded.
    let draft = AuditDraft::new(actor, "user.password_change", "user", &user.username)
        .after(json!({"other_sessions_ended": ended}));
    audit::append(&mut tx, draft, store.now()).await?;
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
