//! Shaping the code for the compiler: `#[inline]` on non-generic methods, setters that
//! share their error messages through the runtime, typify builders nobody uses dropped.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use syn::punctuated::Punctuated;
use syn::{Item, Token, Type};

/// Builder setters (progenitor's and typify's) each end in `.map_err(|e| message)`: a
/// closure per setter, 2,600 of them, each a body rustc checks on its own. They call
/// `veeam_runtime::ops::or_message(_with)` instead; the messages are unchanged.
pub(super) fn shared_setter_errors(items: &mut [Item]) -> usize {
    let mut count = 0;
    each_method(items, &mut |imp, f| {
        if imp.trait_ {
            return;
        }
        for stmt in &mut f.block.stmts {
            let syn::Stmt::Expr(syn::Expr::Assign(assign), Some(_)) = stmt else {
                continue;
            };
            let syn::Expr::MethodCall(call) = &*assign.right else {
                continue;
            };
            if call.method != "map_err" || call.args.len() != 1 {
                continue;
            }
            let syn::Expr::Closure(closure) = &call.args[0] else {
                continue;
            };
            let Some(replacement) = setter_message(closure) else {
                continue;
            };
            let converted = &call.receiver;
            assign.right = Box::new(match replacement {
                SetterMessage::Fixed(m) => {
                    syn::parse_quote!(::veeam_runtime::ops::or_message(#converted, #m))
                }
                SetterMessage::Prefix(p) => {
                    syn::parse_quote!(::veeam_runtime::ops::or_message_with(#converted, #p))
                }
            });
            count += 1;
        }
    });
    count
}

/// What a method's impl block is: a trait impl, generic over types.
pub(super) struct ImplFacts {
    trait_: bool,
    generic: bool,
}

/// Calls `f` with every method of every impl in `items` and the modules under them.
pub(super) fn each_method(
    items: &mut [Item],
    f: &mut impl FnMut(&ImplFacts, &mut syn::ImplItemFn),
) {
    for item in items {
        match item {
            Item::Mod(m) => {
                if let Some((_, content)) = &mut m.content {
                    each_method(content, f);
                }
            }
            Item::Impl(imp) => {
                let facts = ImplFacts {
                    trait_: imp.trait_.is_some(),
                    generic: imp.generics.type_params().next().is_some(),
                };
                for member in &mut imp.items {
                    if let syn::ImplItem::Fn(method) = member {
                        f(&facts, method);
                    }
                }
            }
            _ => {}
        }
    }
}

pub(super) enum SetterMessage {
    /// `|_| "text".to_string()`
    Fixed(String),
    /// `|e| format!("text{e}")` or `|e| format!("text{}", e)`
    Prefix(String),
}

pub(super) fn setter_message(closure: &syn::ExprClosure) -> Option<SetterMessage> {
    let mut body = &*closure.body;
    if let syn::Expr::Block(b) = body {
        match b.block.stmts.as_slice() {
            [syn::Stmt::Expr(e, None)] => body = e,
            _ => return None,
        }
    }
    let param = match closure.inputs.iter().collect::<Vec<_>>().as_slice() {
        [syn::Pat::Wild(_)] => None,
        [syn::Pat::Ident(i)] => Some(i.ident.to_string()),
        _ => return None,
    };
    match (body, param) {
        (syn::Expr::MethodCall(m), None) if m.method == "to_string" && m.args.is_empty() => {
            match &*m.receiver {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(SetterMessage::Fixed(s.value())),
                _ => None,
            }
        }
        (syn::Expr::Macro(m), Some(param)) if m.mac.path.is_ident("format") => {
            let args = m
                .mac
                .parse_body_with(Punctuated::<syn::Expr, Token![,]>::parse_terminated)
                .ok()?;
            let args: Vec<_> = args.into_iter().collect();
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = args.first()?
            else {
                return None;
            };
            let text = s.value();
            let prefix = match args.as_slice() {
                [_] => text.strip_suffix(&format!("{{{param}}}"))?,
                [_, syn::Expr::Path(p)] if p.path.is_ident(&param) => text.strip_suffix("{}")?,
                _ => return None,
            };
            // Any other placeholder would be lost.
            if prefix.contains('{') {
                return None;
            }
            Some(SetterMessage::Prefix(prefix.to_string()))
        }
        _ => None,
    }
}

/// Marks every non-generic method `#[inline]`. rustc compiles a library's non-generic
/// functions to machine code whether or not anyone calls them; an `#[inline]` one only in
/// the crate that calls it. A client of 487 operations where a program calls a dozen
/// should not make everyone pay LLVM for the rest (it was a third of the crate's build).
pub(super) fn inline_methods(items: &mut [Item]) -> usize {
    let mut count = 0;
    each_method(items, &mut |imp, f| {
        let generic = imp.generic
            || f.sig.generics.type_params().next().is_some()
            || f.sig
                .inputs
                .iter()
                .any(|a| matches!(a, syn::FnArg::Typed(t) if matches!(*t.ty, Type::ImplTrait(_))));
        if generic || f.attrs.iter().any(|a| a.path().is_ident("inline")) {
            return;
        }
        f.attrs.push(syn::parse_quote!(#[inline]));
        count += 1;
    });
    count
}

/// typify writes a builder (`types::builder::X`, with `X::builder()`) for every struct; the
/// client only uses those of request bodies (`.body_map(|b| ...)`). The others were about
/// 40% of the crate's lines and nobody calls them: they are dropped from the types module's
/// tokens, before it is parsed. `keep`: the builders the client names.
pub(crate) fn prune_type_builders(
    types: TokenStream,
    keep: &BTreeSet<String>,
) -> (TokenStream, usize) {
    use crate::tokens::{
        is_builder_fn_impl, item_owner, join, split_items, take_module, with_module_body,
    };
    let unused =
        |item: &[proc_macro2::TokenTree]| item_owner(item).is_some_and(|n| !keep.contains(&n));
    let mut pruned = 0;
    let items = split_items(types).into_iter().filter_map(|item| {
        // `impl X { pub fn builder() -> builder::X }`
        if is_builder_fn_impl(&item) && unused(&item) {
            return None;
        }
        let (outer, Some(body)) = take_module(item.iter().cloned().collect(), "builder") else {
            return Some(item);
        };
        let kept = split_items(body).into_iter().filter(|member| {
            let drop = unused(member);
            let is_struct = crate::tokens::defines_struct(member);
            pruned += usize::from(drop && is_struct);
            !drop
        });
        Some(with_module_body(outer, "builder", join(kept)))
    });
    let stream = join(items.collect::<Vec<_>>());
    (stream, pruned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn setter_closures_become_runtime_calls_with_the_same_messages() {
        let mut file: syn::File = syn::parse_str(r#"
            impl<'a> B<'a> {
                pub fn limit<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i32> {
                    self.limit = value.try_into().map(Some).map_err(|_| "conversion to `i32` for limit failed".to_string());
                    self
                }
                pub fn body<V>(mut self, value: V) -> Self {
                    self.body = value.try_into().map(From::from).map_err(|s| { format!("conversion to `X` for body failed: {}", s) });
                    self
                }
                pub fn id<T>(mut self, value: T) -> Self {
                    self.id = value.try_into().map_err(|e| format!("error converting supplied value for id: {e}"));
                    self
                }
                pub fn kept<T>(mut self, value: T) -> Self {
                    self.kept = value.try_into().map_err(|e| format!("{e} and {}", 1));
                    self
                }
            }
        "#).unwrap();
        assert_eq!(shared_setter_errors(&mut file.items), 3);
        let out = quote!(#file).to_string();
        assert!(out.contains(r#"or_message (value . try_into () . map (Some) , "conversion to `i32` for limit failed")"#), "{out}");
        assert!(
            out.contains(r#""conversion to `X` for body failed: ""#),
            "{out}"
        );
        assert!(
            out.contains(r#""error converting supplied value for id: ""#),
            "{out}"
        );
        assert!(
            out.contains(r#"map_err (| e | format ! ("{e} and {}" , 1))"#),
            "{out}"
        );
    }
}
