//! Accounts and sessions 账户与会话: creating users, signing in and out, passwords, lockouts, API
//! tokens. Each change and its audit entry are written in one transaction; every sign-in attempt is
//! audited with its address.

use std::sync::OnceLock;

use lianjian_domain::org::{Department, Role};
use lianjian_domain::security::SecurityPolicy;
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::sessions::SessionRow;
use lianjian_store::users::{self, NewUser, User};
use lianjian_store::{sessions, Tx};
use serde_json::json;

use crate::password::{check_password_policy, hash_password, random_token, token_hash, verify_password};
use crate::{App, Error, Result};

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

/// A successful sign-in, with the failed attempts on the account since the last success (shown to
/// the user now, never to whoever is guessing).
pub struct SignedIn {
    pub user: User,
    pub failures_before: i64,
}

/// A session just started: the cookie's secret (shown once) and its CSRF token.
pub struct NewSession {
    pub token: String,
    pub csrf: String,
}

/// The one answer to a failed sign-in, whether the account exists or not (no enumeration).
const REFUSED: &str = "用户名或口令错误";

fn minutes(ms: i64) -> i64 {
    (ms + 59_999) / 60_000
}

/// A hash to verify against when the username is unknown, so that an unknown and a known account
/// cost the same work and cannot be told apart by time.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password("未知账户的比对口令-Lianjian").unwrap_or_default())
}

async fn verify_blocking(password: &str, hash: &str) -> Result<bool> {
    let (pw, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| Error::Internal(e.to_string()))
}

fn check_new_account(acc: &NewAccount) -> Result<(String, Option<String>)> {
    let username = acc.username.trim().to_owned();
    if username.is_empty()
        || username.len() > 64
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(Error::invalid(
            "username",
            "bad_username",
            "用户名只能由字母、数字和 - _ . 组成,长度 1–64",
        ));
    }
    if !acc.role.allows_department(acc.department) {
        return Err(Error::invalid(
            "department",
            "role_department_mismatch",
            format!("角色“{}”不能属于部门“{}”", acc.role.zh(), acc.department.zh()),
        ));
    }
    let uscc = match (acc.role, &acc.institution_uscc) {
        (Role::Institution | Role::Feed, Some(u)) => Some(
            lianjian_domain::uscc::Uscc::parse(u)
                .map_err(|e| Error::invalid("institution", "bad_uscc", e.to_string()))?
                .as_str()
                .to_owned(),
        ),
        (Role::Institution, None) => {
            return Err(Error::invalid("institution", "institution_required", "机构用户必须绑定一个机构"))
        }
        (_, Some(_)) => {
            return Err(Error::invalid(
                "institution",
                "institution_not_allowed",
                "只有机构用户和报告推送系统账户可以绑定机构",
            ))
        }
        (_, None) => None,
    };
    Ok((username, uscc))
}

impl App {
    /// Create an account (system administrator, the CLI, the demo); audited as `user.create`.
    pub async fn create_user(&self, actor: &Actor, acc: NewAccount) -> Result<i64> {
        let (username, uscc) = check_new_account(&acc)?;
        check_password_policy(&acc.password, self.policy().await?.password_min_len)?;
        let hash = hash_password(&acc.password)?;
        let store = self.store();
        let mut tx = store.begin().await?;
        let new = NewUser {
            username: username.clone(),
            display_name: acc.display_name.clone(),
            department: acc.department,
            role: acc.role,
            institution_uscc: uscc.clone(),
            password_hash: hash,
            must_change_password: acc.must_change_password,
        };
        let id = users::insert(&mut tx, &new, store.now_ms()).await.map_err(|e| match e {
            lianjian_store::StoreError::Conflict(_) => {
                Error::Conflict(lianjian_domain::invalid::Invalid::field(
                    "username",
                    "username_taken",
                    format!("用户名 {username} 已被使用"),
                ))
            }
            other => other.into(),
        })?;
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

    /// Count a wrong password against `user`: lock the account at the threshold. Returns whether it
    /// is now locked. Audited with `draft`.
    async fn count_failure(
        &self,
        tx: &mut Tx,
        policy: &SecurityPolicy,
        user: &User,
        draft: AuditDraft,
    ) -> Result<bool> {
        let store = self.store();
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
    pub async fn sign_in(&self, username: &str, password: &str, ip: Option<String>) -> Result<SignedIn> {
        let store = self.store();
        let policy = self.policy().await?;
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
            let recent = store.address_failures(address, t - policy.address_window_ms).await?;
            if recent >= policy.address_failures {
                let mut tx = store.begin().await?;
                audit::append(&mut tx, attempt(None).note("来源地址登录失败次数过多,暂停登录"), store.now())
                    .await?;
                lianjian_store::commit(tx).await?;
                return Err(Error::Throttled(format!(
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
            return Err(Error::SignInRefused(REFUSED.into()));
        };
        let locked_until = user.locked_until.filter(|u| *u > t);
        match (ok, locked_until) {
            (true, Some(until)) => {
                // Only someone who knows the password learns that the account is locked.
                audit::append(&mut tx, attempt(Some(&user)).note("账户锁定中(口令正确)"), store.now())
                    .await?;
                lianjian_store::commit(tx).await?;
                Err(Error::SignInRefused(format!(
                    "账户因多次口令错误已被锁定,请 {} 分钟后再试,或联系安全管理员解锁",
                    minutes(until - t)
                )))
            }
            (false, Some(_)) => {
                audit::append(&mut tx, attempt(Some(&user)).note("账户锁定中(口令错误)"), store.now())
                    .await?;
                lianjian_store::commit(tx).await?;
                Err(Error::SignInRefused(REFUSED.into()))
            }
            (false, None) => {
                self.count_failure(&mut tx, &policy, &user, attempt(Some(&user))).await?;
                lianjian_store::commit(tx).await?;
                Err(Error::SignInRefused(REFUSED.into()))
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

    /// Start a session for a user who just signed in (the sign-in itself was audited).
    pub async fn start_session(&self, user: &User, ip: Option<&str>) -> Result<NewSession> {
        let (token, csrf) = (random_token(), random_token());
        let store = self.store();
        store.create_session(&token_hash(&token), user.id, &csrf, store.now_ms(), ip).await?;
        Ok(NewSession { token, csrf })
    }

    /// The user of a session cookie, if the session is alive: an idle one is ended and `None`; the
    /// session is touched at most once a minute (a write on every request would serialise reads).
    pub async fn session_user(&self, token: &str) -> Result<Option<(SessionRow, User)>> {
        let store = self.store();
        let now = store.now_ms();
        let hash = token_hash(token);
        let Some(session) = store.session(&hash).await? else { return Ok(None) };
        if now - session.last_seen > self.policy().await?.idle_timeout_ms {
            store.delete_session(&hash).await?;
            return Ok(None);
        }
        let Some(user) = store.user_by_id(session.user_id).await?.filter(|u| u.active) else {
            store.delete_session(&hash).await?;
            return Ok(None);
        };
        if now - session.last_seen > 60_000 {
            store.touch_session(&hash, now).await?;
        }
        Ok(Some((session, user)))
    }

    /// The active user of an API token, if it is valid.
    pub async fn token_user(&self, token: &str) -> Result<Option<User>> {
        let store = self.store();
        let Some(id) = store.api_token_user(&token_hash(token)).await? else { return Ok(None) };
        Ok(store.user_by_id(id).await?.filter(|u| u.active))
    }

    /// End a session; audited as `session.sign_out`.
    pub async fn sign_out(&self, actor: &Actor, token_hash: &str) -> Result<()> {
        let store = self.store();
        let mut tx = store.begin().await?;
        sessions::delete_session_in(&mut tx, token_hash).await?;
        audit::append(&mut tx, AuditDraft::new(actor, "session.sign_out", "user", &actor.user), store.now())
            .await?;
        lianjian_store::commit(tx).await?;
        Ok(())
    }

    /// Change one's own password (the old one must be right; a wrong one counts toward the lockout
    /// like a failed sign-in). The user's other sessions end; the one that made the change (`keep`)
    /// stays, and API tokens, which are not sessions, are left alone.
    pub async fn change_password(
        &self,
        actor: &Actor,
        user: &User,
        passwords: (&str, &str),
        keep: Option<&str>,
    ) -> Result<()> {
        let store = self.store();
        let policy = self.policy().await?;
        let (old, new) = passwords;
        if !verify_blocking(old, &user.password_hash).await? {
            let mut tx = store.begin().await?;
            if let Some(address) = actor.ip.as_deref() {
                users::record_address_failure(&mut tx, address, store.now_ms()).await?;
            }
            let draft = AuditDraft::new(actor, "user.password_change_failed", "user", &user.username);
            let locked = self.count_failure(&mut tx, &policy, user, draft).await?;
            if locked {
                // Whoever is guessing at an open session's password loses the session with the lock.
                sessions::delete_sessions_of(&mut tx, user.id).await?;
            }
            lianjian_store::commit(tx).await?;
            return Err(if locked {
                Error::SignInRefused(
                    "原口令连续错误次数过多,账户已锁定,请稍后重新登录或联系安全管理员".into(),
                )
            } else {
                Error::invalid("old_password", "wrong_old_password", "原口令不正确")
            });
        }
        if old == new {
            return Err(Error::invalid("new_password", "password_unchanged", "新口令不能与原口令相同"));
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

    /// End idle sessions and forget address failures outside the throttle's window (the sweeper;
    /// both are refused or ignored on use anyway, this keeps the tables small).
    pub async fn sweep(&self) -> Result<()> {
        let store = self.store();
        let policy = self.policy().await?;
        let now = store.now_ms();
        store.expire_sessions(now, policy.idle_timeout_ms).await?;
        store.prune_address_failures(now - policy.address_window_ms).await?;
        Ok(())
    }

    /// Every account, for the administrators' pages.
    pub async fn users(&self) -> Result<Vec<User>> {
        Ok(self.store().users().await?)
    }

    /// API tokens (secrets are never kept), for the security administrator's page.
    pub async fn api_tokens(&self) -> Result<Vec<lianjian_store::sessions::ApiToken>> {
        Ok(self.store().api_tokens().await?)
    }

    async fn existing_user(&self, username: &str) -> Result<User> {
        self.store()
            .user_by_username(username)
            .await?
            .ok_or_else(|| Error::NotFound(format!("账户 {username} 不存在")))
    }

    /// Security administrator: lift a lockout; audited as `user.unlock`.
    pub async fn unlock(&self, actor: &Actor, username: &str) -> Result<()> {
        let user = self.existing_user(username).await?;
        let store = self.store();
        let mut tx = store.begin().await?;
        users::lock_until(&mut tx, user.id, None).await?;
        users::clear_failures(&mut tx, user.id).await?;
        audit::append(&mut tx, AuditDraft::new(actor, "user.unlock", "user", username), store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(())
    }

    /// Security administrator: enable or disable an account (accounts are never deleted); a disabled
    /// account's sessions end. Audited as `user.enable` / `user.disable`.
    pub async fn set_active(&self, actor: &Actor, username: &str, active: bool) -> Result<()> {
        if username == actor.user {
            return Err(Error::invalid("username", "self_disable", "不能停用自己的账户"));
        }
        let user = self.existing_user(username).await?;
        let store = self.store();
        let mut tx = store.begin().await?;
        users::set_active(&mut tx, user.id, active).await?;
        if !active {
            sessions::delete_sessions_of(&mut tx, user.id).await?;
        }
        let action = if active { "user.enable" } else { "user.disable" };
        let draft = AuditDraft::new(actor, action, "user", username)
            .before(json!({"active": user.active}))
            .after(json!({"active": active}));
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(())
    }

    /// Create an API token for a user; returns the secret, which is shown once and stored only
    /// hashed. Audited as `token.create`.
    pub async fn create_token(&self, actor: &Actor, username: &str, label: &str) -> Result<String> {
        let label = label.trim();
        if label.is_empty() {
            return Err(Error::invalid("label", "label_required", "请填写令牌用途"));
        }
        let user = self.existing_user(username.trim()).await?;
        let secret = format!("ljt_{}", random_token());
        let store = self.store();
        let mut tx = store.begin().await?;
        let id =
            sessions::insert_api_token(&mut tx, user.id, &token_hash(&secret), label, store.now_ms()).await?;
        let draft = AuditDraft::new(actor, "token.create", "api_token", id.to_string())
            .after(json!({"user": user.username, "label": label}));
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(secret)
    }

    /// Revoke an API token; audited as `token.revoke`.
    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<()> {
        let store = self.store();
        let mut tx = store.begin().await?;
        if !sessions::revoke_api_token(&mut tx, id, store.now_ms()).await? {
            return Err(Error::NotFound(format!("令牌 {id} 不存在或已吊销")));
        }
        audit::append(
            &mut tx,
            AuditDraft::new(actor, "token.revoke", "api_token", id.to_string()),
            store.now(),
        )
        .await?;
        lianjian_store::commit(tx).await?;
        Ok(())
    }
}
