//! The Rust names progenitor and typify give to what a document names: types of component
//! schemas, builder setters of parameters. The glue, the features, the diff and the tests
//! predict them with these functions; `contract.rs` holds them to progenitor's output.

use heck::{ToPascalCase, ToSnakeCase};

/// typify's `sanitize`: `'` dropped, every character that cannot be in an identifier a word
/// break.
fn sanitize(name: &str) -> String {
    name.replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The type typify makes of component schema `name` (Pascal case; a leading digit gets an
/// `X`, `Self` a trailing `_`).
pub fn type_name(name: &str) -> String {
    let mut out = sanitize(name).to_pascal_case();
    if !out.chars().next().is_some_and(char::is_alphabetic) {
        out = format!("X{out}");
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// The builder setter progenitor makes of a parameter (snake case; a leading digit gets an
/// `x_`, a keyword a trailing `_`).
pub fn ident(name: &str) -> String {
    let mut out = sanitize(name).to_snake_case();
    if !out
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
    {
        out = format!("x_{out}");
    }
    if syn::parse_str::<syn::Ident>(&out).is_err() {
        out.push('_');
    }
    out
}

/// When two wire names make the same field or setter (`limit` and `Limit`, `type` and
/// `Type`): snake case, which is what both generators start from.
pub fn collision_key(name: &str) -> String {
    name.to_snake_case()
}
