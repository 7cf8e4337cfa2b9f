//! Work on progenitor's output as tokens, before (or instead of) parsing it into a syntax
//! tree: finding a module, splitting a module into items, naming what an item defines.
//!
//! Parsing is most of generation's time, so what can be decided from tokens alone (which
//! module goes to which thread, which typify builders nobody uses) is decided here and never
//! parsed. Everything here errs on the side of keeping: an item it cannot name is kept.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

fn is_ident(t: &TokenTree, name: &str) -> bool {
    matches!(t, TokenTree::Ident(i) if i == name)
}

fn is_punct(t: &TokenTree, c: char) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == c)
}

fn is_brace(t: &TokenTree) -> bool {
    matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
}

/// The top-level tokens of `stream` with the body of `mod <name> { .. }` taken out (left
/// empty), and that body (`None` when there is no such module).
pub fn take_module(stream: TokenStream, name: &str) -> (Vec<TokenTree>, Option<TokenStream>) {
    let mut tokens: Vec<TokenTree> = stream.into_iter().collect();
    let at = (2..tokens.len()).find(|&i| {
        is_ident(&tokens[i - 2], "mod") && is_ident(&tokens[i - 1], name) && is_brace(&tokens[i])
    });
    let Some(at) = at else { return (tokens, None) };
    let TokenTree::Group(g) = &tokens[at] else {
        unreachable!()
    };
    let body = g.stream();
    let mut empty = Group::new(Delimiter::Brace, TokenStream::new());
    empty.set_span(g.span());
    tokens[at] = TokenTree::Group(empty);
    (tokens, Some(body))
}

/// The path prefix typify writes for a type the glue defines itself (a tagged union):
/// `__veeam_union::Job`, until [`resolve_glue_paths`] makes it the path each module uses.
pub const GLUE_TYPE: &str = "__veeam_union";

/// Rewrites every `__veeam_union::Name` as the module it is in names typify's own types:
/// `Name` in `types`, `super::Name` in `types::builder`, `types::Name` elsewhere.
pub fn resolve_glue_paths(stream: TokenStream) -> TokenStream {
    fn walk(stream: TokenStream, module: &[String]) -> TokenStream {
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        let mut out = Vec::with_capacity(tokens.len());
        let mut i = 0;
        while i < tokens.len() {
            let marker = is_ident(&tokens[i], GLUE_TYPE)
                && tokens.len() > i + 3
                && is_punct(&tokens[i + 1], ':')
                && is_punct(&tokens[i + 2], ':');
            if marker {
                let prefix = match module {
                    [t] if t == "types" => "",
                    [t, b] if t == "types" && b == "builder" => "super ::",
                    _ => "types ::",
                };
                out.extend(prefix.parse::<TokenStream>().expect("a path prefix"));
                out.push(tokens[i + 3].clone());
                i += 4;
                continue;
            }
            match &tokens[i] {
                TokenTree::Group(g) => {
                    // `mod name { .. }`: its body is in that module.
                    let inner = match (
                        i.checked_sub(2).map(|j| &tokens[j]),
                        i.checked_sub(1).map(|j| &tokens[j]),
                    ) {
                        (Some(m), Some(TokenTree::Ident(name)))
                            if is_ident(m, "mod") && g.delimiter() == Delimiter::Brace =>
                        {
                            let mut inner = module.to_vec();
                            inner.push(name.to_string());
                            inner
                        }
                        _ => module.to_vec(),
                    };
                    let mut group = Group::new(g.delimiter(), walk(g.stream(), &inner));
                    group.set_span(g.span());
                    out.push(TokenTree::Group(group));
                }
                t => out.push(t.clone()),
            }
            i += 1;
        }
        out.into_iter().collect()
    }
    walk(stream, &[])
}

/// The items of a module body, each as its tokens (attributes included), without parsing.
/// An item ends with a `;`, or with a `{ .. }` unless it is a `use`, `const`, `static` or
/// `type` item (those end with their `;`). An inner attribute `#![..]` is an item of its own.
pub fn split_items(stream: TokenStream) -> Vec<Vec<TokenTree>> {
    const KEYWORDS: &[&str] = &[
        "fn", "struct", "enum", "union", "impl", "mod", "trait", "use", "const", "static", "type",
    ];
    let mut items = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    // The item's first keyword, and where it is.
    let mut keyword: Option<(String, usize)> = None;
    for t in stream {
        let inner_attribute =
            current.len() == 2 && is_punct(&current[0], '#') && is_punct(&current[1], '!');
        if inner_attribute
            && matches!(&t, TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket)
        {
            current.push(t);
            items.push(std::mem::take(&mut current));
            continue;
        }
        if let TokenTree::Ident(i) = &t {
            let name = i.to_string();
            match &keyword {
                None if KEYWORDS.contains(&name.as_str()) => keyword = Some((name, current.len())),
                // `const fn`, `const unsafe fn`: a function.
                Some((k, at)) if k == "const" && name == "fn" && current[at + 1..].iter().all(|t| {
                    matches!(t, TokenTree::Ident(q) if q == "unsafe" || q == "async" || q == "extern") || matches!(t, TokenTree::Literal(_))
                }) => keyword = Some((name, current.len())),
                _ => {}
            }
        }
        let ends = match &t {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => {
                g.delimiter() == Delimiter::Brace
                    && !matches!(
                        keyword.as_ref().map(|(k, _)| k.as_str()),
                        Some("use" | "const" | "static" | "type")
                    )
            }
            _ => false,
        };
        current.push(t);
        if ends {
            items.push(std::mem::take(&mut current));
            keyword = None;
        }
    }
    if !current.is_empty() {
        items.push(current);
    }
    items
}

/// The tokens after an item's outer attributes and visibility.
fn after_attrs_and_vis(item: &[TokenTree]) -> &[TokenTree] {
    let mut rest = item;
    loop {
        match rest {
            [hash, TokenTree::Group(g), tail @ ..]
                if is_punct(hash, '#') && g.delimiter() == Delimiter::Bracket =>
            {
                rest = tail
            }
            [vis, TokenTree::Group(g), tail @ ..]
                if is_ident(vis, "pub") && g.delimiter() == Delimiter::Parenthesis =>
            {
                rest = tail
            }
            [vis, tail @ ..] if is_ident(vis, "pub") => rest = tail,
            _ => return rest,
        }
    }
}

/// What an item is about: the name a `struct`/`enum`/`type` defines, or the type an `impl`
/// is for (the last identifier of its self type, as in `impl From<A> for super::B` -> `B`).
pub fn item_owner(item: &[TokenTree]) -> Option<String> {
    let rest = after_attrs_and_vis(item);
    match rest {
        [kw, TokenTree::Ident(name), ..]
            if ["struct", "enum", "type"].iter().any(|k| is_ident(kw, k)) =>
        {
            Some(name.to_string())
        }
        [kw, tail @ ..] if is_ident(kw, "impl") => impl_self_name(tail),
        _ => None,
    }
}

/// The self type's name of an impl header (the tokens after `impl`, up to its body).
fn impl_self_name(header: &[TokenTree]) -> Option<String> {
    let mut depth = 0i32;
    let mut start = 0;
    let mut last = None;
    for (i, t) in header.iter().enumerate() {
        match t {
            TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
            // `->` inside `Fn(..) -> T` is not a closing bracket.
            TokenTree::Punct(p)
                if p.as_char() == '>' && !(i > 0 && is_punct(&header[i - 1], '-')) =>
            {
                depth -= 1
            }
            TokenTree::Ident(id) if depth == 0 && id == "for" => {
                start = i + 1;
                last = None;
            }
            TokenTree::Ident(id) if depth == 0 && id == "where" => break,
            TokenTree::Ident(id) if depth == 0 && i >= start => last = Some(id.to_string()),
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace && depth == 0 => break,
            _ => {}
        }
    }
    last
}

/// Whether an item is a `struct`.
pub fn defines_struct(item: &[TokenTree]) -> bool {
    matches!(after_attrs_and_vis(item), [kw, ..] if is_ident(kw, "struct"))
}

/// Whether an item is `impl X { pub fn builder() -> builder::X { .. } }` and nothing else.
pub fn is_builder_fn_impl(item: &[TokenTree]) -> bool {
    let rest = after_attrs_and_vis(item);
    let [kw, header @ ..] = rest else {
        return false;
    };
    if !is_ident(kw, "impl") || header.iter().any(|t| is_ident(t, "for")) {
        return false;
    }
    let Some(TokenTree::Group(body)) = header.last().filter(|t| is_brace(t)) else {
        return false;
    };
    let members = split_items(body.stream());
    !members.is_empty()
        && members.iter().all(|m| matches!(after_attrs_and_vis(m), [f, name, ..] if is_ident(f, "fn") && is_ident(name, "builder")))
}

/// The typify builders progenitor's builders hold: every `types::builder::X` in the fields of
/// the structs of its builder module's body. A request builder keeps its body's builder in
/// a field, so its fields are enough, and far fewer tokens than its methods.
pub fn type_builders_in_fields(builder_module: TokenStream) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    for item in split_items(builder_module) {
        if let (true, Some(TokenTree::Group(fields))) = (defines_struct(&item), item.last()) {
            type_builder_paths(fields.stream(), &mut names);
        }
    }
    names
}

/// Every `X` of a `types::builder::X` path anywhere in `stream`.
pub fn type_builder_paths(stream: TokenStream, out: &mut std::collections::BTreeSet<String>) {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    for (i, t) in tokens.iter().enumerate() {
        if let TokenTree::Group(g) = t {
            type_builder_paths(g.stream(), out);
            continue;
        }
        if let [a, c1, c2, b, c3, c4, TokenTree::Ident(name), ..] = &tokens[i..] {
            if is_ident(a, "types")
                && is_ident(b, "builder")
                && [c1, c2, c3, c4].iter().all(|c| is_punct(c, ':'))
            {
                out.insert(name.to_string());
            }
        }
    }
}

/// A builder module's body cut in two at a struct (progenitor writes each builder's struct
/// and then its impl), about `share` of the items in the first part.
pub fn split_builders(body: TokenStream, share: f64) -> (TokenStream, TokenStream) {
    let mut items = split_items(body);
    let mut cut = ((items.len() as f64) * share) as usize;
    while cut < items.len() && !defines_struct(&items[cut]) {
        cut += 1;
    }
    let second = items.split_off(cut);
    (join(items), join(second))
}

/// A module body from items.
pub fn join(items: impl IntoIterator<Item = Vec<TokenTree>>) -> TokenStream {
    items.into_iter().flatten().collect()
}

/// `tokens` with the body of `mod <name> { .. }` (found at the top level) replaced.
pub fn with_module_body(tokens: Vec<TokenTree>, name: &str, body: TokenStream) -> Vec<TokenTree> {
    let mut tokens = tokens;
    if let Some(at) = (2..tokens.len()).find(|&i| {
        is_ident(&tokens[i - 2], "mod") && is_ident(&tokens[i - 1], name) && is_brace(&tokens[i])
    }) {
        let mut g = Group::new(Delimiter::Brace, body);
        g.set_span(tokens[at].span());
        tokens[at] = TokenTree::Group(g);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(src: &str) -> Vec<String> {
        split_items(src.parse().unwrap())
            .into_iter()
            .map(|i| i.into_iter().collect::<TokenStream>().to_string())
            .collect()
    }

    #[test]
    fn items_split_where_rust_ends_them() {
        let got = items(
            "#![allow(x)] use a::{b, c}; #[derive(D)] pub struct A { x: u8 } pub struct B(pub u8);
             pub(crate) const C: X = X { a: 1 }; impl<'a> From<A> for super::B where A: Copy { fn f() {} }
             pub mod m { struct Z; } type T = ::std::vec::Vec<u8>; const fn k() {} m! { x }",
        );
        assert_eq!(got.len(), 10, "{got:#?}");
        assert_eq!(got[0], "#! [allow (x)]");
        assert!(
            got[1].starts_with("use a ::") && got[1].ends_with(';'),
            "{}",
            got[1]
        );
        assert!(
            got[4].starts_with("pub (crate) const C") && got[4].ends_with(';'),
            "{}",
            got[4]
        );
        assert!(
            got[5].starts_with("impl <") && got[5].ends_with('}'),
            "{}",
            got[5]
        );
        assert!(got[7].starts_with("type T"), "{}", got[7]);
        assert!(got[8].starts_with("const fn k"), "{}", got[8]);
        assert_eq!(got[9], "m ! { x }");
    }

    #[test]
    fn owners_are_what_an_item_defines_or_implements() {
        let owner = |src: &str| item_owner(&split_items(src.parse().unwrap())[0]);
        assert_eq!(
            owner("#[derive(Clone)] pub struct A { }").as_deref(),
            Some("A")
        );
        assert_eq!(
            owner("impl ::std::convert::TryFrom<A> for super::B { }").as_deref(),
            Some("B")
        );
        assert_eq!(
            owner("impl<T: Fn() -> u8> Default for C<T> where T: Copy { }").as_deref(),
            Some("C")
        );
        assert_eq!(owner("impl D { }").as_deref(), Some("D"));
        assert_eq!(owner("pub fn f() { }"), None);
    }

    #[test]
    fn builder_fn_impls_are_recognised() {
        let first = |src: &str| split_items(src.parse().unwrap()).remove(0);
        assert!(is_builder_fn_impl(&first(
            "impl A { pub fn builder() -> builder::A { Default::default() } }"
        )));
        assert!(!is_builder_fn_impl(&first(
            "impl A { pub fn builder() -> builder::A { x } pub fn other() {} }"
        )));
        assert!(!is_builder_fn_impl(&first(
            "impl From<A> for B { fn builder() {} }"
        )));
        assert!(!is_builder_fn_impl(&first("impl A { const X: u8 = 1; }")));
    }

    #[test]
    fn type_builder_paths_are_found_at_any_depth() {
        let mut out = Default::default();
        type_builder_paths(
            "fn f() { let x: Result<types::builder::A, String> = g(|b| types::builder::B::default()); types::C; builder::D }".parse().unwrap(),
            &mut out,
        );
        assert_eq!(out.into_iter().collect::<Vec<_>>(), ["A", "B"]);
    }

    #[test]
    fn builders_are_cut_between_a_struct_and_what_precedes_it() {
        let body: TokenStream = "use a; struct A {} impl A {} struct B {} impl B {} impl C for B {} struct D; impl D {}".parse().unwrap();
        let (first, second) = split_builders(body.clone(), 0.5);
        assert_eq!(
            first.to_string(),
            "use a ; struct A { } impl A { } struct B { } impl B { } impl C for B { }"
        );
        assert_eq!(second.to_string(), "struct D ; impl D { }");
        let (all, none) = split_builders(body, 1.0);
        assert!(none.is_empty() && all.to_string().ends_with("impl D { }"));
    }

    #[test]
    fn a_module_body_is_taken_and_put_back() {
        let glue: TokenStream = "pub mod types { struct P(__veeam_union::Job); pub mod builder { struct B(Option<__veeam_union::Job>); } } mod builder { fn f(j: __veeam_union::Job) {} } type T = __veeam_union::Job;"
            .parse()
            .unwrap();
        assert_eq!(
            resolve_glue_paths(glue).to_string(),
            "pub mod types { struct P (Job) ; pub mod builder { struct B (Option < super :: Job >) ; } } mod builder { fn f (j : types :: Job) { } } type T = types :: Job ;"
        );
        let (tokens, body) = take_module(
            "use x; pub mod types { struct A; } mod b {}"
                .parse()
                .unwrap(),
            "types",
        );
        assert_eq!(body.unwrap().to_string(), "struct A ;");
        assert!(take_module("mod b {}".parse().unwrap(), "types")
            .1
            .is_none());
        assert_eq!(
            tokens.iter().cloned().collect::<TokenStream>().to_string(),
            "use x ; pub mod types { } mod b { }"
        );
        let back = with_module_body(tokens, "types", "struct B ;".parse().unwrap());
        assert_eq!(
            back.into_iter().collect::<TokenStream>().to_string(),
            "use x ; pub mod types { struct B ; } mod b { }"
        );
    }
}
