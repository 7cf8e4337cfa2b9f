//! The Markdown the generator writes (each crate's guide, the plain crate's README) lives in
//! template files under `codegen/templates/`, compiled in; `{{key}}` in them is replaced by its
//! value. Nothing else in a template is special.

/// `template` with each `{{key}}` of `values` replaced by its value. A placeholder left
/// unfilled is a mistake of the caller: tests fill every template and look for one.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{{{key}}}}}"), value);
    }
    out
}

/// The `{{key}}` placeholders of `text`, in order.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end)
                if after[..end]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push(&after[..end]);
                rest = &after[end + 2..];
            }
            _ => rest = after,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_by_name_and_nothing_else_changes() {
        let t = "a {{x}} b {{y}} { c } {{x}}";
        assert_eq!(placeholders(t), ["x", "y", "x"]);
        assert_eq!(
            fill(t, &[("x", "1"), ("y", "{{z}}")]),
            "a 1 b {{z}} { c } 1"
        );
    }
}
