//! Credit grades 信用等级: the strata of a draw. Until credit evaluation exists a grade is set by
//! hand, with its basis, from a day on; an institution nobody has graded is B.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::params::ParamKey;

/// Credit grade 信用等级, A (lowest risk) to E (highest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
    E,
}

impl Grade {
    pub const ALL: &'static [Grade] = &[Grade::A, Grade::B, Grade::C, Grade::D, Grade::E];
    /// The grade of an institution nobody has graded yet.
    pub const DEFAULT: Grade = Grade::B;

    pub fn code(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::E => "E",
        }
    }

    /// The parameter holding this stratum's draw ratio (permille).
    pub fn ratio_key(self) -> ParamKey {
        match self {
            Grade::A => ParamKey::DrawRatioGradeA,
            Grade::B => ParamKey::DrawRatioGradeB,
            Grade::C => ParamKey::DrawRatioGradeC,
            Grade::D => ParamKey::DrawRatioGradeD,
            Grade::E => ParamKey::DrawRatioGradeE,
        }
    }

    /// `A`–`E`, either case, surrounding spaces ignored.
    pub fn parse(s: &str) -> Option<Grade> {
        Grade::ALL.iter().copied().find(|g| g.code().eq_ignore_ascii_case(s.trim()))
    }
}

/// One version of an institution's grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeEntry {
    pub institution_uscc: String,
    pub grade: Grade,
    #[serde(with = "super::ymd_one")]
    pub valid_from: Date,
    pub basis: String,
    pub set_by: String,
}

#[cfg(test)]
mod tests {
    use super::Grade;

    #[test]
    fn grades_parse_in_either_case_and_serialize_as_their_code() {
        assert_eq!(Grade::parse(" c "), Some(Grade::C));
        assert_eq!(Grade::parse("F"), None);
        for g in Grade::ALL {
            assert_eq!(serde_json::to_value(g).unwrap(), g.code());
        }
    }
}
