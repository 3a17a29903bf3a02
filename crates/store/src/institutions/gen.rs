//! Deterministic registry corpus for the import benchmark and for tests: `n` institutions with
//! valid USCCs, one or two certificates each (every fifth has a renewal), `scope_per_institution`
//! scope rows, and a few signatories, staff, instruments and restrictions.

use lianjian_registry::{
    uscc, Category, Certificate, Institution, Instrument, Person, Restriction, ScopeEntry, Signatory,
    Snapshot, Staff, Status, StatusEntry,
};
use time::{Date, Duration, Month};

const PARAMETERS: &[(Category, &str, &str)] = &[
    (Category::Water, "化学需氧量", "HJ 828-2017"),
    (Category::Water, "氨氮", "HJ 535-2009"),
    (Category::Water, "总磷", "GB/T 11893-1989"),
    (Category::Water, "pH值", "HJ 1147-2020"),
    (Category::Water, "五日生化需氧量", "HJ 505-2009"),
    (Category::Air, "二氧化硫", "HJ 57-2017"),
    (Category::Air, "氮氧化物", "HJ 693-2014"),
    (Category::Air, "颗粒物", "HJ 836-2017"),
    (Category::Soil, "镉", "GB/T 17141-1997"),
    (Category::Soil, "铅", "HJ 491-2019"),
    (Category::Noise, "工业企业厂界环境噪声", "GB 12348-2008"),
    (Category::SolidWaste, "浸出毒性", "HJ/T 299-2007"),
];

/// A valid USCC for number `i` (`91310113MA` + 7 digits + check character).
pub fn uscc_for(i: usize) -> String {
    let body = format!("91310113MA{:07}", i % 10_000_000);
    let check = uscc::check_char(&body).unwrap_or('0');
    format!("{body}{check}")
}

fn day(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).unwrap_or(Month::January), d).unwrap_or(Date::MIN)
}

/// The corpus: `n` institutions, about `scope_per_institution` scope rows each.
pub fn generate(n: usize, scope_per_institution: usize) -> Snapshot {
    let mut institutions = Vec::with_capacity(n);
    for i in 0..n {
        let issued = day(2019 + (i % 5) as i32, 1 + (i % 12) as u8, 1 + (i % 28) as u8);
        let expires = issued + Duration::days(6 * 365);
        let mut certificates = vec![Certificate {
            no: format!("{:04}{:08}", 2019 + i % 5, i * 2),
            issuer: Some("上海市市场监督管理局".into()),
            issued_on: issued,
            expires_on: expires,
            status_history: if i % 17 == 0 {
                vec![
                    StatusEntry { status: Status::Valid, from: issued },
                    StatusEntry { status: Status::Suspended, from: issued + Duration::days(400) },
                    StatusEntry { status: Status::Valid, from: issued + Duration::days(500) },
                ]
            } else {
                vec![StatusEntry { status: Status::Valid, from: issued }]
            },
            scope: Vec::new(),
        }];
        if i % 5 == 0 {
            let renewed = expires - Duration::days(30);
            certificates.push(Certificate {
                no: format!("{:04}{:08}", 2019 + i % 5, i * 2 + 1),
                issuer: Some("上海市市场监督管理局".into()),
                issued_on: renewed,
                expires_on: renewed + Duration::days(6 * 365),
                status_history: vec![StatusEntry { status: Status::Valid, from: renewed }],
                scope: Vec::new(),
            });
        }
        for k in 0..scope_per_institution {
            let (category, parameter, method) = &PARAMETERS[(i + k) % PARAMETERS.len()];
            let cert = k % certificates.len();
            let from = certificates[cert].issued_on;
            certificates[cert].scope.push(ScopeEntry {
                category: *category,
                // Distinct parameters beyond the table's dozen, as real scopes list hundreds.
                parameter: if k < PARAMETERS.len() { (*parameter).into() } else { format!("{parameter}{k}") },
                method: (*method).into(),
                from,
                to: if k % 7 == 3 { Some(from + Duration::days(1000)) } else { None },
            });
        }
        let person =
            |k: usize| Person { id: format!("P-{:07}", i * 10 + k), name: format!("检测员{i}-{k}") };
        institutions.push(Institution {
            uscc: uscc_for(i),
            name: format!("上海第{i}环境检测技术有限公司"),
            district: Some(["宝山区", "浦东新区", "闵行区", "嘉定区"][i % 4].into()),
            address: Some(format!("某某路 {} 号", i + 1)),
            legal_rep: Some(format!("法人{i}")),
            phone: Some(format!("021-{:08}", i)),
            certificates,
            signatories: (0..2)
                .map(|k| Signatory {
                    person: person(k),
                    categories: vec![Category::Water, Category::Air],
                    from: issued,
                    to: None,
                })
                .collect(),
            staff: (0..5)
                .map(|k| Staff {
                    person: person(k),
                    roles: vec!["analyst".into(), "sampler".into()],
                    from: issued,
                    to: if k == 4 { Some(issued + Duration::days(700)) } else { None },
                })
                .collect(),
            instruments: (0..3)
                .map(|k| Instrument { id: format!("YQ-{i}-{k}"), name: "紫外可见分光光度计".into() })
                .collect(),
            restrictions: if i % 50 == 0 {
                vec![Restriction {
                    from: issued + Duration::days(100),
                    to: Some(issued + Duration::days(465)),
                    basis: format!("沪市监罚〔2024〕{i}号"),
                }]
            } else {
                Vec::new()
            },
        });
    }
    Snapshot { institutions }
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_corpus_is_valid_and_deterministic() {
        let a = super::generate(60, 30);
        assert!(lianjian_registry::validate(&a).is_empty(), "{:?}", lianjian_registry::validate(&a));
        assert_eq!(a, super::generate(60, 30));
        assert_eq!(
            a.institutions.iter().flat_map(|i| &i.certificates).map(|c| c.scope.len()).sum::<usize>(),
            1800
        );
    }
}
