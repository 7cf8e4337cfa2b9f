//! Semantic diff of two API documents, for reviewing spec changes: what changed for the
//! wire and for users of the generated crate, each change classified.
//!
//! Both sides are compared after assembly and normalization, so formatting, key order and
//! file layout never show. Operations are matched by method and path, with the API version
//! prefix (`/v7`, `/v8`) removed and letter case folded, because the vendor bumps the prefix
//! and changes the case of path segments between versions while servers match paths
//! case-insensitively ([`PathRule`]). Schema changes are followed through `$ref`s, so a
//! change deep inside a shared schema is listed under every operation it reaches, once, with
//! the path to it.

//!
//! The modules, lowest first: [`PathRule`] and the report types ([`Diff`]) at the bottom;
//! `walk` (two schemas side by side) below `operation` (one pair of operations) and
//! `schemas` (the component schemas alone), both below `compare` (the whole comparison,
//! [`diff`]); the renderers (`markdown` with its size `budget`, `text`) below `render`
//! ([`render`], [`Format`]). Each imports only modules below it, never this one.

mod budget;
mod compare;
mod markdown;
mod model;
mod operation;
mod path_rule;
mod render;
mod schemas;
mod text;
mod walk;

pub use budget::{Budget, DEFAULT_MAX_BYTES};
pub use compare::diff;
pub use markdown::render_markdown;
pub use model::{Bump, Change, Class, CrateEffect, Diff, OperationDiff, SchemaDiff};
pub use path_rule::PathRule;
pub use render::{render, Format};
