//! Generation: the validated, normalized document through progenitor (builder interface),
//! then our rewrites ([`crate::glue`], [`crate::features`]), then prettyplease.
//!
//! With the runtime, the crate is written as three files (`src/lib.rs`, `src/types.rs`,
//! `src/builder.rs`) by two threads. Syntax trees cannot cross threads, so each runs
//! progenitor itself and parses only its share: one thread most of the builders, the other
//! the types, the crate root and the last builders. What one needs of the other it reads
//! from tokens (the page types, the typify builders in use), or receives over a channel:
//! each builder's feature, the names its builders mention, the downloads, the page types
//! they stream. The builders' shares are printed apart and joined. On the 2-core machines we
//! build on, that halves generation's wall time.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;

use crate::error::{Error, Result};
use crate::features::FeatureReport;
use crate::glue::GlueReport;
use crate::load::Document;
use crate::options::RuntimeOptions;

/// The formatted code of a crate: `src/lib.rs` below its header, and its module files.
#[derive(Debug, Clone, Default)]
pub struct Code {
    pub lib: String,
    /// Crates progenitor's code needs beyond every crate's own (its `uses_futures` and
    /// `uses_websockets`): the manifest lists them.
    pub uses: Uses,
    /// Module name -> the contents of `src/<name>.rs`.
    pub modules: BTreeMap<String, String>,
}

impl Code {
    /// Every file's lines.
    pub fn lines(&self) -> usize {
        self.lib.lines().count()
            + self
                .modules
                .values()
                .map(|m| m.lines().count())
                .sum::<usize>()
    }
}

/// What progenitor said its code uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uses {
    /// `futures` (streams over `x-dropshot-pagination` operations).
    pub futures: bool,
    /// `base64` and `rand` (websocket upgrades, `x-dropshot-websocket`).
    pub websockets: bool,
    /// `regress` (typify checks `pattern`s with it).
    pub regress: bool,
}

/// Why one half of generation failed.
#[derive(Debug, PartialEq)]
enum Failure {
    Progenitor(String),
    /// What progenitor wrote does not compile because of this schema (a JSON pointer).
    Schema {
        pointer: String,
        message: String,
    },
    Format(String),
    /// The other half failed first (its channel closed); its error is the one to report.
    OtherHalf,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Format(message)
    }
}

/// progenitor on the whole document. It still has `assert!`s and `todo!`s we may not have
/// foreseen in [`crate::validate`]; a panic is caught and reported as an error (with
/// progenitor's message) rather than taking the caller down.
fn progenitor(api: &openapiv3::OpenAPI, runtime: bool) -> Result<(TokenStream, Uses), Failure> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut settings = GenerationSettings::new();
        settings
            .with_interface(InterfaceStyle::Builder)
            .with_tag(TagStyle::Merged);
        let unions = if runtime {
            crate::glue::union_plans(api)
        } else {
            Default::default()
        };
        if runtime {
            // The session is the client's inner value; glue implements the hooks.
            settings
                .with_inner_type(quote!(::veeam_runtime::Session))
                .with_hooks(HooksMode::Expected);
            // Tagged unions are the glue's to write.
            for (ty, path) in crate::glue::union_replacements(&unions) {
                settings.with_replacement(ty, path, std::iter::empty());
            }
        }
        let mut generator = Generator::new(&settings);
        let mut tokens = generator.generate_tokens(api)?;
        if !unions.is_empty() {
            tokens = crate::tokens::resolve_glue_paths(tokens);
        }
        let uses = Uses {
            futures: generator.uses_futures(),
            websockets: generator.uses_websockets(),
            regress: generator.get_type_space().uses_regress(),
        };
        Ok::<_, progenitor::Error>((tokens, uses))
    }))
    .map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Failure::Progenitor(format!("progenitor panicked ({message}); this input needs a validation rule or a normalization pass in codegen"))
    })?
    .map_err(|e| Failure::Progenitor(e.to_string()))
}

/// Where in `doc` progenitor's refusal comes from: the component schemas when progenitor
/// refuses them with no path at all, else the operation (or path) found by halving the
/// paths until one half fails alone; `""` (the document) when the refusal needs several
/// paths together. Only called once generation has failed.
fn locate_refusal(doc: &serde_json::Value) -> String {
    let Some(paths) = doc.get("paths").and_then(serde_json::Value::as_object) else {
        return String::new();
    };
    let fails = |paths: serde_json::Map<String, serde_json::Value>| {
        let mut copy = doc.clone();
        copy["paths"] = serde_json::Value::Object(paths);
        match serde_json::from_value::<openapiv3::OpenAPI>(copy) {
            Ok(api) => progenitor(&api, false).is_err(),
            Err(_) => false,
        }
    };
    if fails(serde_json::Map::new()) {
        return "/components/schemas".into();
    }
    let mut suspects: Vec<(&String, &serde_json::Value)> = paths.iter().collect();
    while suspects.len() > 1 {
        let half = suspects.len() / 2;
        let (a, b) = suspects.split_at(half);
        let pick = |part: &[(&String, &serde_json::Value)]| {
            part.iter()
                .map(|(k, v)| ((*k).clone(), (*v).clone()))
                .collect()
        };
        suspects = if fails(pick(a)) {
            a.to_vec()
        } else if fails(pick(b)) {
            b.to_vec()
        } else {
            return String::new();
        };
    }
    let Some((path, item)) = suspects.first() else {
        return String::new();
    };
    let at = crate::error::pointer(["paths", path.as_str()]);
    // The method, when one alone fails.
    for method in crate::openapi::METHODS {
        if item.get(method).is_some() {
            // The path item as it is (its shared parameters too), with only this method.
            let mut only = item.as_object().cloned().unwrap_or_default();
            only.retain(|k, _| k == method || !crate::openapi::METHODS.contains(&k.as_str()));
            let mut one = serde_json::Map::new();
            one.insert((*path).clone(), serde_json::Value::Object(only));
            if fails(one) {
                return format!("{at}/{method}");
            }
        }
    }
    at
}

/// The first type name typify declares twice in `items` (structs, enums, type aliases).
fn duplicate_type(items: &[syn::Item]) -> Option<String> {
    let mut seen = std::collections::BTreeSet::new();
    items.iter().find_map(|item| {
        let name = match item {
            syn::Item::Struct(s) => s.ident.to_string(),
            syn::Item::Enum(e) => e.ident.to_string(),
            syn::Item::Type(t) => t.ident.to_string(),
            _ => return None,
        };
        (!seen.insert(name.clone())).then_some(name)
    })
}

/// progenitor as the runtime pipeline runs it, for [`crate::contract`].
pub(crate) fn progenitor_tokens(api: &openapiv3::OpenAPI) -> Result<(TokenStream, Uses), String> {
    progenitor(api, true).map_err(|f| format!("{f:?}"))
}

fn parse(tokens: TokenStream) -> Result<syn::File, Failure> {
    syn::parse2(tokens).map_err(|e| Failure::Format(e.to_string()))
}

/// Runs progenitor and our rewrites, and formats the result.
pub fn client_code(
    api: &openapiv3::OpenAPI,
    doc: &Document,
    krate: &str,
    runtime: Option<&RuntimeOptions>,
    groups: Option<&BTreeMap<String, String>>,
    facts: &BTreeMap<String, crate::facts::OperationFacts>,
) -> Result<(Code, Option<GlueReport>, Option<FeatureReport>)> {
    let error = |failure: Failure| match failure {
        Failure::Progenitor(message) => Error::Generator {
            at: doc.locate(&locate_refusal(&doc.value)),
            message,
        },
        Failure::Schema { pointer, message } => Error::Generator {
            at: doc.locate(&pointer),
            message,
        },
        Failure::Format(message) => Error::Format {
            krate: krate.to_string(),
            message,
        },
        Failure::OtherHalf => Error::Format {
            krate: krate.to_string(),
            message: "generation failed".into(),
        },
    };
    let Some(options) = runtime else {
        let plain = || {
            let (tokens, uses) = progenitor(api, false)?;
            Ok::<_, Failure>((prettyplease::unparse(&parse(tokens)?), uses))
        };
        let (lib, uses) = std::thread::scope(|s| on_big_stack(s, plain)).map_err(error)?;
        let code = Code {
            lib,
            uses,
            modules: BTreeMap::new(),
        };
        return Ok((code, None, None));
    };
    let (main, builder) = std::thread::scope(|s| {
        let (facts_tx, facts_rx) = mpsc::channel();
        let main = spawn_big(s, move || main_half(api, options, groups, facts, facts_rx));
        let builder = on_big_stack(s, move || {
            builder_half(api, options, groups, facts, facts_tx)
        });
        let main = match main {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(Failure::Format(
                    "the generator's second thread panicked".into(),
                ))
            }),
            Err(e) => Err(e),
        };
        (main, builder)
    });
    let (main, builder) = both(main, builder).map_err(error)?;
    let (mut builder_text, mut glue) = builder;
    glue.merge(main.glue);
    let features = main.feature_counts.map(|groups| FeatureReport {
        groups,
        gated_types: main.gated_types,
        unreferenced_types: main.unreferenced_types,
    });
    let mut modules = main.modules;
    builder_text.push_str(&main.builders);
    modules.insert("builder".to_string(), builder_text);
    Ok((
        Code {
            lib: main.lib,
            uses: main.uses,
            modules,
        },
        Some(glue),
        features,
    ))
}

/// The stack generation runs on. progenitor and typify recurse over schemas (composition
/// cycles, which recurse forever, are cut by normalization); a large document nests deeply
/// enough to need more than a thread's default 2 MiB. Reserved, not committed: it costs
/// address space, not memory.
const STACK: usize = 512 << 20;

fn spawn_big<'scope, T: Send + 'scope>(
    s: &'scope std::thread::Scope<'scope, '_>,
    f: impl FnOnce() -> Result<T, Failure> + Send + 'scope,
) -> Result<std::thread::ScopedJoinHandle<'scope, Result<T, Failure>>, Failure> {
    std::thread::Builder::new()
        .name("codegen".into())
        .stack_size(STACK)
        .spawn_scoped(s, f)
        .map_err(|e| Failure::Format(format!("starting the generator's thread: {e}")))
}

/// Runs `f` on a thread with [`STACK`] and waits for it.
fn on_big_stack<'scope, T: Send + 'scope>(
    s: &'scope std::thread::Scope<'scope, '_>,
    f: impl FnOnce() -> Result<T, Failure> + Send + 'scope,
) -> Result<T, Failure> {
    spawn_big(s, f)?
        .join()
        .unwrap_or_else(|_| Err(Failure::Format("the generator's thread panicked".into())))
}

/// Both halves' results, or the failure to report: a half that stopped because the other
/// one failed ([`Failure::OtherHalf`]) gives way to the other's own failure.
fn both<M, B>(main: Result<M, Failure>, builder: Result<B, Failure>) -> Result<(M, B), Failure> {
    match (main, builder) {
        (Ok(m), Ok(b)) => Ok((m, b)),
        (Err(Failure::OtherHalf), Err(e)) | (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// What the rest of the crate needs of some builders, read off them before their rewrite.
struct BuilderFacts {
    /// Each page type, with the field holding its items.
    page_impls: BTreeMap<String, String>,
    download_operations: Vec<String>,
    /// When the crate has features: each builder's, the names each feature's builders
    /// mention, and each feature's operations.
    features: Option<BuilderFeatures>,
}

#[derive(Default)]
struct BuilderFeatures {
    of_builder: BTreeMap<String, String>,
    roots: BTreeMap<String, BTreeSet<String>>,
    counts: BTreeMap<String, usize>,
}

impl BuilderFacts {
    fn merge(&mut self, other: BuilderFacts) {
        self.page_impls.extend(other.page_impls);
        self.download_operations.extend(other.download_operations);
        self.download_operations.sort();
        if let (Some(mine), Some(theirs)) = (&mut self.features, other.features) {
            mine.of_builder.extend(theirs.of_builder);
            for (feature, names) in theirs.roots {
                mine.roots.entry(feature).or_default().extend(names);
            }
            for (feature, n) in theirs.counts {
                *mine.counts.entry(feature).or_default() += n;
            }
        }
    }
}

/// Some of the builder module, parsed and surveyed, waiting for its rewrite.
struct Builders {
    file: syn::File,
    survey: BTreeMap<String, crate::glue::Builder>,
    of_builder: Option<BTreeMap<String, String>>,
}

/// Parses builders (`tokens`, a share of the builder module) and reads off them what the
/// crate root and the types need.
fn survey_builders(
    tokens: TokenStream,
    groups: Option<&BTreeMap<String, String>>,
    facts: &BTreeMap<String, crate::facts::OperationFacts>,
    pagings: &crate::paging::Pagings,
) -> Result<(Builders, BuilderFacts), Failure> {
    let file = parse(tokens)?;
    let survey = crate::glue::survey(&file.items, facts)?;
    let operations = survey
        .iter()
        .map(|(name, b)| (name.clone(), b.facts.id.clone()))
        .collect();
    let features = match groups {
        Some(groups) => {
            let (of_builder, counts) = crate::features::builder_features(&operations, groups)?;
            let mut roots = crate::features::builder_roots(&file.items, &of_builder);
            // The bodies of an enum by status are the operation's too (the enum is written
            // after this survey).
            for b in survey.values() {
                let schemas = b
                    .facts
                    .statuses
                    .iter()
                    .flatten()
                    .filter_map(|s| s.schema.as_deref());
                roots
                    .entry(b.facts.group.clone())
                    .or_default()
                    .extend(schemas.map(crate::names::type_name));
            }
            Some(BuilderFeatures {
                of_builder,
                roots,
                counts,
            })
        }
        None => None,
    };
    let mut download_operations: Vec<String> = survey
        .values()
        .filter(|b| b.facts.download)
        .map(|b| b.facts.id.clone())
        .collect();
    download_operations.sort();
    let facts = BuilderFacts {
        page_impls: survey
            .values()
            .filter_map(|b| b.page_type(pagings))
            .collect(),
        download_operations,
        features,
    };
    let of_builder = facts.features.as_ref().map(|f| f.of_builder.clone());
    Ok((
        Builders {
            file,
            survey,
            of_builder,
        },
        facts,
    ))
}

/// Rewrites, gates and prints surveyed builders.
fn finish_builders(
    mut builders: Builders,
    profile: &crate::profile::Profile,
    glue: &mut GlueReport,
) -> Result<String, Failure> {
    let features = builders.of_builder.is_some();
    crate::glue::builder_part(
        &mut builders.file.items,
        &builders.survey,
        profile,
        features,
        glue,
    )?;
    crate::glue::methods(&mut builders.file.items, glue);
    if let Some(of_builder) = &builders.of_builder {
        crate::features::gate_builders(&mut builders.file.items, of_builder);
    }
    Ok(prettyplease::unparse(&builders.file))
}

/// The share of the builders the builder thread takes; the other thread, which has less to
/// do, takes the rest (balanced by measurement on vb365).
const BUILDER_SHARE: f64 = 0.85;

struct MainHalf {
    lib: String,
    uses: Uses,
    /// `types`, when progenitor wrote that module.
    modules: BTreeMap<String, String>,
    /// The last builders, printed (the end of `src/builder.rs`).
    builders: String,
    glue: GlueReport,
    gated_types: usize,
    unreferenced_types: usize,
    /// Feature -> its operations, when the crate has features.
    feature_counts: Option<BTreeMap<String, usize>>,
}

/// The crate root and the `types` module: typify's builders nobody uses dropped (as
/// tokens), then parsed, rewritten, gated and printed, the serde impls appended as text.
fn main_half(
    api: &openapiv3::OpenAPI,
    options: &RuntimeOptions,
    groups: Option<&BTreeMap<String, String>>,
    op_facts: &BTreeMap<String, crate::facts::OperationFacts>,
    facts_rx: mpsc::Receiver<BuilderFacts>,
) -> Result<MainHalf, Failure> {
    let (tokens, uses) = progenitor(api, true)?;
    let mut glue = GlueReport::default();
    let (rest, types_body) = crate::tokens::take_module(tokens, "types");
    let (rest, builder_body) = crate::tokens::take_module(rest.into_iter().collect(), "builder");
    let builder_body =
        builder_body.ok_or_else(|| Failure::Format("progenitor wrote no builder module".into()))?;
    // Only the typify builders the client uses.
    let keep = crate::tokens::type_builders_in_fields(builder_body.clone());
    let types_body = types_body.map(|body| {
        let (body, pruned) = crate::glue::prune_type_builders(body, &keep);
        glue.pruned_type_builders = pruned;
        body
    });
    let mut types = types_body.map(parse).transpose()?;
    if let Some(name) = types.as_ref().and_then(|t| duplicate_type(&t.items)) {
        // Better an error naming the schema than a crate that does not compile.
        let schema = api.components.as_ref().and_then(|c| {
            c.schemas
                .keys()
                .find(|k| crate::names::type_name(k) == name)
        });
        return Err(Failure::Schema {
            pointer: schema.map_or("/components/schemas".into(), |k| {
                crate::error::pointer(["components", "schemas", k.as_str()])
            }),
            message: format!("typify writes two types named `{name}` (an inline schema, often one merged through `allOf` from another schema, is named like this one): give the inline schema a `title` or rename this schema"),
        });
    }
    let mut lib = parse(rest.into_iter().collect())?;
    let (_, my_builders) = crate::tokens::split_builders(builder_body, BUILDER_SHARE);
    let (builders, mut facts) =
        survey_builders(my_builders, groups, op_facts, &options.profile.paging)?;
    let serde = match &mut types {
        Some(types) => {
            crate::glue::types_part(&mut types.items, &crate::glue::union_plans(api), &mut glue)?
        }
        None => Vec::new(),
    };
    let builders = finish_builders(builders, &options.profile, &mut glue)?;
    facts.merge(facts_rx.recv().map_err(|_| Failure::OtherHalf)?);
    crate::glue::lib_part(&mut lib, options)?;
    crate::glue::methods(&mut lib.items, &mut glue);
    let mut gating = None;
    if let Some(types) = &mut types {
        crate::glue::page_impls(&mut types.items, &facts.page_impls)?;
        crate::glue::methods(&mut types.items, &mut glue);
    }
    let mut feature_counts = None;
    if let Some(mut features) = facts.features {
        crate::features::template_roots(&lib.items, &mut features.roots);
        crate::features::gate_client(&mut lib.items, &features.of_builder);
        gating = types
            .as_mut()
            .map(|types| crate::features::gate_types(&mut types.items, &features.roots));
        feature_counts = Some(features.counts);
    }
    // The modules are files.
    for item in &mut lib.items {
        if let syn::Item::Mod(m) = item {
            if m.ident == "types" || m.ident == "builder" {
                m.content = None;
                m.semi = Some(Default::default());
            }
        }
    }
    let mut modules = BTreeMap::new();
    if let Some(types) = types {
        let mut text = prettyplease::unparse(&types);
        drop(types);
        if !serde.is_empty() {
            text.push_str(
                "// Serde impls, written out instead of derived (see `veeam_runtime::json`).\n",
            );
            for impls in &serde {
                let cfg = gating
                    .as_ref()
                    .and_then(|g| g.cfg.get(&impls.name))
                    .map_or("", String::as_str);
                crate::glue::write_serde_impls(&mut text, impls, cfg);
            }
        }
        // Lenient enums take any string (an unknown one is kept), so in typify's parsing of an
        // untagged union (a `bool` or such an enum: GitHub's gist `public`) the enum's arm
        // always matches.
        if text.contains("} else if let Ok(v) = value.parse()") {
            text.insert_str(0, "#![allow(irrefutable_let_patterns)]\n\n");
        }
        modules.insert("types".to_string(), text);
    }
    let lib = prettyplease::unparse(&lib);
    let (gated_types, unreferenced_types) =
        gating.map_or((0, 0), |g| (g.gated_types, g.unreferenced_types));
    Ok(MainHalf {
        lib,
        uses,
        modules,
        builders,
        glue,
        gated_types,
        unreferenced_types,
        feature_counts,
    })
}

/// The builder module up to [`BUILDER_SHARE`]: the start of `src/builder.rs`.
fn builder_half(
    api: &openapiv3::OpenAPI,
    options: &RuntimeOptions,
    groups: Option<&BTreeMap<String, String>>,
    op_facts: &BTreeMap<String, crate::facts::OperationFacts>,
    facts_tx: mpsc::Sender<BuilderFacts>,
) -> Result<(String, GlueReport), Failure> {
    let (tokens, _) = progenitor(api, true)?;
    let (rest, _types) = crate::tokens::take_module(tokens, "types");
    let (_, builder) = crate::tokens::take_module(rest.into_iter().collect(), "builder");
    let builder =
        builder.ok_or_else(|| Failure::Format("progenitor wrote no builder module".into()))?;
    let (my_builders, _) = crate::tokens::split_builders(builder, BUILDER_SHARE);
    let (builders, facts) =
        survey_builders(my_builders, groups, op_facts, &options.profile.paging)?;
    // If the other half has failed, it is not listening, and it reports why.
    let _ = facts_tx.send(facts);
    drop(facts_tx);
    let mut glue = GlueReport::default();
    let text = finish_builders(builders, &options.profile, &mut glue)?;
    Ok((text, glue))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_half_that_failed_first_is_reported() {
        let p = || Failure::Progenitor("unsupported schema".into());
        let f = || Failure::Format("bad tokens".into());
        assert_eq!(both(Ok(1), Ok(2)), Ok((1, 2)));
        // The main half waited on facts the builder half never sent.
        assert_eq!(both::<(), ()>(Err(Failure::OtherHalf), Err(p())), Err(p()));
        // Either way round (the builder half ignores a closed channel today).
        assert_eq!(both::<(), ()>(Err(f()), Err(Failure::OtherHalf)), Err(f()));
        assert_eq!(both::<(), u8>(Err(p()), Ok(2)), Err(p()));
        assert_eq!(both::<u8, ()>(Ok(1), Err(f())), Err(f()));
        // Both failed on their own: the main half's is reported.
        assert_eq!(both::<(), ()>(Err(p()), Err(f())), Err(p()));
    }
}
