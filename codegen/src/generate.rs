//! Generation: the validated, normalized document through progenitor (builder interface),
//! then formatted with prettyplease.

use std::panic::{catch_unwind, AssertUnwindSafe};

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;

use crate::error::{Error, Result};
use crate::features::FeatureReport;
use crate::glue::{GlueReport, RuntimeOptions};
use crate::load::Document;

/// Runs progenitor and formats its output. progenitor still has `assert!`s and `todo!`s we
/// may not have foreseen in [`crate::validate`]; a panic is caught and reported as an error
/// (with progenitor's message) rather than taking the caller down.
pub fn client_code(
    api: &openapiv3::OpenAPI,
    doc: &Document,
    krate: &str,
    runtime: Option<&RuntimeOptions>,
    groups: Option<&std::collections::BTreeMap<String, String>>,
) -> Result<(String, Option<GlueReport>, Option<FeatureReport>)> {
    let at = doc.locate("");
    let tokens = catch_unwind(AssertUnwindSafe(|| {
        let mut settings = GenerationSettings::new();
        settings
            .with_interface(InterfaceStyle::Builder)
            .with_tag(TagStyle::Merged);
        if runtime.is_some() {
            // The session is the client's inner value; glue implements the hooks.
            settings
                .with_inner_type(quote!(::veeam_runtime::Session))
                .with_hooks(HooksMode::Expected);
        }
        Generator::new(&settings).generate_tokens(api)
    }))
    .map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Error::Generator {
            at: at.clone(),
            message: format!("progenitor panicked ({message}); this input needs a validation rule or a normalization pass in codegen"),
        }
    })?
    .map_err(|e| Error::Generator {
        at: at.clone(),
        message: e.to_string(),
    })?;
    let format_error = |message: String| Error::Format {
        krate: krate.to_string(),
        message,
    };
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| format_error(e.to_string()))?;
    let glue = match runtime {
        Some(options) => Some(crate::glue::apply(&mut file, options).map_err(format_error)?),
        None => None,
    };
    let features = match groups {
        Some(groups) => Some(crate::features::apply(&mut file, groups).map_err(format_error)?),
        None => None,
    };
    Ok((prettyplease::unparse(&file), glue, features))
}
