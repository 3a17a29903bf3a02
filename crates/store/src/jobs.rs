//! The job queue 后台任务队列 in the database, shared by every worker of every server process.
//!
//! Why in the database: a city runs several stateless processes behind a load balancer; whichever
//! process took the upload, any process may run its check, and a process that dies mid-job must not
//! lose it. The same SQL runs on SQLite and PostgreSQL.
//!
//! - **Enqueue** inside the caller's transaction ([`enqueue`]), so a job exists exactly when the
//!   change that needs it committed.
//! - **Claim** ([`Store::claim_job`]): pick candidate ids, then `UPDATE … WHERE id = $1 AND
//!   state = 'queued'`; the row count says whether this worker won. Two workers racing for one job
//!   both run the UPDATE; the database serialises them and only the first sees `state = 'queued'`.
//!   The claim sets a lease (`locked_until`).
//! - **Stale leases**: a running job whose lease ran out (its worker died or hung) is put back in
//!   the queue by the next claim, or marked failed once it has used all its attempts.
//! - **Finish** ([`finish_in`]) inside the transaction that records the job's result, conditional on
//!   the lease still being this worker's — so a worker whose lease was taken over cannot apply a
//!   result twice. **Fail** ([`Store::fail_job`]) retries with back-off until `max_attempts`.

use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, Store};

/// Job states.
pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// Attempts before a job is marked failed.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 3;

/// A job as a worker sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: Value,
    pub state: String,
    /// Attempts started so far, this one included.
    pub attempts: i64,
    pub max_attempts: i64,
    pub locked_by: Option<String>,
    pub locked_until: Option<i64>,
    pub run_after: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

const COLUMNS: &str =
    "id, kind, payload, state, attempts, max_attempts, locked_by, locked_until, run_after, \
                       last_error, created_at, finished_at";

fn job_of(r: &AnyRow) -> Result<Job> {
    let payload: String = r.try_get(2)?;
    Ok(Job {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
        state: r.try_get(3)?,
        attempts: r.try_get(4)?,
        max_attempts: r.try_get(5)?,
        locked_by: r.try_get(6)?,
        locked_until: r.try_get(7)?,
        run_after: r.try_get(8)?,
        last_error: r.try_get(9)?,
        created_at: r.try_get(10)?,
        finished_at: r.try_get(11)?,
    })
}

/// Queue a job inside the caller's transaction; returns its id.
pub async fn enqueue(conn: &mut AnyConnection, kind: &str, payload: &Value, now: i64) -> Result<i64> {
    enqueue_with(conn, kind, payload, now, DEFAULT_MAX_ATTEMPTS).await
}

/// [`enqueue`] with an explicit attempt limit (at least 1).
pub async fn enqueue_with(
    conn: &mut AnyConnection,
    kind: &str,
    payload: &Value,
    now: i64,
    max_attempts: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_after, created_at) \
         VALUES ($1, $2, 'queued', 0, $3, $4, $4) RETURNING id",
    )
    .bind(kind)
    .bind(payload.to_string())
    .bind(max_attempts.max(1))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Mark a claimed job done inside the transaction that records its result. `false` when the lease
/// is no longer `worker`'s (it ran out and another worker took the job): roll back then.
pub async fn finish_in(conn: &mut AnyConnection, id: i64, worker: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'done', finished_at = $1, locked_by = NULL, locked_until = NULL, last_error = NULL \
         WHERE id = $2 AND state = 'running' AND locked_by = $3",
    )
    .bind(now)
    .bind(id)
    .bind(worker)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Mark a claimed job failed for good inside the transaction that records why — a result that
/// running the job again would not change. `false` when the lease is no longer `worker`'s.
pub async fn fail_in(conn: &mut AnyConnection, id: i64, worker: &str, error: &str, now: i64) -> Result<bool> {
    let failed = sqlx::query(
        "UPDATE jobs SET state = 'failed', finished_at = $1, locked_by = NULL, locked_until = NULL, last_error = $2 \
         WHERE id = $3 AND state = 'running' AND locked_by = $4",
    )
    .bind(now)
    .bind(error)
    .bind(id)
    .bind(worker)
    .execute(&mut *conn)
    .await?;
    Ok(failed.rows_affected() == 1)
}

impl Store {
    /// Queue a job in its own transaction (see [`enqueue`]).
    pub async fn enqueue_job(&self, kind: &str, payload: &Value, max_attempts: i64) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = enqueue_with(&mut tx, kind, payload, self.now_ms(), max_attempts).await?;
        crate::commit(tx).await?;
        Ok(id)
    }

    /// Claim the oldest ready job for `worker` with a lease of `lease_ms`; `None` when there is none.
    /// First puts jobs with run-out leases back in the queue (or fails them when out of attempts).
    pub async fn claim_job(&self, worker: &str, now: i64, lease_ms: i64) -> Result<Option<Job>> {
        self.release_stale_jobs(now).await?;
        let candidates: Vec<i64> = sqlx::query(
            "SELECT id FROM jobs WHERE state = 'queued' AND run_after <= $1 ORDER BY run_after, id LIMIT 8",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
        for id in candidates {
            // The conditional UPDATE is the claim: of several workers, only one sees state = 'queued'.
            let won = sqlx::query(
                "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1 \
                 WHERE id = $3 AND state = 'queued'",
            )
            .bind(worker)
            .bind(now + lease_ms)
            .bind(id)
            .execute(self.pool())
            .await?;
            if won.rows_affected() == 1 {
                return self.job(id).await;
            }
        }
        Ok(None)
    }

    /// Running jobs whose lease ran out: back to the queue while attempts remain, else failed.
    async fn release_stale_jobs(&self, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE jobs SET state = 'failed', finished_at = $1, locked_by = NULL, locked_until = NULL, \
             last_error = COALESCE(last_error, '') || '[处理超时,已达最大尝试次数]' \
             WHERE state = 'running' AND locked_until < $1 AND attempts >= max_attempts",
        )
        .bind(now)
        .execute(self.pool())
        .await?;
        sqlx::query(
            "UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL, run_after = $1, \
             last_error = '[处理超时,重新排队]' \
             WHERE state = 'running' AND locked_until < $1 AND attempts < max_attempts",
        )
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Extend the lease of a running job (long checks); `false` when it is no longer `worker`'s.
    pub async fn extend_job_lease(&self, id: i64, worker: &str, until: i64) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE jobs SET locked_until = $1 WHERE id = $2 AND state = 'running' AND locked_by = $3",
        )
        .bind(until)
        .bind(id)
        .bind(worker)
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Mark a claimed job done in its own transaction (see [`finish_in`]).
    pub async fn finish_job(&self, id: i64, worker: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let ok = finish_in(&mut tx, id, worker, self.now_ms()).await?;
        crate::commit(tx).await?;
        Ok(ok)
    }

    /// An attempt failed: queue the job again after `backoff_ms × attempts`, or mark it failed when
    /// it has used all its attempts. Returns the job's new state (`None` if it was not `worker`'s).
    pub async fn fail_job(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        now: i64,
        backoff_ms: i64,
    ) -> Result<Option<String>> {
        let r = sqlx::query(
            "UPDATE jobs SET \
               state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, \
               finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END, \
               run_after = $1 + $2 * attempts, \
               locked_by = NULL, locked_until = NULL, last_error = $3 \
             WHERE id = $4 AND state = 'running' AND locked_by = $5",
        )
        .bind(now)
        .bind(backoff_ms)
        .bind(error)
        .bind(id)
        .bind(worker)
        .execute(self.pool())
        .await?;
        if r.rows_affected() != 1 {
            return Ok(None);
        }
        Ok(self.job(id).await?.map(|j| j.state))
    }

    pub async fn job(&self, id: i64) -> Result<Option<Job>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM jobs WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(job_of).transpose()
    }

    /// Jobs of a kind, newest first (operators' view).
    pub async fn jobs(&self, kind: &str, limit: i64) -> Result<Vec<Job>> {
        let rows =
            sqlx::query(&format!("SELECT {COLUMNS} FROM jobs WHERE kind = $1 ORDER BY id DESC LIMIT $2"))
                .bind(kind)
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(job_of).collect()
    }
}
