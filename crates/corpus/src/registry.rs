//! The generated registry: twelve monitored parameters with their methods and limits, the method
//! table, and the institutions (certificates, scopes, staff, instruments, restrictions).

use lianjian_draw::splitmix::SplitMix64 as Rng;
use lianjian_registry::{
    Category, Certificate, Institution, Instrument, Person, Restriction, ScopeEntry, Signatory, Staff,
    Status, StatusEntry,
};

pub(crate) struct Param {
    pub(crate) category: Category,
    pub(crate) name: &'static str,
    pub(crate) method: &'static str,
    pub(crate) unit: &'static str,
    pub(crate) limit: Option<&'static str>,
    /// detection limit as (mantissa, exponent): value = m × 10^e
    pub(crate) dl: (u64, i32),
}

pub(crate) fn params() -> Vec<Param> {
    use Category::{Air, Water};
    let p = |category, name, method, unit, limit, dl| Param { category, name, method, unit, limit, dl };
    vec![
        p(Water, "化学需氧量", "HJ 828-2017", "mg/L", Some("30"), (4, 0)),
        p(Water, "氨氮", "HJ 535-2009", "mg/L", Some("1.5"), (25, -3)),
        p(Water, "总磷", "GB 11893-89", "mg/L", Some("0.3"), (1, -2)),
        p(Water, "总氮", "HJ 636-2012", "mg/L", Some("1.5"), (5, -2)),
        p(Water, "五日生化需氧量", "HJ 505-2009", "mg/L", Some("6"), (5, -1)),
        p(Water, "石油类", "HJ 970-2018", "mg/L", Some("0.5"), (1, -2)),
        p(Water, "pH值", "HJ 1147-2020", "无量纲", None, (0, 0)),
        p(Air, "二氧化硫", "HJ 482-2009", "μg/m³", Some("150"), (7, 0)),
        p(Air, "二氧化氮", "HJ 479-2009", "μg/m³", Some("80"), (3, 0)),
        p(Air, "颗粒物", "HJ 836-2017", "mg/m³", Some("120"), (1, 0)),
        p(Air, "非甲烷总烃", "HJ 38-2017", "mg/m³", Some("10"), (7, -2)),
        p(Air, "氮氧化物", "HJ 693-2014", "mg/m³", Some("100"), (3, 0)),
    ]
}

pub(crate) const UNKNOWN_METHOD: &str = "HJ 9999-2099";
pub(crate) const ABOLISHED_METHOD: &str = "GB 7488-87";
pub(crate) const OUT_OF_SCOPE: (&str, &str) = ("镉", "GB 7475-87");

pub(crate) fn methods_csv() -> String {
    let mut s = String::from("code,title_zh,category,effective,abolished,replaced_by,source\n");
    for p in params() {
        s.push_str(&format!(
            "{},{}测定方法,{},2000-01-01,,,generated\n",
            p.method,
            p.name,
            p.category.as_str()
        ));
    }
    s.push_str("GB 7488-87,水质 五日生化需氧量的测定,water,MISSING,2009-12-01,HJ 505-2009,generated\n");
    s.push_str("GB 7475-87,水质 铜、锌、铅、镉的测定,water,MISSING,,,generated\n");
    s
}

const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

pub(crate) fn uscc(rng: &mut Rng) -> String {
    let mut body = String::from("91310");
    for _ in 0..12 {
        body.push(CHARSET[rng.below(31) as usize] as char);
    }
    let c = lianjian_registry::uscc::check_char(&body).unwrap_or('0');
    body.push(c);
    body
}

fn date(y: i32, m: u8, d: u8) -> time::Date {
    time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap_or(time::Month::January), d)
        .unwrap_or(time::Date::MIN)
}

fn person(id: String) -> Person {
    Person { name: format!("人员{}", &id[2..]), id }
}

pub(crate) fn institution(i: usize, rng: &mut Rng) -> Institution {
    let mut scope = Vec::new();
    for p in params() {
        scope.push(ScopeEntry {
            category: p.category,
            parameter: p.name.into(),
            method: p.method.into(),
            from: date(2017, 1, 1),
            to: None,
        });
    }
    for m in [UNKNOWN_METHOD, ABOLISHED_METHOD] {
        scope.push(ScopeEntry {
            category: Category::Water,
            parameter: "五日生化需氧量".into(),
            method: m.into(),
            from: date(2017, 1, 1),
            to: None,
        });
    }
    let cert = |no: String, issued, expires| Certificate {
        no,
        issuer: Some("上海市市场监督管理局".into()),
        issued_on: issued,
        expires_on: expires,
        status_history: vec![StatusEntry { status: Status::Valid, from: issued }],
        scope: scope.clone(),
    };
    let staff = (0..8)
        .map(|k| Staff {
            person: person(format!("P-{:03}{:03}", i, k)),
            roles: vec!["sampler".into(), "analyst".into()],
            from: date(2018, 1, 1),
            to: None,
        })
        .collect();
    Institution {
        uscc: uscc(rng),
        name: format!("上海第{}检测技术有限公司", i + 1),
        district: Some("宝山区".into()),
        address: Some(format!("某路 {} 号", i + 1)),
        legal_rep: Some("某某".into()),
        phone: None,
        certificates: vec![
            cert(format!("2017{:08}", i), date(2017, 1, 1), date(2022, 12, 31)),
            cert(format!("2023{:08}", i), date(2023, 1, 1), date(2028, 12, 31)),
        ],
        signatories: vec![
            Signatory {
                person: person(format!("P-{:03}000", i)),
                categories: vec![Category::Water, Category::Air],
                from: date(2018, 1, 1),
                to: None,
            },
            Signatory {
                person: person(format!("P-{:03}001", i)),
                categories: vec![Category::Water],
                from: date(2018, 1, 1),
                to: None,
            },
        ],
        staff,
        instruments: (0..4)
            .map(|k| Instrument { id: format!("YQ-{i:03}-{k}"), name: "分析仪器".into() })
            .collect(),
        restrictions: if i == 0 {
            vec![Restriction { from: date(2023, 6, 1), to: None, basis: "宝市监罚〔2023〕7号".into() }]
        } else {
            Vec::new()
        },
    }
}
