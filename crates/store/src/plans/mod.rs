//! Storage of joint random-inspection plans 联合抽查计划, their draws, tasks 检查任务 and the hand-set
//! credit grades 信用等级 that stratify them (R4, R7, R8): SQL only.
//!
//! The types and rules are `lianjian_domain::plans`; the use cases that validate, apply the rules,
//! write through the functions here inside one transaction and append their audit entry are
//! `lianjian_app::plans`. Reads are methods on [`Store`](crate::Store) (and `*_in` functions for a
//! read inside the caller's transaction); writes are functions that take the caller's transaction and
//! values already checked, and neither validate nor audit. Rows are mapped to domain types in one
//! place ([`rows`]).

mod query;
mod rows;
mod write;

pub use query::{
    current_record_in, grades_on_in, inputs_in, max_version_in, plan_codes_in, plan_in, pool_names_in,
    TaskFilter,
};
pub use write::{
    insert_grade, insert_record, insert_task, insert_version, link_inspector, mark_drawn, replace_member,
    set_commitment, set_draw_error, set_value, store_freeze, supersede, NewTask,
};
