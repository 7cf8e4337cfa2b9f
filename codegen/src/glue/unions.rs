//! Tagged unions: each base schema normalization made a union (see
//! [`crate::normalize::polymorphism`]) becomes a `veeam_runtime::tagged_union!` in the
//! `types` module, with accessors for the fields every kind has (`job.name()`).
//!
//! typify writes no type for the base: [`replacements`] tell it the glue does, under a marker
//! path that [`crate::tokens::resolve_glue_paths`] makes the path each module uses.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Fields, Item};

use super::report::GlueReport;
use crate::normalize::polymorphism::{UnionPlan, UNION};

/// The unions of a normalized document, by base schema name, with the base's description.
pub(crate) fn plans(api: &openapiv3::OpenAPI) -> BTreeMap<String, (UnionPlan, Option<String>)> {
    let Some(components) = &api.components else {
        return BTreeMap::new();
    };
    components
        .schemas
        .iter()
        .filter_map(|(name, schema)| {
            let openapiv3::ReferenceOr::Item(schema) = schema else {
                return None;
            };
            let plan = schema.schema_data.extensions.get(UNION)?;
            let plan = serde_json::from_value(plan.clone()).ok()?;
            Some((name.clone(), (plan, schema.schema_data.description.clone())))
        })
        .collect()
}

/// (type typify would write, the marker path it writes instead) for each union.
pub(crate) fn replacements(
    plans: &BTreeMap<String, (UnionPlan, Option<String>)>,
) -> impl Iterator<Item = (String, String)> + '_ {
    plans.keys().map(|name| {
        let ty = crate::names::type_name(name);
        let path = format!("{}::{ty}", crate::tokens::GLUE_TYPE);
        (ty, path)
    })
}

/// A struct's named fields: Rust name -> (type, doc attributes).
type FieldsOf = BTreeMap<String, (String, Vec<syn::Attribute>)>;

fn struct_fields(items: &[Item]) -> BTreeMap<String, FieldsOf> {
    let mut out = BTreeMap::new();
    for item in items {
        let Item::Struct(s) = item else { continue };
        let Fields::Named(named) = &s.fields else {
            continue;
        };
        let fields = named
            .named
            .iter()
            .filter_map(|f| {
                let ty = &f.ty;
                let docs = f
                    .attrs
                    .iter()
                    .filter(|a| a.path().is_ident("doc"))
                    .cloned()
                    .collect();
                Some((
                    f.ident.as_ref()?.to_string(),
                    (quote!(#ty).to_string(), docs),
                ))
            })
            .collect();
        out.insert(s.ident.to_string(), fields);
    }
    out
}

/// Writes each union into `items` (the `types` module), kinds before the unions holding
/// them, so a union's accessors can call its kinds' own.
pub(crate) fn write(
    items: &mut Vec<Item>,
    described: &BTreeMap<String, (UnionPlan, Option<String>)>,
    report: &mut GlueReport,
) -> Result<(), String> {
    let plans: BTreeMap<String, UnionPlan> = described
        .iter()
        .map(|(name, (plan, _))| (name.clone(), plan.clone()))
        .collect();
    let plans = &plans;
    let structs = struct_fields(items);
    // Accessors each union has: field -> type.
    let mut accessors: BTreeMap<String, FieldsOf> = BTreeMap::new();
    let mut done = BTreeSet::new();
    let mut order = Vec::new();
    // Depth-first over kinds that are unions; bounded by the number of unions.
    fn visit<'a>(
        name: &'a str,
        plans: &'a BTreeMap<String, UnionPlan>,
        done: &mut BTreeSet<&'a str>,
        order: &mut Vec<&'a str>,
        depth: usize,
    ) {
        if depth > plans.len() || !done.insert(name) {
            return;
        }
        for v in &plans[name].variants {
            if plans.contains_key(&v.schema) {
                visit(&v.schema, plans, done, order, depth + 1);
            }
        }
        order.push(name);
    }
    for name in plans.keys() {
        visit(name, plans, &mut done, &mut order, 0);
    }
    for name in order {
        let plan = &plans[name];
        let ty = format_ident!("{}", crate::names::type_name(name));
        let base_ty = crate::names::type_name(&plan.base);
        let base = structs.get(&base_ty);
        let kinds: Vec<(syn::Ident, String)> = plan
            .variants
            .iter()
            .map(|v| {
                let t = crate::names::type_name(&v.schema);
                (format_ident!("{t}"), t)
            })
            .collect();
        let unknown = ["Unknown", "UnknownKind", "UnknownKindOf"]
            .into_iter()
            .find(|u| kinds.iter().all(|(_, t)| t != u))
            .map(|u| format_ident!("{u}"))
            .ok_or_else(|| format!("union {name}: no free name for its unknown kind"))?;
        let property = &plan.property;
        let variants = plan.variants.iter().zip(&kinds).map(|(v, (ident, _))| {
            let first = &v.tags[0];
            let more = &v.tags[1..];
            let doc = format!(
                "`{property}`: {}",
                v.tags
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            quote!(#[doc = #doc] #ident(#ident) = #first #(| #more)*,)
        });
        let doc = format!(
            "{}\n\nOne of the kinds below, told apart by `{property}`; a kind this crate does \
             not know is kept whole in `{unknown}` (the fields every kind has, and the JSON as \
             received).",
            described[name].1.as_deref().unwrap_or(&format!("`{name}`"))
        );
        let base_ident = format_ident!("{base_ty}");
        items.push(syn::parse_quote! {
            ::veeam_runtime::tagged_union! {
                #[doc = #doc]
                pub enum #ty by #property {
                    #(#variants)*
                } unknown #unknown(#base_ident)
            }
        });
        // The base's fields every kind has with the same type.
        let mut mine = FieldsOf::new();
        let mut methods: Vec<TokenStream> = Vec::new();
        for (field, (field_ty, docs)) in base.into_iter().flatten() {
            if matches!(field.as_str(), "tag" | "is_unknown") {
                continue;
            }
            let f = format_ident!("{field}");
            let mut arms = Vec::new();
            for (ident, kind) in &kinds {
                if let Some(inner) = plans.keys().find(|k| crate::names::type_name(k) == *kind) {
                    match accessors.get(inner).and_then(|a| a.get(field)) {
                        Some((t, _)) if t == field_ty => {
                            arms.push(quote!(Self::#ident(v) => v.#f(),))
                        }
                        _ => break,
                    }
                } else {
                    match structs.get(kind).and_then(|s| s.get(field)) {
                        Some((t, _)) if t == field_ty => {
                            arms.push(quote!(Self::#ident(v) => &v.#f,))
                        }
                        _ => break,
                    }
                }
            }
            if arms.len() != kinds.len() {
                continue;
            }
            let rust_ty: syn::Type =
                syn::parse_str(field_ty).map_err(|e| format!("union {name}: {e}"))?;
            let fallback = format!("`{field}`, whatever the kind.");
            let docs = if docs.is_empty() {
                vec![syn::parse_quote!(#[doc = #fallback])]
            } else {
                docs.clone()
            };
            methods.push(quote! {
                #(#docs)*
                pub fn #f(&self) -> &#rust_ty {
                    match self {
                        #(#arms)*
                        Self::#unknown { base, .. } => &base.#f,
                    }
                }
            });
            mine.insert(field.clone(), (field_ty.clone(), docs));
        }
        if !methods.is_empty() {
            items.push(syn::parse_quote! {
                impl #ty {
                    #(#methods)*
                }
            });
        }
        accessors.insert(name.to_string(), mine);
        report.unions += 1;
    }
    Ok(())
}
