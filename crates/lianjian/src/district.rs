//! A realistic, Baoshan-like demo district, deterministic from a seed: institutions with valid codes,
//! certificates in every status, scopes drawn from the shipped method table, people (a few registered
//! at two institutions at once), instruments and restrictions.

use lianjian_registry::{
    Category, Certificate, Institution, Instrument, Person, Restriction, ScopeEntry, Signatory, Snapshot,
    Staff, Status, StatusEntry,
};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use time::{Date, Duration, Month};

const PREFIXES: &[&str] = &[
    "华测",
    "宝钢",
    "中环",
    "申环",
    "绿源",
    "清泉",
    "蓝天",
    "碧水",
    "同济",
    "沪宝",
    "吴淞",
    "罗店",
    "月浦",
    "顾村",
    "杨行",
    "大场",
    "淞南",
    "高境",
    "庙行",
    "长江",
    "东方",
    "科正",
    "谱尼",
    "天祥",
    "安标",
    "索维",
    "实朴",
    "微谱",
    "英格尔",
    "凯士",
    "中船",
    "宝冶",
    "宝信",
    "金桥",
    "港城",
    "江湾",
    "泰和",
    "海纳",
    "佳蓝",
    "汇众",
];
const KINDS: &[&str] =
    &["检测技术有限公司", "环境监测技术有限公司", "环境检测有限公司", "检验检测有限公司", "环境科技有限公司"];
const TOWNS: &[&str] = &[
    "友谊路街道",
    "吴淞街道",
    "张庙街道",
    "罗店镇",
    "大场镇",
    "杨行镇",
    "月浦镇",
    "罗泾镇",
    "顾村镇",
    "高境镇",
    "庙行镇",
    "淞南镇",
];
const ROADS: &[&str] = &[
    "沪太路",
    "蕴川路",
    "友谊路",
    "牡丹江路",
    "长江西路",
    "共和新路",
    "真华路",
    "场中路",
    "宝杨路",
    "富锦路",
    "水产路",
    "铁力路",
];
const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭", "何",
    "高", "林", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "海燕",
    "建华", "志强", "丽华", "晓东", "春梅",
];
const INSTRUMENTS: &[&str] = &[
    "紫外可见分光光度计",
    "原子吸收分光光度计",
    "气相色谱仪",
    "离子色谱仪",
    "电感耦合等离子体质谱仪",
    "多功能声级计",
    "烟气分析仪",
    "电子天平",
    "COD 消解仪",
    "红外测油仪",
];

/// A (category, parameter, method) the district's institutions hold in their scopes.
#[derive(Debug, Clone)]
pub struct Capability {
    pub category: Category,
    pub parameter: String,
    pub method: String,
}

/// Capabilities from the shipped method table: methods in force today with a known title.
pub fn capabilities(today: Date) -> Vec<Capability> {
    let table = match lianjian_registry::embedded::method_table() {
        Ok(t) => t,
        Err(_) => return Vec::new(),
    };
    table
        .iter()
        .filter(|m| m.in_force_on(today))
        .filter_map(|m| {
            let title = m.title_zh.as_deref()?;
            let category = match m.category.as_deref()? {
                c if c.starts_with("air") => Category::Air,
                "water" => Category::Water,
                "soil" => Category::Soil,
                "noise" => Category::Noise,
                _ => return None,
            };
            let parameter = if category == Category::Noise {
                "等效连续A声级".to_owned()
            } else {
                let subject = title.split_whitespace().nth(1)?;
                subject.split("的测定").next()?.to_owned()
            };
            Some(Capability { category, parameter, method: m.code.clone() })
        })
        .collect()
}

fn date(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).unwrap_or(Month::January), d).unwrap_or(Date::MIN)
}

fn person_name(rng: &mut StdRng) -> String {
    format!("{}{}", SURNAMES.choose(rng).unwrap_or(&"张"), GIVEN.choose(rng).unwrap_or(&"伟"))
}

/// GB 11714 organisation-code check character over eight characters.
fn org_check(code8: &[u8]) -> char {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let value = |c: u8| if c.is_ascii_digit() { u32::from(c - b'0') } else { u32::from(c - b'A') + 10 };
    let sum: u32 = code8.iter().zip(W).map(|(c, w)| value(*c) * w).sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).unwrap_or('0'),
    }
}

/// A Baoshan (310113) enterprise code with valid organisation-code and GB 32100 check characters.
pub fn uscc(rng: &mut StdRng) -> String {
    let body: Vec<u8> = (0..8)
        .map(|i| if i == 0 { b"MN"[rng.gen_range(0..2)] } else { b'0' + rng.gen_range(0..10) })
        .collect();
    let org = format!("{}{}", String::from_utf8_lossy(&body), org_check(&body));
    let first17 = format!("91310113{org}");
    let check = lianjian_domain::uscc::check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// The district: `n` institutions as of `today`.
pub fn district(seed: u64, n: usize, today: Date) -> Snapshot {
    let mut rng = StdRng::seed_from_u64(seed);
    let caps = capabilities(today);
    let mut used_names = std::collections::BTreeSet::new();
    let mut used_codes = std::collections::BTreeSet::new();
    let mut next_person = 100_000u32;
    let mut institutions = Vec::with_capacity(n);
    for i in 0..n {
        let code = loop {
            let c = uscc(&mut rng);
            if used_codes.insert(c.clone()) {
                break c;
            }
        };
        let name = loop {
            let p = PREFIXES[rng.gen_range(0..PREFIXES.len())];
            let k = KINDS[rng.gen_range(0..KINDS.len())];
            let candidate = if used_names.contains(&format!("上海{p}{k}")) {
                format!("上海{p}{}{k}", ["环保", "生态", "分析", "计量"][rng.gen_range(0..4)])
            } else {
                format!("上海{p}{k}")
            };
            if used_names.insert(candidate.clone()) {
                break candidate;
            }
        };
        let issued = date(2019 + rng.gen_range(0..7), rng.gen_range(1..=12), rng.gen_range(1..=28));
        let issued = issued.min(today - Duration::days(30));
        let expires = issued.replace_year(issued.year() + 6).unwrap_or(issued) - Duration::days(1);
        // Every status appears: most valid, some suspended, revoked or cancelled.
        let mut history = vec![StatusEntry { status: Status::Valid, from: issued }];
        let roll = i % 20;
        let change = issued + Duration::days(rng.gen_range(200..600));
        if change < today {
            match roll {
                3 => history.push(StatusEntry { status: Status::Suspended, from: change }),
                7 => {
                    history.push(StatusEntry { status: Status::Suspended, from: change });
                    history.push(StatusEntry { status: Status::Valid, from: change + Duration::days(90) });
                }
                11 => history.push(StatusEntry { status: Status::Revoked, from: change }),
                15 => history.push(StatusEntry { status: Status::Cancelled, from: change }),
                _ => {}
            }
        }
        let cert_no = format!("{:02}09{:08}", issued.year() % 100, rng.gen_range(0..100_000_000u32));
        let how_many = rng.gen_range(8..24.min(caps.len().max(9)));
        let mut chosen: Vec<&Capability> = caps.choose_multiple(&mut rng, how_many).collect();
        chosen.sort_by(|a, b| {
            (&a.category, &a.parameter, &a.method).cmp(&(&b.category, &b.parameter, &b.method))
        });
        chosen
            .dedup_by(|a, b| a.category == b.category && a.parameter == b.parameter && a.method == b.method);
        let scope: Vec<ScopeEntry> = chosen
            .iter()
            .map(|c| ScopeEntry {
                category: c.category,
                parameter: c.parameter.clone(),
                method: c.method.clone(),
                from: issued,
                to: None,
            })
            .collect();
        let mut categories: Vec<Category> = scope.iter().map(|s| s.category).collect();
        categories.sort();
        categories.dedup();
        let staff_n = rng.gen_range(20..36);
        let since = issued - Duration::days(rng.gen_range(0..400));
        let staff: Vec<Staff> = (0..staff_n)
            .map(|k| {
                next_person += 1;
                let roles = match k % 4 {
                    0 => vec!["sampler".to_owned()],
                    1 => vec!["analyst".to_owned()],
                    2 => vec!["analyst".to_owned(), "sampler".to_owned()],
                    _ => vec!["reviewer".to_owned()],
                };
                Staff {
                    person: Person { id: format!("P-{next_person:06}"), name: person_name(&mut rng) },
                    roles,
                    from: since,
                    to: None,
                }
            })
            .collect();
        let signatories: Vec<Signatory> = staff
            .iter()
            .filter(|s| s.roles.iter().any(|r| r == "reviewer"))
            .take(3)
            .map(|s| Signatory {
                person: s.person.clone(),
                categories: categories.clone(),
                from: issued,
                to: None,
            })
            .collect();
        let abbr = format!("BS{:03}", i + 1);
        let instruments = INSTRUMENTS
            .choose_multiple(&mut rng, 6)
            .enumerate()
            .map(|(k, name)| Instrument { id: format!("{abbr}-YQ-{:03}", k + 1), name: (*name).to_owned() })
            .collect();
        let restrictions = if i % 37 == 5 {
            vec![Restriction {
                from: today - Duration::days(120),
                to: Some(today + Duration::days(245)),
                basis: format!("宝环罚〔{}〕{}号", today.year(), 10 + i),
            }]
        } else if i % 37 == 20 {
            vec![Restriction {
                from: date(2024, 3, 1),
                to: Some(date(2025, 2, 28)),
                basis: "宝市监罚〔2024〕7号".into(),
            }]
        } else {
            Vec::new()
        };
        institutions.push(Institution {
            uscc: code,
            name,
            district: Some("宝山区".into()),
            address: Some(format!(
                "上海市宝山区{}{}{}号",
                TOWNS[rng.gen_range(0..TOWNS.len())],
                ROADS[rng.gen_range(0..ROADS.len())],
                rng.gen_range(1..3000)
            )),
            legal_rep: Some(person_name(&mut rng)),
            phone: Some(format!("021-{}", rng.gen_range(33_000_000..66_999_999))),
            certificates: vec![Certificate {
                no: cert_no,
                issuer: Some("上海市市场监督管理局".into()),
                issued_on: issued,
                expires_on: expires,
                status_history: history,
                scope,
            }],
            signatories,
            staff,
            instruments,
            restrictions,
        });
    }
    // A few people registered at two institutions at once (不得同时在两个以上机构从业).
    for k in 0..4.min(n / 2) {
        let moonlighter = institutions[k * 2].staff[0].clone();
        institutions[k * 2 + 1]
            .staff
            .push(Staff { from: moonlighter.from + Duration::days(30), ..moonlighter });
    }
    let mut snapshot = Snapshot { institutions };
    snapshot.canonicalize();
    snapshot
}

/// A demo inspector: (code, department, name, specialties, max tasks).
pub struct DemoInspector {
    pub code: String,
    pub department: lianjian_domain::org::Department,
    pub name: String,
    pub cert: String,
    pub specialties: Vec<lianjian_domain::org::Category>,
    pub max_tasks: i64,
}

/// `eeb` + `msa` inspectors with plausible names and specialties, deterministic from the seed.
pub fn inspectors(seed: u64, eeb: usize, msa: usize) -> Vec<DemoInspector> {
    use lianjian_domain::org::{Category as Cat, Department};
    let mut rng = StdRng::seed_from_u64(seed ^ 0x1157);
    let cats = [Cat::Water, Cat::Air, Cat::Soil, Cat::Noise, Cat::SolidWaste, Cat::Sediment, Cat::Radiation];
    let mut out = Vec::with_capacity(eeb + msa);
    for (dept, n, prefix, cert) in
        [(Department::Eeb, eeb, "EEB", "沪环执"), (Department::Msa, msa, "MSA", "沪市监执")]
    {
        for k in 1..=n {
            let how_many = rng.gen_range(1..=3);
            let mut specialties: Vec<Cat> = cats.choose_multiple(&mut rng, how_many).copied().collect();
            specialties.sort();
            out.push(DemoInspector {
                code: format!("{prefix}-{k:04}"),
                department: dept,
                name: person_name(&mut rng),
                cert: format!("{cert}{:06}", rng.gen_range(100_000..999_999)),
                specialties,
                max_tasks: rng.gen_range(3..=6),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_is_valid_deterministic_and_has_every_status() {
        let today = date(2026, 11, 29);
        let a = district(7, 160, today);
        assert_eq!(a, district(7, 160, today));
        assert_eq!(a.institutions.len(), 160);
        let problems = lianjian_registry::validate(&a);
        assert!(problems.is_empty(), "{problems:?}");
        for status in [Status::Valid, Status::Suspended, Status::Revoked, Status::Cancelled] {
            assert!(
                a.institutions
                    .iter()
                    .any(|i| i.certificates[0].status_history.last().map(|s| &s.status) == Some(&status)),
                "{status:?} missing"
            );
        }
        assert!(a.institutions.iter().all(|i| !i.certificates[0].scope.is_empty()));
        assert!(a.institutions.iter().any(|i| i.certificates[0].expires_on < today), "some expired");
    }

    #[test]
    fn generated_codes_pass_gb32100() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..200 {
            let c = uscc(&mut rng);
            lianjian_domain::uscc::Uscc::parse(&c).unwrap();
        }
    }
}
