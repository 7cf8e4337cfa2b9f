//! Lenient types: string enums that keep unknown values, and optional lists, maps and
//! flags that read `null` as empty.

use std::collections::BTreeSet;

use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::{Fields, Item, Meta, Token, Type};

use super::report::GlueReport;
use crate::syntax::type_name;

/// Typify's string enums (unit variants only, serde-derived) become `string_enum!`s.
pub(super) fn lenient_enums(items: &mut Vec<Item>, report: &mut GlueReport) -> Result<(), String> {
    let mut names = BTreeSet::new();
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        let derives_serde = e
            .attrs
            .iter()
            .any(|a| a.path().is_ident("derive") && quote!(#a).to_string().contains("Deserialize"));
        let container_serde = e.attrs.iter().any(|a| a.path().is_ident("serde"));
        if !derives_serde || container_serde || e.variants.is_empty() {
            continue;
        }
        if !e
            .variants
            .iter()
            .all(|v| matches!(v.fields, Fields::Unit) && v.discriminant.is_none())
        {
            continue;
        }
        let taken: BTreeSet<String> = e.variants.iter().map(|v| v.ident.to_string()).collect();
        let unknown = ["Unknown", "UnknownValue", "UnlistedValue"]
            .into_iter()
            .find(|n| !taken.contains(*n))
            .ok_or_else(|| format!("enum {}: no free name for the unknown variant", e.ident))?;
        let unknown = format_ident!("{unknown}");
        let mut variants = Vec::new();
        for v in &e.variants {
            let mut wire = v.ident.to_string();
            let mut docs = Vec::new();
            for a in &v.attrs {
                if a.path().is_ident("serde") {
                    a.parse_nested_meta(|m| {
                        if m.path.is_ident("rename") {
                            wire = m.value()?.parse::<syn::LitStr>()?.value();
                        }
                        Ok(())
                    })
                    .map_err(|err| format!("enum {}: {err}", e.ident))?;
                } else {
                    docs.push(a.clone());
                }
            }
            // typify names a value such as `+1` `plus1`: variants are upper camel case.
            let name = v.ident.to_string();
            let ident = match name.chars().next() {
                Some(c) if c.is_ascii_lowercase() => {
                    let upper = format!("{}{}", c.to_ascii_uppercase(), &name[1..]);
                    if taken.contains(&upper) {
                        v.ident.clone()
                    } else {
                        format_ident!("{upper}")
                    }
                }
                _ => v.ident.clone(),
            };
            variants.push(quote!(#(#docs)* #ident = #wire,));
        }
        let docs: Vec<_> = e
            .attrs
            .iter()
            .filter(|a| !a.path().is_ident("derive"))
            .collect();
        let (vis, name) = (&e.vis, &e.ident);
        let tokens = quote! {
            ::veeam_runtime::string_enum! {
                #(#docs)*
                #vis enum #name { #(#variants)* } unknown #unknown
            }
        };
        names.insert(name.to_string());
        *item = syn::parse2(tokens).map_err(|err| format!("enum {}: {err}", name))?;
        report.lenient_enums += 1;
    }
    // Drop typify's conversions for those enums; the macro provides its own.
    items.retain(|item| {
        let Item::Impl(i) = item else { return true };
        let Some((trait_path, _)) = &i.trait_ else {
            return true;
        };
        let Type::Path(self_ty) = &*i.self_ty else {
            return true;
        };
        let Some(self_name) = self_ty.path.get_ident() else {
            return true;
        };
        if !names.contains(&self_name.to_string()) {
            return true;
        }
        let last = trait_path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        !matches!(last.as_str(), "Display" | "FromStr" | "TryFrom" | "From")
    });
    Ok(())
}

/// Optional fields that are not `Option` (lists, maps, flags with `#[serde(default)]`) read
/// `null` as their default.
pub(super) fn null_tolerant_fields(items: &mut [Item], report: &mut GlueReport) {
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        for field in s.fields.iter_mut() {
            if type_name(&field.ty).as_deref() == Some("Option") {
                continue;
            }
            for attr in field.attrs.iter_mut() {
                if !attr.path().is_ident("serde") {
                    continue;
                }
                let Meta::List(list) = &mut attr.meta else {
                    continue;
                };
                let Ok(mut metas) =
                    list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                else {
                    continue;
                };
                let bare_default = metas
                    .iter()
                    .any(|m| matches!(m, Meta::Path(p) if p.is_ident("default")));
                let has_with = metas
                    .iter()
                    .any(|m| m.path().is_ident("deserialize_with") || m.path().is_ident("with"));
                if !bare_default || has_with {
                    continue;
                }
                metas.push(syn::parse_quote!(
                    deserialize_with = "::veeam_runtime::lenient::null_as_default"
                ));
                list.tokens = quote!(#metas);
                report.null_tolerant_fields += 1;
            }
        }
    }
}
