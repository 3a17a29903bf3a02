//! Partner-department lists 协作部门机构名单 (R11): reporting periods, their deadlines, and whether a
//! department submitted on time, late, or not at all.
//!
//! The work plan (三(五) 完善信息共享) says the departments send the market regulator, "每年1月31日和
//! 6月30日前 … 分别报送上一年度和半年度" lists of the institutions doing their enforcement and
//! government-commissioned monitoring. So there are two kinds of period:
//!
//! | Period   | Code     | Covers               | Due (plan date)     |
//! |----------|----------|----------------------|---------------------|
//! | yearly   | `2025`   | all of 2025          | 2026-01-31          |
//! | half-year| `2025H1` | the first half, 2025 | 2025-06-30          |
//!
//! **No `H2`.** The plan has no deadline for a second-half list: the yearly list, due 31 January
//! of the next year, covers the second half. `2025H2` is refused with a sentence saying so rather
//! than invented.
//!
//! **When the due date is not a working day** it moves to the next working day on the official
//! calendar — the rule of Chinese law for 期间 (民法典 第二百零三条: "期间的最后一日是法定休假日的,以
//! 法定休假日结束的次日为期间的最后一日"; likewise 民事诉讼法 第八十五条, 行政诉讼法 第五十一条). The plan's
//! date is kept as [`Period::due_date`]; the moved one is the *deadline* ([`deadline`]). Example:
//! the `2024` list was due Friday 2025-01-31, inside the Spring Festival holiday (1-28 … 2-04), so
//! the deadline is Wednesday 2025-02-05; the `2025` list is due Saturday 2026-01-31, deadline Monday
//! 2026-02-02.
//!
//! **Days overdue** are working days counted with [`Calendar::working_days_between`] from the
//! deadline (excluded) to the submission day or to today (included): a list sent the first working
//! day after the deadline is 1 working day late. A list sent on a non-working day right after the
//! deadline is late by 0 working days — still late, so the state carries `late` apart from the count.
//!
//! **Which submission counts for timeliness:** the first one. A department that met the deadline and
//! later sent a corrected version was on time; the corrected version's rows are the list in force.

mod period;
mod rows;
mod state;

pub use period::{Period, PeriodError, PeriodKind, YEARS};
pub use rows::{
    reporting_departments, rows_with_problems, single_period, validate_rows, Commission, FileProblem,
    PartnerListRow, RowProblem, UploadedRow,
};
pub use state::{deadline, submission_state, SubmissionState};
