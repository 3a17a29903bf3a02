//! Effective-dated parameters, especially the 2026-01-01 switch.

use lianjian_domain::params::{Confidence, Override, ParamError, ParamKey, ParamSet, Unit, REFORM_2026};
use time::macros::date;

#[test]
fn signatory_experience_switches_from_3_to_6_years_on_2026_01_01() {
    let p = ParamSet::defaults();
    assert_eq!(p.value_on(ParamKey::SignatoryExperienceYears, date!(2025 - 12 - 31)), 3);
    assert_eq!(p.value_on(ParamKey::SignatoryExperienceYears, date!(2026 - 01 - 01)), 6);
    assert_eq!(p.value_on(ParamKey::SignatoryExperienceYears, date!(2030 - 06 - 01)), 6);
}

#[test]
fn intermediate_title_share_switches_from_150_to_250_permille_on_2026_01_01() {
    let p = ParamSet::defaults();
    assert_eq!(p.value_on(ParamKey::IntermediateTitleSharePermille, date!(2025 - 12 - 31)), 150);
    assert_eq!(p.value_on(ParamKey::IntermediateTitleSharePermille, REFORM_2026), 250);
    assert_eq!(ParamKey::IntermediateTitleSharePermille.info().unit, Unit::Permille);
}

#[test]
fn listed_defaults_from_law_md() {
    let p = ParamSet::defaults();
    let d = date!(2026 - 03 - 01);
    let expected = [
        (ParamKey::PenaltyPublicityDeadline, 7),
        (ParamKey::EnterpriseInfoPublicityDeadline, 20),
        (ParamKey::SpotCheckResultPublicityDeadline, 20),
        (ParamKey::MinInspectorsPerInspection, 2),
        (ParamKey::InspectionCapPerYear, 2),
        (ParamKey::CertificateValidityYears, 6),
        (ParamKey::CertificateRenewalLeadMonths, 3),
        (ParamKey::MinSamplers, 2),
        (ParamKey::StaffMinimum, 20),
        (ParamKey::LoginLockoutFailures, 5),
        (ParamKey::LoginLockoutWindowMinutes, 15),
        (ParamKey::LoginLockoutMinutes, 15),
        (ParamKey::SessionIdleTimeoutMinutes, 30),
        (ParamKey::PasswordMinLength, 8),
        (ParamKey::DrawRatioGradeA, 20),
        (ParamKey::DrawRatioGradeB, 50),
        (ParamKey::DrawRatioGradeC, 100),
        (ParamKey::DrawRatioGradeD, 300),
        (ParamKey::DrawRatioGradeE, 1000),
        (ParamKey::RectificationDeadline, 20),
    ];
    for (k, v) in expected {
        assert_eq!(p.value_on(k, d), v, "{k:?}");
    }
}

#[test]
fn confidence_marks_follow_law_md() {
    assert_eq!(ParamKey::PenaltyPublicityDeadline.info().confidence, Confidence::Confirmed);
    assert_eq!(ParamKey::EnterpriseInfoPublicityDeadline.info().confidence, Confidence::Confirmed);
    assert_eq!(ParamKey::SpotCheckResultPublicityDeadline.info().confidence, Confidence::Unconfirmed);
    assert_eq!(ParamKey::CertificateValidityYears.info().confidence, Confidence::Secondary);
    assert_eq!(ParamKey::DrawRatioGradeE.info().confidence, Confidence::Unconfirmed);
    assert_eq!(ParamKey::RectificationDeadline.info().confidence, Confidence::Unconfirmed);
    assert_eq!(Confidence::Secondary.mark(), "[C*]");
}

#[test]
fn draw_ratios_rise_with_risk() {
    let p = ParamSet::defaults();
    let d = date!(2026 - 03 - 01);
    let ratios: Vec<i64> = [
        ParamKey::DrawRatioGradeA,
        ParamKey::DrawRatioGradeB,
        ParamKey::DrawRatioGradeC,
        ParamKey::DrawRatioGradeD,
        ParamKey::DrawRatioGradeE,
    ]
    .into_iter()
    .map(|k| p.value_on(k, d))
    .collect();
    assert!(ratios.windows(2).all(|w| w[0] < w[1]), "{ratios:?}");
}

#[test]
fn operator_overlay_newest_effective_from_not_after_day_wins() {
    let mut p = ParamSet::defaults();
    p.set(ParamKey::PenaltyPublicityDeadline, date!(2026 - 07 - 01), 5).unwrap();
    assert_eq!(p.value_on(ParamKey::PenaltyPublicityDeadline, date!(2026 - 06 - 30)), 7);
    assert_eq!(p.value_on(ParamKey::PenaltyPublicityDeadline, date!(2026 - 07 - 01)), 5);
    // An operator entry older than the 2026 default does not beat it after 2026-01-01.
    p.set(ParamKey::SignatoryExperienceYears, date!(2025 - 06 - 01), 4).unwrap();
    assert_eq!(p.value_on(ParamKey::SignatoryExperienceYears, date!(2025 - 05 - 31)), 3);
    assert_eq!(p.value_on(ParamKey::SignatoryExperienceYears, date!(2025 - 06 - 01)), 4);
    assert_eq!(p.value_on(ParamKey::SignatoryExperienceYears, date!(2026 - 01 - 01)), 6);
    // Same date as a default: operator wins; setting the same date again replaces.
    p.set(ParamKey::SignatoryExperienceYears, REFORM_2026, 5).unwrap();
    p.set(ParamKey::SignatoryExperienceYears, REFORM_2026, 7).unwrap();
    assert_eq!(p.value_on(ParamKey::SignatoryExperienceYears, date!(2026 - 01 - 02)), 7);
    assert_eq!(p.entry_on(ParamKey::SignatoryExperienceYears, date!(2026 - 01 - 02)), (REFORM_2026, 7, true));
    assert_eq!(p.overrides().len(), 3);
}

#[test]
fn before_the_earliest_entry_the_earliest_value_applies() {
    let p = ParamSet::defaults();
    assert_eq!(p.value_on(ParamKey::StaffMinimum, date!(2020 - 01 - 01)), 20);
}

#[test]
fn operator_values_are_validated() {
    let mut p = ParamSet::defaults();
    assert!(matches!(p.set(ParamKey::MinSamplers, REFORM_2026, -1), Err(ParamError::Negative { .. })));
    assert!(matches!(
        p.set(ParamKey::DrawRatioGradeE, REFORM_2026, 1001),
        Err(ParamError::PermilleTooLarge { .. })
    ));
    let o = Override { key: ParamKey::DrawRatioGradeA, effective_from: REFORM_2026, value: 0 };
    let p = ParamSet::with_overrides([o]).unwrap();
    assert_eq!(p.value_on(ParamKey::DrawRatioGradeA, REFORM_2026), 0);
}

#[test]
fn keys_round_trip_through_their_codes() {
    for &k in ParamKey::ALL {
        assert_eq!(ParamKey::from_code(k.code()), Some(k));
    }
    assert_eq!(ParamKey::from_code("nope"), None);
    assert_eq!(ParamKey::PenaltyPublicityDeadline.to_string(), "行政处罚信息公示期限");
}

#[test]
fn upload_caps_are_operational_settings_with_room_for_a_city_registry() {
    let p = ParamSet::defaults();
    let d = date!(2026 - 03 - 01);
    let caps = [
        (ParamKey::UploadMaxRows, 500_000, Unit::Rows),
        (ParamKey::UploadMaxColumns, 200, Unit::Columns),
        (ParamKey::UploadMaxCells, 4_000_000, Unit::Cells),
        (ParamKey::UploadMaxUnzippedMb, 200, Unit::Megabytes),
    ];
    for (k, v, unit) in caps {
        assert_eq!(p.value_on(k, d), v, "{k:?}");
        assert_eq!(k.info().unit, unit);
        assert_eq!(k.info().confidence, Confidence::Operational);
    }
    assert_eq!(Confidence::Operational.mark(), "[O]");
    assert_eq!(ParamKey::from_code("upload_max_unzipped_mb"), Some(ParamKey::UploadMaxUnzippedMb));
}
