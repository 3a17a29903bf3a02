//! Reading one report line (exchange-formats §2) into a checked [`Report`], collecting every shape
//! problem (OFF-C01) instead of stopping at the first.
//!
//! serde's derive stops at the first type error, so the raw layer accepts *any* JSON value in every
//! field ([`Val`], [`Node`], [`List`]) and the conversion step names each field that is missing,
//! null, of the wrong type or malformed. Strings are borrowed from the line when they have no
//! escapes. Only a line that is not JSON at all (or has a duplicate key) fails as a whole.
//!
//! One file of ≈ 830 lines, past the ~500 the workspace aims for: the raw layer and the conversion are
//! written field by field against each other (each raw node and the problems its conversion names),
//! so a change to the report's shape is one edit here; split in two, every such change would touch
//! both halves.

use std::borrow::Cow;
use std::fmt;

use lianjian_registry::Category;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::decimal::is_decimal;
use crate::instant::{parse_day, parse_instant, Instant};

/// Any JSON value in a leaf position.
#[derive(Debug, Default)]
pub(crate) enum Val<'a> {
    #[default]
    Missing,
    Null,
    Bool(bool),
    Str(Cow<'a, str>),
    Num,
    Arr,
    Obj,
}

struct ValVisitor;

impl<'de> Visitor<'de> for ValVisitor {
    type Value = Val<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Val<'de>, E> {
        Ok(Val::Bool(v))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Val<'de>, E> {
        Ok(Val::Num)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Val<'de>, E> {
        Ok(Val::Num)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Val<'de>, E> {
        Ok(Val::Num)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Null)
    }
    fn visit_none<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Val<'de>, D::Error> {
        d.deserialize_any(ValVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Val<'de>, A::Error> {
        while a.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Val::Arr)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Val<'de>, A::Error> {
        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Val::Obj)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Val<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Val<'a>, D::Error> {
        d.deserialize_any(ValVisitor)
    }
}

impl Val<'_> {
    fn kind_zh(&self) -> &'static str {
        match self {
            Val::Missing => "缺失",
            Val::Null => "为 null",
            Val::Bool(_) => "是布尔值",
            Val::Str(_) => "是字符串",
            Val::Num => "是数字(应为字符串)",
            Val::Arr => "是数组",
            Val::Obj => "是对象",
        }
    }
}

/// An object in a nested position: the object, or what stood there instead.
#[derive(Debug, Default)]
pub(crate) enum Node<T> {
    #[default]
    Missing,
    Null,
    Wrong(&'static str),
    Ok(T),
}

struct NodeVisitor<T>(std::marker::PhantomData<T>);

fn wrong<T, E>(k: &'static str) -> Result<Node<T>, E> {
    Ok(Node::Wrong(k))
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for NodeVisitor<T> {
    type Value = Node<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Node<T>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(a)).map(Node::Ok)
    }
    fn visit_unit<E>(self) -> Result<Node<T>, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node<T>, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node<T>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Node<T>, E> {
        wrong("是布尔值")
    }
    fn visit_i64<E>(self, _: i64) -> Result<Node<T>, E> {
        wrong("是数字")
    }
    fn visit_u64<E>(self, _: u64) -> Result<Node<T>, E> {
        wrong("是数字")
    }
    fn visit_f64<E>(self, _: f64) -> Result<Node<T>, E> {
        wrong("是数字")
    }
    fn visit_str<E>(self, _: &str) -> Result<Node<T>, E> {
        wrong("是字符串")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Node<T>, A::Error> {
        while a.next_element::<IgnoredAny>()?.is_some() {}
        wrong("是数组")
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Node<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node<T>, D::Error> {
        d.deserialize_any(NodeVisitor(std::marker::PhantomData))
    }
}

/// An array of objects, or what stood there instead.
#[derive(Debug, Default)]
pub(crate) enum List<T> {
    #[default]
    Missing,
    Null,
    Wrong(&'static str),
    Ok(Vec<Node<T>>),
}

struct ListVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<List<T>, A::Error> {
        let mut v = Vec::with_capacity(a.size_hint().unwrap_or(8).min(64));
        while let Some(x) = a.next_element::<Node<T>>()? {
            v.push(x);
        }
        Ok(List::Ok(v))
    }
    fn visit_unit<E>(self) -> Result<List<T>, E> {
        Ok(List::Null)
    }
    fn visit_none<E>(self) -> Result<List<T>, E> {
        Ok(List::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<List<T>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, _: bool) -> Result<List<T>, E> {
        Ok(List::Wrong("是布尔值"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<List<T>, E> {
        Ok(List::Wrong("是数字"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<List<T>, E> {
        Ok(List::Wrong("是数字"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<List<T>, E> {
        Ok(List::Wrong("是数字"))
    }
    fn visit_str<E>(self, _: &str) -> Result<List<T>, E> {
        Ok(List::Wrong("是字符串"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<List<T>, A::Error> {
        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(List::Wrong("是对象"))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<List<T>, D::Error> {
        d.deserialize_any(ListVisitor(std::marker::PhantomData))
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RawPerson<'a> {
    #[serde(borrow, default)]
    id: Val<'a>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RawResult<'a> {
    #[serde(borrow, default)]
    parameter: Val<'a>,
    #[serde(borrow, default)]
    method: Val<'a>,
    #[serde(borrow, default)]
    value: Val<'a>,
    #[serde(borrow, default)]
    below_detection: Val<'a>,
    #[serde(borrow, default)]
    detection_limit: Val<'a>,
    #[serde(borrow, default)]
    unit: Val<'a>,
    #[serde(borrow, default)]
    limit: Val<'a>,
    #[serde(borrow, default)]
    analyzed_at: Val<'a>,
    #[serde(borrow, default)]
    analyst: Node<RawPerson<'a>>,
    #[serde(borrow, default)]
    instrument_id: Val<'a>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RawSample<'a> {
    #[serde(borrow, default)]
    sample_id: Val<'a>,
    #[serde(borrow, default)]
    category: Val<'a>,
    #[serde(borrow, default)]
    site: Val<'a>,
    #[serde(borrow, default)]
    sampled_from: Val<'a>,
    #[serde(borrow, default)]
    sampled_to: Val<'a>,
    #[serde(borrow, default)]
    samplers: List<RawPerson<'a>>,
    #[serde(borrow, default)]
    received_at: Val<'a>,
    #[serde(borrow, default)]
    results: List<RawResult<'a>>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RawReport<'a> {
    #[serde(borrow, default)]
    report_no: Val<'a>,
    #[serde(borrow, default)]
    institution_uscc: Val<'a>,
    #[serde(borrow, default)]
    cma_mark: Val<'a>,
    #[serde(borrow, default)]
    certificate_no: Val<'a>,
    #[serde(borrow, default)]
    purpose: Val<'a>,
    #[serde(borrow, default)]
    commissioned_by: Val<'a>,
    #[serde(borrow, default)]
    issued_on: Val<'a>,
    #[serde(borrow, default)]
    signatory: Node<RawPerson<'a>>,
    #[serde(borrow, default)]
    samples: List<RawSample<'a>>,
}

/// Report purpose 报告用途.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Enforcement,
    Government,
    SelfMonitoring,
    Commissioned,
}

impl Purpose {
    pub(crate) fn parse(s: &str) -> Option<Purpose> {
        Some(match s {
            "enforcement" => Purpose::Enforcement,
            "government" => Purpose::Government,
            "self_monitoring" => Purpose::SelfMonitoring,
            "commissioned" => Purpose::Commissioned,
            _ => return None,
        })
    }

    /// Enforcement or government work (the R10/R11 kinds).
    pub fn is_public(self) -> bool {
        matches!(self, Purpose::Enforcement | Purpose::Government)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Enforcement => "enforcement",
            Purpose::Government => "government",
            Purpose::SelfMonitoring => "self_monitoring",
            Purpose::Commissioned => "commissioned",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Purpose::Enforcement => "行政执法",
            Purpose::Government => "政府委托",
            Purpose::SelfMonitoring => "企业自行监测",
            Purpose::Commissioned => "其他委托",
        }
    }
}

pub(crate) const DEPARTMENTS: [&str; 7] = ["EEB", "MSA", "AGRI", "PLAN", "WATER", "TRANSPORT", "GREEN"];

/// A report whose shape is right: every required field present and well-formed.
#[derive(Debug)]
pub(crate) struct Report<'a> {
    pub report_no: Cow<'a, str>,
    pub uscc: Cow<'a, str>,
    pub cma_mark: bool,
    pub certificate_no: Option<Cow<'a, str>>,
    pub purpose: Purpose,
    /// CST days since 1970-01-01.
    pub issued_on: i32,
    pub signatory: Cow<'a, str>,
    pub samples: Vec<Sample<'a>>,
}

#[derive(Debug)]
pub(crate) struct Sample<'a> {
    pub sample_id: Cow<'a, str>,
    pub category: Category,
    pub site: Cow<'a, str>,
    pub from: Instant,
    pub to: Instant,
    pub received: Instant,
    pub samplers: Vec<Cow<'a, str>>,
    pub results: Vec<ResultRow<'a>>,
}

#[derive(Debug)]
pub(crate) struct ResultRow<'a> {
    pub parameter: Cow<'a, str>,
    pub method: Cow<'a, str>,
    pub value: Option<Cow<'a, str>>,
    pub below_detection: bool,
    pub detection_limit: Option<Cow<'a, str>>,
    pub limit: Option<Cow<'a, str>>,
    pub analyzed: Instant,
    pub analyst: Cow<'a, str>,
    pub instrument_id: Option<Cow<'a, str>>,
}

/// One OFF-C01 problem in a line that is JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShapeProblem {
    /// Path of the field, e.g. `samples[0].results[2].value`.
    pub field: String,
    pub sample_id: Option<String>,
    pub parameter: Option<String>,
    pub reason: String,
}

/// The line read as far as it goes: identification for findings, and either a report or problems.
/// `report_no`, `uscc` and `issued_on` are whatever string stood in the field, well-formed or not
/// (the OFF-C01 findings of a report with problems name its institution and number by them).
pub(crate) struct Parsed<'a> {
    /// The line is a JSON object (else it is some other JSON value and names nothing).
    pub object: bool,
    pub report_no: Option<Cow<'a, str>>,
    pub uscc: Option<Cow<'a, str>>,
    pub issued_on: Option<Cow<'a, str>>,
    pub outcome: Result<Report<'a>, Vec<ShapeProblem>>,
}

struct Ctx {
    problems: Vec<ShapeProblem>,
}

impl Ctx {
    fn push(&mut self, field: String, sample: Option<&str>, param: Option<&str>, reason: String) {
        self.problems.push(ShapeProblem {
            field,
            sample_id: sample.map(str::to_owned),
            parameter: param.map(str::to_owned),
            reason,
        });
    }

    /// A required non-empty string.
    fn req<'a>(
        &mut self,
        v: Val<'a>,
        field: impl Fn() -> String,
        s: Option<&str>,
        p: Option<&str>,
    ) -> Option<Cow<'a, str>> {
        match v {
            Val::Str(x) if !x.trim().is_empty() => Some(x),
            Val::Str(_) => {
                self.push(field(), s, p, format!("必填字段 {} 为空字符串", field()));
                None
            }
            other => {
                self.push(field(), s, p, format!("必填字段 {} {}", field(), other.kind_zh()));
                None
            }
        }
    }

    /// An optional string (absent or null → None).
    fn opt<'a>(
        &mut self,
        v: Val<'a>,
        field: impl Fn() -> String,
        s: Option<&str>,
        p: Option<&str>,
    ) -> Option<Cow<'a, str>> {
        match v {
            Val::Missing | Val::Null => None,
            Val::Str(x) => Some(x),
            other => {
                self.push(field(), s, p, format!("字段 {} {},应为字符串或 null", field(), other.kind_zh()));
                None
            }
        }
    }

    fn req_bool(
        &mut self,
        v: Val<'_>,
        field: impl Fn() -> String,
        s: Option<&str>,
        p: Option<&str>,
    ) -> Option<bool> {
        match v {
            Val::Bool(b) => Some(b),
            other => {
                self.push(field(), s, p, format!("字段 {} {},应为 true 或 false", field(), other.kind_zh()));
                None
            }
        }
    }

    fn instant(
        &mut self,
        v: Val<'_>,
        field: impl Fn() -> String,
        s: Option<&str>,
        p: Option<&str>,
    ) -> Option<Instant> {
        let x = self.req(v, &field, s, p)?;
        let t = parse_instant(&x);
        if t.is_none() {
            self.push(field(), s, p, format!("字段 {} 的值“{x}”不是带时区的 RFC 3339 时间", field()));
        }
        t
    }

    fn decimal<'a>(
        &mut self,
        x: Option<Cow<'a, str>>,
        field: impl Fn() -> String,
        s: Option<&str>,
        p: Option<&str>,
    ) -> Option<Cow<'a, str>> {
        let x = x?;
        if is_decimal(&x) {
            Some(x)
        } else {
            self.push(field(), s, p, format!("字段 {} 的值“{x}”不是十进制数字串", field()));
            None
        }
    }

    fn person<'a>(
        &mut self,
        n: Node<RawPerson<'a>>,
        field: impl Fn() -> String,
        s: Option<&str>,
        p: Option<&str>,
    ) -> Option<Cow<'a, str>> {
        match n {
            Node::Ok(raw) => self.req(raw.id, || format!("{}.id", field()), s, p),
            Node::Missing => {
                self.push(field(), s, p, format!("必填字段 {} 缺失", field()));
                None
            }
            Node::Null => {
                self.push(field(), s, p, format!("必填字段 {} 为 null", field()));
                None
            }
            Node::Wrong(k) => {
                self.push(field(), s, p, format!("字段 {} {},应为人员对象 {{id, name}}", field(), k));
                None
            }
        }
    }
}

fn peek_str<'a>(v: &Val<'a>) -> Option<Cow<'a, str>> {
    match v {
        Val::Str(s) => Some(s.clone()),
        _ => None,
    }
}

/// Converts a raw report, collecting every problem.
pub(crate) fn check_shape(raw: RawReport<'_>) -> Parsed<'_> {
    let mut c = Ctx { problems: Vec::new() };
    let report_no_peek = peek_str(&raw.report_no);
    let uscc_peek = peek_str(&raw.institution_uscc);
    let issued_on_peek = peek_str(&raw.issued_on);
    let f = |s: &'static str| move || s.to_owned();
    let report_no = c.req(raw.report_no, f("report_no"), None, None);
    let uscc = c.req(raw.institution_uscc, f("institution_uscc"), None, None);
    let cma_mark = c.req_bool(raw.cma_mark, f("cma_mark"), None, None);
    let certificate_no = c.opt(raw.certificate_no, f("certificate_no"), None, None);
    let purpose = c.req(raw.purpose, f("purpose"), None, None).and_then(|p| {
        let r = Purpose::parse(&p);
        if r.is_none() {
            c.push("purpose".into(), None, None, format!("未知的报告用途“{p}”"));
        }
        r
    });
    match purpose {
        Some(p) if p.is_public() => {
            if let Some(d) = c.req(raw.commissioned_by, f("commissioned_by"), None, None) {
                if !DEPARTMENTS.contains(&&*d) {
                    c.push("commissioned_by".into(), None, None, format!("未知的委托部门代码“{d}”"));
                }
            }
        }
        // §2: "else null". (An unknown purpose is already a problem; its commissioner is moot.)
        Some(p) if !matches!(raw.commissioned_by, Val::Missing | Val::Null) => c.push(
            "commissioned_by".into(),
            None,
            None,
            format!(
                "报告用途为“{}”,委托部门 commissioned_by 应为 null(仅行政执法、政府委托填写)",
                p.name_zh()
            ),
        ),
        _ => {}
    }
    let issued_on = c.req(raw.issued_on, f("issued_on"), None, None).and_then(|s| {
        let d = parse_day(&s);
        if d.is_none() {
            c.push("issued_on".into(), None, None, format!("签发日期“{s}”不是有效的 YYYY-MM-DD 日期"));
        }
        d
    });
    let signatory = c.person(raw.signatory, f("signatory"), None, None);
    let mut samples = Vec::new();
    match raw.samples {
        List::Ok(v) if !v.is_empty() => {
            samples.reserve(v.len());
            for (i, node) in v.into_iter().enumerate() {
                if let Some(s) = sample(&mut c, node, i) {
                    samples.push(s);
                }
            }
        }
        List::Ok(_) => {
            c.push("samples".into(), None, None, "必填字段 samples 为空数组,至少应有一个样品".into())
        }
        List::Missing => c.push("samples".into(), None, None, "必填字段 samples 缺失".into()),
        List::Null => c.push("samples".into(), None, None, "必填字段 samples 为 null".into()),
        List::Wrong(k) => c.push("samples".into(), None, None, format!("字段 samples {k},应为数组")),
    }
    let outcome = match (report_no, uscc, cma_mark, purpose, issued_on, signatory) {
        (Some(report_no), Some(uscc), Some(cma_mark), Some(purpose), Some(issued_on), Some(signatory))
            if c.problems.is_empty() =>
        {
            Ok(Report { report_no, uscc, cma_mark, certificate_no, purpose, issued_on, signatory, samples })
        }
        _ => Err(c.problems),
    };
    Parsed { object: true, report_no: report_no_peek, uscc: uscc_peek, issued_on: issued_on_peek, outcome }
}

/// The object at `path`, or an OFF-C01 problem saying it is null or of the wrong kind.
fn object_node<T>(c: &mut Ctx, node: Node<T>, path: String, sid: Option<&str>, what: &str) -> Option<T> {
    let message = match node {
        Node::Ok(r) => return Some(r),
        Node::Missing | Node::Null => format!("{path} 为 null,应为{what}"),
        Node::Wrong(k) => format!("{path} {k},应为{what}"),
    };
    c.push(path, sid, None, message);
    None
}

fn sample<'a>(c: &mut Ctx, node: Node<RawSample<'a>>, i: usize) -> Option<Sample<'a>> {
    let raw = object_node(c, node, format!("samples[{i}]"), None, "样品对象")?;
    let sid_peek = peek_str(&raw.sample_id);
    let sid = sid_peek.as_deref();
    let fld = |n: &str| format!("samples[{i}].{n}");
    let sample_id = c.req(raw.sample_id, || fld("sample_id"), sid, None);
    let category = c.req(raw.category, || fld("category"), sid, None).and_then(|s| {
        let r = Category::parse(&s);
        if r.is_none() {
            c.push(fld("category"), sid, None, format!("未知的监测类别“{s}”"));
        }
        r
    });
    let site = c.req(raw.site, || fld("site"), sid, None);
    let from = c.instant(raw.sampled_from, || fld("sampled_from"), sid, None);
    let to = c.instant(raw.sampled_to, || fld("sampled_to"), sid, None);
    let received = c.instant(raw.received_at, || fld("received_at"), sid, None);
    let mut samplers = Vec::new();
    match raw.samplers {
        List::Ok(v) => {
            for (j, p) in v.into_iter().enumerate() {
                if let Some(id) = c.person(p, || format!("samples[{i}].samplers[{j}]"), sid, None) {
                    samplers.push(id);
                }
            }
        }
        List::Missing => c.push(fld("samplers"), sid, None, format!("必填字段 {} 缺失", fld("samplers"))),
        List::Null => c.push(fld("samplers"), sid, None, format!("必填字段 {} 为 null", fld("samplers"))),
        List::Wrong(k) => {
            c.push(fld("samplers"), sid, None, format!("字段 {} {k},应为数组", fld("samplers")))
        }
    }
    let mut results = Vec::new();
    match raw.results {
        List::Ok(v) if !v.is_empty() => {
            results.reserve(v.len());
            for (j, r) in v.into_iter().enumerate() {
                if let Some(r) = result(c, r, i, j, sid) {
                    results.push(r);
                }
            }
        }
        List::Ok(_) => c.push(
            fld("results"),
            sid,
            None,
            format!("必填字段 {} 为空数组,至少应有一项结果", fld("results")),
        ),
        List::Missing => c.push(fld("results"), sid, None, format!("必填字段 {} 缺失", fld("results"))),
        List::Null => c.push(fld("results"), sid, None, format!("必填字段 {} 为 null", fld("results"))),
        List::Wrong(k) => c.push(fld("results"), sid, None, format!("字段 {} {k},应为数组", fld("results"))),
    }
    Some(Sample {
        sample_id: sample_id?,
        category: category?,
        site: site?,
        from: from?,
        to: to?,
        received: received?,
        samplers,
        results,
    })
}

fn result<'a>(
    c: &mut Ctx,
    node: Node<RawResult<'a>>,
    i: usize,
    j: usize,
    sid: Option<&str>,
) -> Option<ResultRow<'a>> {
    let raw = object_node(c, node, format!("samples[{i}].results[{j}]"), sid, "结果对象")?;
    let p_peek = peek_str(&raw.parameter);
    let p = p_peek.as_deref();
    let fld = |n: &str| format!("samples[{i}].results[{j}].{n}");
    let parameter = c.req(raw.parameter, || fld("parameter"), sid, p);
    let method = c.req(raw.method, || fld("method"), sid, p);
    let below_detection = c.req_bool(raw.below_detection, || fld("below_detection"), sid, p);
    let value_absent = matches!(raw.value, Val::Missing | Val::Null);
    let value_raw = c.opt(raw.value, || fld("value"), sid, p);
    let value = c.decimal(value_raw.clone(), || fld("value"), sid, p);
    if below_detection == Some(false) && value_absent {
        c.push(fld("value"), sid, p, format!("below_detection 为 false 时 {} 必须是数值串", fld("value")));
    }
    let dl_raw = c.opt(raw.detection_limit, || fld("detection_limit"), sid, p);
    let detection_limit = c.decimal(dl_raw.clone(), || fld("detection_limit"), sid, p);
    let limit_raw = c.opt(raw.limit, || fld("limit"), sid, p);
    let limit = c.decimal(limit_raw.clone(), || fld("limit"), sid, p);
    let unit = c.req(raw.unit, || fld("unit"), sid, p);
    let analyzed = c.instant(raw.analyzed_at, || fld("analyzed_at"), sid, p);
    let analyst = c.person(raw.analyst, || fld("analyst"), sid, p);
    let instrument_id = c.opt(raw.instrument_id, || fld("instrument_id"), sid, p);
    let ok_numbers = (value_raw.is_none() || value.is_some())
        && (dl_raw.is_none() || detection_limit.is_some())
        && (limit_raw.is_none() || limit.is_some());
    if !ok_numbers {
        return None;
    }
    Some(ResultRow {
        parameter: parameter?,
        method: method?,
        value,
        below_detection: below_detection?,
        detection_limit,
        limit,
        analyzed: analyzed?,
        analyst: analyst?,
        instrument_id,
        // `unit` is required but only its presence matters to the rules.
    })
    .filter(|_| unit.is_some())
}

/// Parses one line. `Err` is the serde error of a line that is not a JSON object at all.
/// Why a line could not be read as JSON at all.
#[derive(Debug)]
pub(crate) enum LineError {
    Utf8,
    Json(sonic_rs::Error),
    /// Valid or not, nested deeper than [`MAX_NESTING`]: not read (1-based column where it got
    /// too deep).
    TooDeep {
        column: usize,
    },
}

/// Deepest nesting the reference parser is asked to follow. A report is six levels deep; the limit
/// bounds recursion — and stack use: unoptimised builds spend ~35 KiB of stack per level in the
/// parser, and the fuzzer found a 54-level line that overflowed a 2 MiB worker thread — whatever
/// the input. The fast path never goes deeper (`fast::MAX_DEPTH` is this), so both agree.
pub(crate) const MAX_NESTING: usize = 16;

/// The 1-based column at which `line` opens its `MAX_NESTING + 1`-th level, if it does (brackets
/// inside strings do not count).
fn too_deep(line: &[u8]) -> Option<usize> {
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    for (i, &c) in line.iter().enumerate() {
        if in_str {
            match c {
                _ if esc => esc = false,
                b'\\' => esc = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i + 1);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

impl LineError {
    pub fn column(&self) -> usize {
        match self {
            LineError::Utf8 => 0,
            LineError::Json(e) => e.column(),
            LineError::TooDeep { column } => *column,
        }
    }
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::Utf8 => f.write_str("invalid UTF-8"),
            LineError::Json(e) => write!(f, "{e}"),
            LineError::TooDeep { column } => {
                write!(f, "nested deeper than {MAX_NESTING} levels at column {column}")
            }
        }
    }
}

/// Parses one line (UTF-8 is validated by the parser).
pub(crate) fn parse_line(line: &[u8]) -> Result<Parsed<'_>, LineError> {
    if let Some(column) = too_deep(line) {
        return Err(if std::str::from_utf8(line).is_err() {
            LineError::Utf8
        } else {
            LineError::TooDeep { column }
        });
    }
    let raw: Node<RawReport<'_>> = sonic_rs::from_slice(line).map_err(|e| {
        if std::str::from_utf8(line).is_err() {
            LineError::Utf8
        } else {
            LineError::Json(e)
        }
    })?;
    match raw {
        Node::Ok(r) => Ok(check_shape(r)),
        other => {
            let k = match other {
                Node::Wrong(k) => k,
                _ => "为 null",
            };
            Ok(Parsed {
                object: false,
                report_no: None,
                uscc: None,
                issued_on: None,
                outcome: Err(vec![ShapeProblem {
                    field: "$".into(),
                    sample_id: None,
                    parameter: None,
                    reason: format!("该行{k},不是报告对象"),
                }]),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_named() {
        let line = r#"{"report_no": 12, "institution_uscc": "X", "cma_mark": "yes", "purpose": "enforcement",
            "issued_on": "2025-02-30", "signatory": {"name": "张三"},
            "samples": [ {"sample_id": "S1", "category": "weather", "site": "a", "sampled_from": "2025-03-01T09:30:00+08:00",
               "sampled_to": "bad", "samplers": [], "received_at": "2025-03-01T14:00:00+08:00",
               "results": [ {"parameter": "COD", "method": "HJ 828-2017", "value": 23, "below_detection": false,
                  "unit": "mg/L", "analyzed_at": "2025-03-02T10:15:00+08:00", "analyst": {"id": "P1"}} ] } ] }"#;
        let p = parse_line(line.as_bytes()).unwrap();
        let probs = p.outcome.unwrap_err();
        let fields: Vec<&str> = probs.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "report_no",
                "cma_mark",
                "commissioned_by",
                "issued_on",
                "signatory.id",
                "samples[0].category",
                "samples[0].sampled_to",
                "samples[0].results[0].value",
            ]
        );
        assert_eq!(probs[5].sample_id.as_deref(), Some("S1"));
        assert_eq!(probs[7].parameter.as_deref(), Some("COD"));
    }

    #[test]
    fn not_json_is_an_error_and_non_object_is_a_problem() {
        assert!(parse_line(b"{\"a\": ").is_err());
        assert!(parse_line(b"[1,2]").unwrap().outcome.is_err());
        assert!(parse_line(b"null").unwrap().outcome.is_err());
        assert!(parse_line(b"{\"report_no\": \"\xff\"}").err().is_some_and(|e| matches!(e, LineError::Utf8)));
    }
}
