//! One Cargo feature per resource group (OpenAPI tag), so a user compiles only the
//! operations they call and the types those reach.
//!
//! Works on the generated syntax tree: each client method and its builder get
//! `#[cfg(feature = "<group>")]`; each type gets `#[cfg(any(...))]` over every group whose
//! operations reach it, directly or through other types, so shared types exist whichever
//! features are on. Types no operation reaches are left out unless the `unreferenced-types`
//! feature is on.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use quote::quote;
use syn::visit::Visit;
use syn::{Attribute, Item, Type};

use crate::syntax::type_name;

/// The feature that keeps schemas no operation uses.
pub const UNREFERENCED: &str = "unreferenced-types";

/// What gating did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FeatureReport {
    /// Feature name -> its operations.
    pub groups: BTreeMap<String, usize>,
    pub gated_types: usize,
    pub unreferenced_types: usize,
}

/// Collects the last identifier of every path in a syntax node: enough to find which of our
/// type names it mentions (`types::RestJob`, `super::RestJob`, `RestJob`).
#[derive(Default)]
struct Names(BTreeSet<String>);

impl<'ast> Visit<'ast> for Names {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        if let Some(last) = p.segments.last() {
            self.0.insert(last.ident.to_string());
        }
        syn::visit::visit_path(self, p);
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // `string_enum!` bodies are tokens: take their identifiers.
        collect_idents(m.tokens.clone(), &mut self.0);
    }
}

fn collect_idents(tokens: proc_macro2::TokenStream, out: &mut BTreeSet<String>) {
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            proc_macro2::TokenTree::Group(g) => collect_idents(g.stream(), out),
            _ => {}
        }
    }
}

fn names_in_item(item: &Item) -> BTreeSet<String> {
    let mut v = Names::default();
    v.visit_item(item);
    v.0
}

/// The name an item defines, or (for an impl) the type it is for.
fn owner(item: &Item, type_names: &BTreeSet<String>) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Macro(m) => {
            // string_enum! { ... enum Name { ... } ... }
            let mut tokens = m.mac.tokens.clone().into_iter();
            while let Some(t) = tokens.next() {
                if matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "enum") {
                    return tokens.next().map(|n| n.to_string());
                }
            }
            None
        }
        Item::Impl(i) => {
            match type_name(&i.self_ty) {
                Some(n) if type_names.contains(&n) => Some(n),
                // `impl From<SecureString> for String`: the first of our types it names.
                _ => names_in_item(item)
                    .into_iter()
                    .find(|n| type_names.contains(n)),
            }
        }
        _ => None,
    }
}

/// `x` of `#[cfg(feature = "x")]`.
fn single_feature(attr: &Attribute) -> Option<String> {
    if !attr.path().is_ident("cfg") {
        return None;
    }
    let syn::Meta::List(list) = &attr.meta else {
        return None;
    };
    let nv: syn::MetaNameValue = syn::parse2(list.tokens.clone()).ok()?;
    if !nv.path.is_ident("feature") {
        return None;
    }
    match nv.value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

fn cfg_any(features: &BTreeSet<String>) -> Attribute {
    let list = features.iter().map(|f| quote!(feature = #f));
    syn::parse_quote!(#[cfg(any(#(#list),*))])
}

fn cfg_one(feature: &str) -> Attribute {
    syn::parse_quote!(#[cfg(feature = #feature)])
}

/// The documentation paragraph saying which features an item needs: docs.rs documents the
/// crate with every feature on, so without it a reader cannot tell what to enable.
fn feature_note(features: &BTreeSet<String>) -> [Attribute; 2] {
    let list: Vec<String> = features.iter().map(|f| format!("`{f}`")).collect();
    let note = if features.len() == 1 {
        format!(" Needs the crate feature {}.", list.join(""))
    } else {
        format!(" Needs one of the crate features {}.", list.join(", "))
    };
    [
        syn::parse_quote!(#[doc = ""]),
        syn::parse_quote!(#[doc = #note]),
    ]
}

/// Adds [`feature_note`] to the documentation of a type, a type alias, or a type written by
/// one of the runtime's macros (after the attributes the macro takes first).
fn note_features(item: &mut Item, features: &BTreeSet<String>) {
    let note = feature_note(features);
    match item {
        Item::Struct(s) => s.attrs.extend(note),
        Item::Enum(e) => e.attrs.extend(note),
        Item::Type(t) => t.attrs.extend(note),
        Item::Macro(m) => {
            let tokens: Vec<proc_macro2::TokenTree> = m.mac.tokens.clone().into_iter().collect();
            if !matches!(tokens.first(), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '#')
            {
                return;
            }
            // `#[..]` pairs first: the new paragraph goes after the existing documentation.
            let mut at = 0;
            while matches!(tokens.get(at), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '#')
                && matches!(tokens.get(at + 1), Some(proc_macro2::TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Bracket)
            {
                at += 2;
            }
            let mut out: proc_macro2::TokenStream = tokens[..at].iter().cloned().collect();
            for attr in &note {
                out.extend(quote!(#attr));
            }
            out.extend(tokens[at..].iter().cloned());
            m.mac.tokens = out;
        }
        _ => {}
    }
}

/// [`cfg_any`] as a line of text.
fn cfg_any_text(features: &BTreeSet<String>) -> String {
    let list: Vec<String> = features
        .iter()
        .map(|f| format!("feature = {f:?}"))
        .collect();
    format!("#[cfg(any({}))]\n", list.join(", "))
}

/// [`cfg_one`] as a line of text.
fn cfg_one_text(feature: &str) -> String {
    format!("#[cfg(feature = {feature:?})]\n")
}

fn attrs_mut(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        Item::Struct(s) => &mut s.attrs,
        Item::Enum(e) => &mut e.attrs,
        Item::Type(t) => &mut t.attrs,
        Item::Macro(m) => &mut m.attrs,
        Item::Impl(i) => &mut i.attrs,
        Item::Fn(f) => &mut f.attrs,
        Item::Const(c) => &mut c.attrs,
        _ => return None,
    })
}

fn module_items<'a>(items: &'a [Item], name: &str) -> Option<&'a Vec<Item>> {
    items.iter().find_map(|i| match i {
        Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    })
}

fn module_items_mut<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut Vec<Item>> {
    items.iter_mut().find_map(|i| match i {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Each builder's feature (`operations`: builder -> operation id; `groups`: operation id ->
/// feature), and how many operations each feature has.
pub(crate) fn builder_features(
    operations: &BTreeMap<String, String>,
    groups: &BTreeMap<String, String>,
) -> Result<(BTreeMap<String, String>, BTreeMap<String, usize>), String> {
    let mut features = BTreeMap::new();
    let mut counts = BTreeMap::new();
    for (builder, op) in operations {
        let feature = groups
            .get(op)
            .ok_or_else(|| format!("operation {op} has no resource group"))?;
        features.insert(builder.clone(), feature.clone());
        *counts.entry(feature.clone()).or_default() += 1;
    }
    Ok((features, counts))
}

/// Feature -> the names its builders mention (unfiltered: the types half knows which are
/// types). `builder_items`: the builder module.
pub(crate) fn builder_roots(
    builder_items: &[Item],
    builder_feature: &BTreeMap<String, String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut roots: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in builder_items {
        let Some(feature) = builder_name(item).and_then(|n| builder_feature.get(&n)) else {
            continue;
        };
        roots
            .entry(feature.clone())
            .or_default()
            .extend(names_in_item(item));
    }
    roots
}

/// Hand-written helpers gated on a group (templates, in the crate root's impls) reach types
/// too: feature -> the names they mention.
pub(crate) fn template_roots(items: &[Item], roots: &mut BTreeMap<String, BTreeSet<String>>) {
    for item in items {
        let Item::Impl(i) = item else { continue };
        for member in &i.items {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            for attr in &f.attrs {
                let Some(feature) = single_feature(attr) else {
                    continue;
                };
                let mut v = Names::default();
                v.visit_impl_item_fn(f);
                roots.entry(feature).or_default().extend(v.0);
            }
        }
    }
}

fn builder_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Impl(i) => type_name(&i.self_ty),
        _ => None,
    }
}

/// Gates each builder (struct and impls) by its operation's feature.
pub(crate) fn gate_builders(
    builder_items: &mut [Item],
    builder_feature: &BTreeMap<String, String>,
) {
    for item in builder_items.iter_mut() {
        if let Some(feature) = builder_name(item).and_then(|n| builder_feature.get(&n)) {
            if let Some(attrs) = attrs_mut(item) {
                attrs.push(cfg_one(feature));
            }
            note_features(item, &BTreeSet::from([feature.clone()]));
        }
    }
}

/// Gates the client's methods (`fn op(&self) -> builder::Op`) by their builder's feature.
pub(crate) fn gate_client(items: &mut [Item], builder_feature: &BTreeMap<String, String>) {
    for item in items.iter_mut() {
        let Item::Impl(i) = item else { continue };
        if i.trait_.is_some() {
            continue;
        }
        for member in i.items.iter_mut() {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            let syn::ReturnType::Type(_, ty) = &f.sig.output else {
                continue;
            };
            let Type::Path(p) = &**ty else { continue };
            if p.path.segments.len() != 2 || p.path.segments[0].ident != "builder" {
                continue;
            }
            let builder = p.path.segments[1].ident.to_string();
            if let Some(feature) = builder_feature.get(&builder) {
                f.attrs.push(cfg_one(feature));
                f.attrs
                    .extend(feature_note(&BTreeSet::from([feature.clone()])));
            }
        }
    }
}

/// What gating the types did, and each type's `#[cfg(..)]` line (for code written as text).
#[derive(Debug, Default)]
pub(crate) struct TypesGating {
    pub gated_types: usize,
    pub unreferenced_types: usize,
    pub cfg: BTreeMap<String, String>,
}

/// Gates the types module's items (`types`): each type, its impls, its builder and the
/// defaults that mention it, by every feature whose `roots` reach it.
pub(crate) fn gate_types(
    types: &mut Vec<Item>,
    roots: &BTreeMap<String, BTreeSet<String>>,
) -> TypesGating {
    let mut out = TypesGating::default();
    let mut type_names = BTreeSet::new();
    for item in types.iter() {
        if !matches!(item, Item::Impl(_)) {
            if let Some(n) = owner(item, &BTreeSet::new()) {
                type_names.insert(n);
            }
        }
    }
    // The type graph, from the types module and its builder/defaults.
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let add_deps = |items: &[Item], deps: &mut BTreeMap<String, BTreeSet<String>>| {
        for item in items {
            if let Some(o) = owner(item, &type_names) {
                let names: BTreeSet<String> = names_in_item(item)
                    .into_iter()
                    .filter(|n| type_names.contains(n) && *n != o)
                    .collect();
                deps.entry(o).or_default().extend(names);
            }
        }
    };
    add_deps(types, &mut deps);
    if let Some(b) = module_items(types, "builder") {
        add_deps(b, &mut deps);
    }
    let reach = |start: &BTreeSet<String>| -> BTreeSet<String> {
        let mut queue: VecDeque<String> = start
            .iter()
            .filter(|n| type_names.contains(*n))
            .cloned()
            .collect();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        while let Some(t) = queue.pop_front() {
            if seen.insert(t.clone()) {
                queue.extend(deps.get(&t).into_iter().flatten().cloned());
            }
        }
        seen
    };
    let mut reached: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (feature, start) in roots {
        for t in reach(start) {
            reached.entry(t).or_default().insert(feature.clone());
        }
    }
    // Types no operation reaches come with `unreferenced-types`, and so does what they use.
    let unreferenced: BTreeSet<String> = type_names
        .iter()
        .filter(|t| !reached.contains_key(*t))
        .cloned()
        .collect();
    out.unreferenced_types = unreferenced.len();
    for t in reach(&unreferenced) {
        reached
            .entry(t)
            .or_default()
            .insert(UNREFERENCED.to_string());
    }
    out.cfg = type_names
        .iter()
        .map(|t| {
            (
                t.clone(),
                reached
                    .get(t)
                    .map(cfg_any_text)
                    .unwrap_or_else(|| cfg_one_text(UNREFERENCED)),
            )
        })
        .collect();

    // Gate the types, their impls, their builders and the defaults that mention them.
    let gate = |item: &mut Item, out: &mut TypesGating, count: bool| {
        let Some(o) = owner(item, &type_names) else {
            return;
        };
        let unreferenced = BTreeSet::from([UNREFERENCED.to_string()]);
        let features = reached.get(&o).unwrap_or(&unreferenced);
        let attr = if reached.contains_key(&o) {
            cfg_any(features)
        } else {
            cfg_one(UNREFERENCED)
        };
        if count {
            out.gated_types += 1;
        }
        if let Some(attrs) = attrs_mut(item) {
            attrs.push(attr);
        }
        note_features(item, features);
    };
    for item in types.iter_mut() {
        let defines = !matches!(item, Item::Impl(_));
        gate(item, &mut out, defines);
    }
    for sub in ["builder", "defaults"] {
        if let Some(items) = module_items_mut(types, sub) {
            for item in items.iter_mut() {
                if let Item::Fn(f) = item {
                    // defaults::x() -> super::T: gate with the first type it names.
                    let names = names_in_item(&Item::Fn(f.clone()));
                    if let Some(t) = names.into_iter().find(|n| type_names.contains(n)) {
                        let attr = reached
                            .get(&t)
                            .map(cfg_any)
                            .unwrap_or_else(|| cfg_one(UNREFERENCED));
                        f.attrs.push(attr);
                    }
                    continue;
                }
                gate(item, &mut out, false);
            }
        }
    }
    out
}
