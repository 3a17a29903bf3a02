//! The closed vocabularies as officers write them: Chinese names or codes, one spelling out.
//!
//! Writing always uses one Chinese name per value (the drop-down lists offer exactly those);
//! reading accepts that name, the exchange-format code in any letter case and the older long
//! names, so hand-typed and pasted sheets still import.

use lianjian_domain::org::{Category, Department};
use lianjian_registry::Status;

/// The nine category names written and offered in drop-downs, in the order of the spec
/// (`Category::zh`; a unit test keeps the two in step).
pub(crate) const CATEGORY_NAMES: [&str; 9] =
    ["水", "气", "土壤", "沉积物", "固体废物", "生物", "噪声", "振动", "辐射"];

/// A monitoring category from its Chinese name, its code (any letter case) or the long name of
/// older spreadsheets (水和废水, 环境空气和废气, …).
pub(crate) fn parse_category(s: &str) -> Option<Category> {
    let t = s.trim();
    t.parse::<Category>().ok().or_else(|| Category::ALL.iter().copied().find(|c| c.name_zh() == t))
}

/// Accepted separators between several categories or roles in one cell.
pub(crate) const LIST_SEPARATORS: &[char] = &[',', '\u{FF0C}', '\u{3001}', ';', '\u{FF1B}'];

/// Several items in one cell, trimmed, blanks dropped.
pub(crate) fn split_list(s: &str) -> Vec<&str> {
    s.split(LIST_SEPARATORS).map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// The four status names written and offered in drop-downs (`Status::name_zh`).
pub(crate) const STATUS_NAMES: [&str; 4] = ["有效", "暂停", "撤销", "注销"];

/// A certificate status from its Chinese name (有效/暂停/撤销/注销) or code.
pub(crate) fn parse_status(s: &str) -> Option<Status> {
    let t = s.trim();
    Status::ALL.iter().find(|v| v.name_zh() == t || v.as_str().eq_ignore_ascii_case(t)).cloned()
}

/// Staff roles with a Chinese name; other roles are informational and kept as written.
const ROLES: &[(&str, &str)] = &[("sampler", "采样员"), ("analyst", "分析员")];

/// The Chinese name written for a staff role (unknown roles as written).
pub(crate) fn role_zh(role: &str) -> &str {
    ROLES.iter().find(|(code, _)| *code == role).map_or(role, |(_, zh)| zh)
}

/// A staff role from its Chinese name or code (unknown roles as written).
pub(crate) fn parse_role(s: &str) -> String {
    let t = s.trim();
    ROLES
        .iter()
        .find(|(code, zh)| *zh == t || code.eq_ignore_ascii_case(t))
        .map_or_else(|| t.to_owned(), |(code, _)| (*code).to_owned())
}

/// A department from its code (any case) or Chinese name, with or without the 区 prefix
/// (`WATER`, `区水务局`, `水务局`).
pub(crate) fn parse_department(s: &str) -> Option<Department> {
    let t = s.trim();
    if let Ok(d) = t.parse::<Department>() {
        return Some(d);
    }
    Department::ALL.iter().copied().find(|d| d.zh().strip_prefix('区') == Some(t))
}

/// The five partner departments' names offered in drop-downs.
pub(crate) const PARTNER_NAMES: [&str; 5] =
    ["区农业农村委", "区规划资源局", "区水务局", "区交通委", "区绿化市容局"];

/// Display width of text in Excel column units: CJK and full-width characters count double.
pub(crate) fn display_width(s: &str) -> usize {
    s.lines().map(|l| l.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()).max().unwrap_or(0)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_down_lists_match_the_domain_names() {
        let cats: Vec<&str> = Category::ALL.iter().map(|c| c.zh()).collect();
        assert_eq!(cats, CATEGORY_NAMES);
        let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.name_zh()).collect();
        assert_eq!(statuses, STATUS_NAMES);
        let partners: Vec<&str> = Department::ALL.iter().filter(|d| d.is_partner()).map(|d| d.zh()).collect();
        assert_eq!(partners, PARTNER_NAMES);
    }

    #[test]
    fn category_accepts_short_name_long_name_and_code() {
        assert_eq!(parse_category("水"), Some(Category::Water));
        assert_eq!(parse_category("水和废水"), Some(Category::Water));
        assert_eq!(parse_category("SOLID_WASTE"), Some(Category::SolidWaste));
        assert_eq!(parse_category("废水"), None);
    }

    #[test]
    fn department_accepts_name_without_district_prefix() {
        assert_eq!(parse_department("水务局"), Some(Department::Water));
        assert_eq!(parse_department("区水务局"), Some(Department::Water));
        assert_eq!(parse_department("water"), Some(Department::Water));
        assert_eq!(parse_department("水利局"), None);
    }

    #[test]
    fn status_accepts_chinese_and_code() {
        assert_eq!(parse_status("暂停"), Some(Status::Suspended));
        assert_eq!(parse_status("Revoked"), Some(Status::Revoked));
        assert_eq!(parse_status("失效"), None);
    }

    #[test]
    fn lists_split_on_chinese_and_ascii_separators() {
        assert_eq!(split_list("水、气, 噪声\u{FF0C},土壤\u{FF1B}"), vec!["水", "气", "噪声", "土壤"]);
    }

    #[test]
    fn cjk_counts_double() {
        assert_eq!(display_width("ab"), 2);
        assert_eq!(display_width("水质ab"), 6);
        assert_eq!(display_width("HJ 828\u{FF08}2\u{FF09}"), 11);
    }
}
