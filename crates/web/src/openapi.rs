//! The OpenAPI document's shared parts: security schemes, and the error answers every operation can
//! give, declared as what they really are — RFC 9457 problem JSON (`application/problem+json`) —
//! so that a client generated from the document, or a conformance checker, meets no undeclared
//! status or content type.

use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};

/// Problem answers any operation may give, with what each means here.
const COMMON_ERRORS: &[(&str, &str)] = &[
    ("400", "请求无效:参数、路径或 JSON 有误(problem JSON 的 field 指出哪一项)"),
    ("401", "未登录或令牌无效"),
    ("403", "无权执行,或 CSRF 校验失败,或须先修改口令"),
    ("404", "对象不存在"),
    ("405", "此地址不支持该请求方法"),
    ("413", "请求体超过此类上传的大小上限"),
    ("415", "请求体的媒体类型不对"),
    ("422", "内容合乎格式但被规则拒绝(逐项列出)"),
    ("429", "同一来源失败次数过多,稍后再试"),
    ("500", "服务器内部错误(细节只记入日志)"),
];

const PROBLEM: &str = "application/problem+json";

/// Adds the security schemes and the common error answers.
pub struct Conventions;

impl utoipa::Modify for Conventions {
    fn modify(&self, doc: &mut OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
        for item in doc.paths.paths.values_mut() {
            let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for op in ops.into_iter().flatten() {
                declare_errors(op);
            }
        }
    }
}

fn is_problem(content: &Content) -> bool {
    matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"))
}

fn declare_errors(op: &mut Operation) {
    let responses = &mut op.responses.responses;
    for response in responses.values_mut() {
        let RefOr::T(response) = response else { continue };
        if response.content.get("application/json").is_some_and(is_problem) {
            if let Some(content) = response.content.shift_remove("application/json") {
                response.content.insert(PROBLEM.to_owned(), content);
            }
        }
    }
    for (code, description) in COMMON_ERRORS {
        responses.entry((*code).to_owned()).or_insert_with(|| {
            let mut r = Response::new(*description);
            r.content.insert(PROBLEM.to_owned(), Content::new(Some(Ref::from_schema_name("Problem"))));
            RefOr::T(r)
        });
    }
}
