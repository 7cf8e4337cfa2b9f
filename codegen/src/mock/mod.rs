//! The companion mock crate of a generated client (`generated/<api>-mock/`): a `Mock`
//! wrapping `veeam-mock`'s server, with one typed stub per operation, named like the
//! client's method and typed with the crate's own types.
//!
//! What each stub answers with and takes as a body is read from the client code progenitor
//! generated (its builders' `send` and `body`), so the stub's types are the client's by
//! construction; the method, path, success status and page shape come from the
//! per-operation facts and the document.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::facts::OperationFacts;

/// The mock crate's code (below its header) and what it covers.
#[derive(Debug, Clone)]
pub struct MockCode {
    pub lib: String,
    /// The API's title (the document's `info.title`).
    pub title: String,
    /// Operations with a stub.
    pub stubs: usize,
}

/// One operation's stub, as emitted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stub {
    id: String,
    method: String,
    path: String,
    status: u16,
    anonymous: bool,
    /// `Json`, `Empty`, `Bytes`, `Envelope`, `BareArray` (`veeam_mock::Answer`).
    answer: &'static str,
    /// The answer's type, as the mock crate names it.
    answer_type: String,
    /// The request body's type, as the mock crate names it.
    body_type: String,
}

/// The mock's code for the client crate `name` (generated `lib` and `builder` module).
pub fn code(
    name: &str,
    title: &str,
    auth: &dyn crate::auth::Auth,
    doc: &Value,
    facts: &BTreeMap<String, OperationFacts>,
    code: &crate::code::Code,
) -> MockCode {
    let krate = name.replace('-', "_");
    let builder = code.modules.get("builder").map_or("", String::as_str);
    let statuses = success_statuses(doc);
    let stubs: Vec<Stub> = facts
        .values()
        .filter_map(|f| stub(&krate, f, &code.lib, builder, &statuses))
        .collect();
    let client = auth.mock_call();
    let mut out = format!(
        "/// A mock {title} server on loopback, for tests of code that uses [`{krate}`]: it logs \
         in, pages, waits and fails as the server does. [`Mock::start`] starts it, \
         [`Mock::client`] is a client of it; each method names a client method and returns \
         the stub of its operation. It dereferences to [`veeam_mock::Server`] (page cap, \
         tokens, what was received).\n\
         #[derive(Debug)]\n\
         pub struct Mock(::veeam_mock::Server);\n\
         impl ::std::ops::Deref for Mock {{ type Target = ::veeam_mock::Server; \
         fn deref(&self) -> &::veeam_mock::Server {{ &self.0 }} }}\n\
         impl Mock {{\n\
         /// Starts a server on 127.0.0.1 with the API's login (and nothing else stubbed).\n\
         pub async fn start() -> Mock {{ Mock(::veeam_mock::Server::for_client::<{krate}::Client>().await) }}\n\
         /// A client of this server{who}.\n\
         pub fn client(&self) -> {krate}::Client {{ {krate}::Client::builder(self.0.uri()){client}.build().expect(\"a client of the mock server\") }}\n",
        who = auth.mock_note(),
    );
    for s in &stubs {
        out.push_str(&format!(
            "/// `{method} {path}`: what [`{krate}::Client::{id}`] gets.\n\
             pub fn {id}(&self) -> ::veeam_mock::Stub<'_, {answer_type}, {body_type}> {{\n\
             self.0.stub(::veeam_mock::Operation {{ id: {id:?}, method: {method:?}, path: {path:?}, \
             status: {status}, anonymous: {anonymous}, answer: ::veeam_mock::Answer::{answer} }})\n}}\n",
            method = s.method,
            path = s.path,
            id = s.id,
            answer_type = s.answer_type,
            body_type = s.body_type,
            status = s.status,
            anonymous = s.anonymous,
            answer = s.answer,
        ));
    }
    out.push_str("}\n");
    let lib = match syn::parse_file(&out) {
        Ok(file) => prettyplease::unparse(&file),
        Err(e) => {
            let _ = std::fs::write(std::env::temp_dir().join(format!("{name}-mock.rs")), &out);
            panic!("the mock code of {name} does not parse: {e}")
        }
    };
    MockCode {
        lib,
        title: title.to_string(),
        stubs: stubs.len(),
    }
}

/// The first success status each operation declares, by snake-case operation id.
fn success_statuses(doc: &Value) -> BTreeMap<String, u16> {
    let mut out = BTreeMap::new();
    crate::openapi::each_operation(doc, |_, _, op| {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            return;
        };
        let status = op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(code, _)| code.as_str())
            .find(|code| code.starts_with('2'))
            .map_or(200, status_number);
        out.insert(heck::ToSnakeCase::to_snake_case(id), status);
    });
    out
}

/// `201` as 201; `2XX` as 200.
fn status_number(code: &str) -> u16 {
    code.parse().unwrap_or(200)
}

fn stub(
    krate: &str,
    facts: &OperationFacts,
    lib: &str,
    builder: &str,
    statuses: &BTreeMap<String, u16>,
) -> Option<Stub> {
    let builder_name = builder_of(lib, &facts.id)?;
    let (send, body) = builder_types(builder, &builder_name)?;
    let qualify = |t: &str| t.replace("types::", &format!("{krate}::types::"));
    let mut status = statuses.get(&facts.id).copied().unwrap_or(200);
    // By status: the stub answers with the first status that has a JSON body.
    let by_status = facts.statuses.as_ref().and_then(|list| {
        list.iter()
            .find(|s| s.schema.is_some())
            .map(|s| (status_number(&s.status), s.schema.clone()))
    });
    let page = |schema: &str| {
        format!(
            "::std::vec::Vec<<{krate}::types::{} as ::veeam_mock::runtime::paging::Paged>::Item>",
            crate::names::type_name(schema)
        )
    };
    // A paged operation answers as its convention serves pages.
    let paged = facts.paging.as_ref().and_then(|p| p.mock_answer);
    let (answer, answer_type) = match (paged, &by_status) {
        (Some("Envelope"), Some((s, Some(schema)))) => {
            status = *s;
            ("Envelope", page(schema))
        }
        (Some("Envelope"), _) => {
            let ty = qualify(&send);
            (
                "Envelope",
                format!("::std::vec::Vec<<{ty} as ::veeam_mock::runtime::paging::Paged>::Item>"),
            )
        }
        (Some(other), _) => (other, qualify(&send)),
        (None, Some((s, Some(schema)))) => {
            status = *s;
            (
                "Json",
                format!("{krate}::types::{}", crate::names::type_name(schema)),
            )
        }
        (None, _) if facts.download || send == "ByteStream" => {
            ("Bytes", "::std::vec::Vec<u8>".to_string())
        }
        (None, _) if send == "()" => ("Empty", "()".to_string()),
        (None, _) if facts.statuses.is_some() => ("Empty", "()".to_string()),
        (None, _) => ("Json", qualify(&send)),
    };
    let body_type = body.map_or("()".to_string(), |b| qualify(&b));
    Some(Stub {
        id: facts.id.clone(),
        method: facts.method.to_uppercase(),
        path: facts.path.clone(),
        status,
        anonymous: facts.anonymous,
        answer,
        answer_type: nameable(krate, answer_type),
        body_type: nameable(krate, body_type),
    })
}

/// `t` when the mock crate can name it (the crate's types, std's, primitives), else any JSON
/// value: a by-status enum of the builder module, a `uuid` or `chrono` type of a crate the
/// mock does not depend on.
fn nameable(krate: &str, t: String) -> String {
    let types = format!("{krate}::types::");
    let ok = t
        .split(|c: char| "<>,()&[]; ".contains(c))
        .filter(|part| !part.is_empty())
        .all(|part| {
            part.starts_with("::std::")
                || part.starts_with("::veeam_mock::")
                || part.starts_with(&types)
                || (!part.contains("::") && part.chars().next().is_some_and(char::is_lowercase))
                || part == "as"
                || part == "::Item"
        });
    if ok {
        t
    } else {
        "::veeam_mock::serde_json::Value".to_string()
    }
}

/// The builder type the client's method `id` returns.
fn builder_of(lib: &str, id: &str) -> Option<String> {
    let at = lib.find(&format!("pub fn {id}("))?;
    let rest = &lib[at..];
    let start = rest.find("builder::")? + "builder::".len();
    let end = start + rest[start..].find('<')?;
    Some(rest[start..end].to_string())
}

/// What the builder's `send` answers with (inside `ResponseValue<...>`), and the type its
/// `body` setter takes, if it has one.
fn builder_types(builder: &str, name: &str) -> Option<(String, Option<String>)> {
    let at = builder.find(&format!("impl<'a> {name}<'a> {{"))?;
    let rest = &builder[at..];
    let send = rest.find("pub fn send(")?;
    let value = send + rest[send..].find("ResponseValue<")? + "ResponseValue<".len();
    let answer = balanced(&rest[value..])?;
    let body = rest[..send].find("pub fn body<V>").and_then(|b| {
        let t = b + rest[b..].find("TryInto<")? + "TryInto<".len();
        balanced(&rest[t..])
    });
    Some((squash(&answer), body.map(|b| squash(&b))))
}

/// The text up to the `>` closing an already open `<`.
fn balanced(text: &str) -> Option<String> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' if depth == 0 => return Some(text[..i].to_string()),
            '>' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// A type as one line (prettyplease breaks long ones).
fn squash(t: &str) -> String {
    let t = t.split_whitespace().collect::<Vec<_>>().join("");
    t.trim_end_matches(',').replace(",>", ">")
}

/// The mock crate's files: Cargo.toml, src/lib.rs, README.md. `client_dependency` and
/// `mock_dependency` are the Cargo specs of the client crate and of `veeam-mock`.
pub fn crate_files(
    name: &str,
    version: &str,
    command: &str,
    client_dependency: &str,
    mock_dependency: &str,
    code: &MockCode,
) -> BTreeMap<PathBuf, String> {
    let header = format!("Generated by `{command}`. Do not edit: change the spec and regenerate.");
    let title = &code.title;
    let mut files = BTreeMap::new();
    let mock_name = format!("{name}-mock");
    let description = format!(
        "A mock {title} server for tests of code that uses {name}: typed stubs of every operation"
    );
    let keywords: Vec<String> = ["veeam", "mock", "testing", "rest"]
        .iter()
        .map(|k| k.to_string())
        .collect();
    let package = crate::manifest::Package {
        name: &mock_name,
        version,
        description: &description,
        publish: true,
        keywords: &keywords,
        categories: crate::manifest::MOCK_CATEGORIES,
        api: None,
    };
    files.insert(
        PathBuf::from("Cargo.toml"),
        format!(
            "# {header}\n{package}# Generated code carries no tests of its own.\n[lib]\ntest = false\ndoctest = false\n\n# A dev-dependency of its users: a program's own build never compiles it, and its client\n# (with every resource group, so every stub has its types) only in test builds.\n[dependencies]\n{name} = {client_dependency}\nveeam-mock = {mock_dependency}\n",
            package = package.table(),
        ),
    );
    for (file, text) in crate::manifest::LICENSE_FILES {
        files.insert(PathBuf::from(file), text.to_string());
    }
    let krate = name.replace('-', "_");
    files.insert(
        PathBuf::from("src/lib.rs"),
        format!(
            "// {header}\n#![doc = include_str!(\"../README.md\")]\n\npub use ::veeam_mock::{{Fault, Received, Server, Stub}};\n\n{}",
            code.lib
        ),
    );
    files.insert(
        PathBuf::from("README.md"),
        format!(
            "<!-- {header} -->\n# {name}-mock\n\nA mock {title} server for the tests of code that uses `{name}`: `{krate}_mock::Mock::start().await` starts it on loopback, `mock.client()` is a `{krate}::Client` of it, and each of its {stubs} methods, named like the client's, is the typed stub of one operation (`.returns(value)` with the crate's own types, `.fault(...)`, `.received()`).\n\nIt logs in, pages, waits and fails as the server does (see `veeam-mock`). Add it as a dev-dependency: a program's own build does not compile it. The `{name}` guide has a complete test.\n",
            stubs = code.stubs,
        ),
    );
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_read_from_the_builders() {
        let lib = "    pub fn items_list(\n        &self,\n    ) -> builder::ItemsList<'_> {\n";
        let builder = "impl<'a> ItemsList<'a> {\n    pub fn body<V>(mut self, value: V) -> Self\n    where\n        V: std::convert::TryInto<types::NewItem>,\n    {}\n    pub fn send(\n        self,\n    ) -> impl ::std::future::Future<\n        Output = ::std::result::Result<\n            ResponseValue<\n                ::std::vec::Vec<types::Item>,\n            >,\n            E,\n        >,\n    > {}\n}";
        assert_eq!(builder_of(lib, "items_list").as_deref(), Some("ItemsList"));
        assert_eq!(
            builder_types(builder, "ItemsList"),
            Some((
                "::std::vec::Vec<types::Item>".to_string(),
                Some("types::NewItem".to_string())
            ))
        );
        assert_eq!(status_number("2XX"), 200);
        assert_eq!(status_number("201"), 201);
    }
}
