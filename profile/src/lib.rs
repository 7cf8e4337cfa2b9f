//! An API's profile: what its OpenAPI document does not say about how a client talks to it
//! (the login, the logout, how lists are paged), defined once for both halves of a client.
//!
//! The generator reads `spec/<api>/profile.yaml` into these types (feature `serde`) and writes
//! them into each generated crate as constants (`FromParts::PROFILE`, `PAGING`); the runtime
//! (`veeam-runtime`, which re-exports them) reads those constants. A field added here is read
//! from YAML and written into every crate without another edit; `codegen`'s `literal`
//! turns any value of these types into the Rust expression that builds it.
//!
//! Strings are `&'static str` because the runtime's copies are constants; the generator, a
//! short-lived process, leaks the few strings a profile holds to read them (see [`de`]).

#[cfg(feature = "serde")]
pub mod de;

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// A string of a profile. (A name of its own because serde's derive takes a literal
/// `&'static str` field as borrowed from the input, which a YAML document cannot lend.)
pub type Text = &'static str;

/// What differs between the APIs' logins and lists: the type of each generated client's
/// `FromParts::PROFILE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct ApiProfile {
    /// Path of the OAuth2 token endpoint (password grant and refresh), e.g. `/v8/token`;
    /// `None` when the API has no password login.
    pub token_path: Option<&'static str>,
    /// The request that revokes the session's tokens, if the API has one.
    pub logout: Option<Endpoint>,
    /// Extra form fields of the password grant. VB365 refuses a refresh from a client
    /// without its browser antiforgery cookie unless the login said
    /// `disable_antiforgery_token=true`.
    pub login_extra: &'static [(&'static str, &'static str)],
    /// The `grant_type` of a password login and of a refresh, as the API spells them: the
    /// OAuth2 standard's `password` and `refresh_token` (VB365), or the API's own
    /// (`Password`, `Refresh_token` for VB for Azure).
    pub password_grant: &'static str,
    pub refresh_grant: &'static str,
    /// How list operations are paged, when they are.
    pub paging: Option<PagingProfile>,
}

/// A method and path (below the base URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Endpoint {
    #[cfg_attr(feature = "serde", serde(deserialize_with = "de::leak"))]
    pub method: Text,
    #[cfg_attr(feature = "serde", serde(deserialize_with = "de::leak"))]
    pub path: Text,
}

/// The offset/limit paging convention (profile.yaml's `paging`): an operation is paged when
/// it takes both the offset and limit query parameters and answers with an envelope holding
/// `items` (or with a bare array). In YAML the parameters may be written `offset` and
/// `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct PagingProfile {
    /// Query parameter: items to skip (`offset`, `Offset`, `skip`).
    #[cfg_attr(
        feature = "serde",
        serde(alias = "offset", deserialize_with = "de::leak")
    )]
    pub offset_param: Text,
    /// Query parameter: page size (`limit`, `Limit`, `top`).
    #[cfg_attr(
        feature = "serde",
        serde(alias = "limit", deserialize_with = "de::leak")
    )]
    pub limit_param: Text,
    /// Envelope field holding the page's items.
    #[cfg_attr(
        feature = "serde",
        serde(default = "de::results", deserialize_with = "de::leak")
    )]
    pub items: Text,
    /// Envelope fields echoing the offset and the page size the server applied.
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            deserialize_with = "de::leak_some",
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub offset_field: Option<Text>,
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            deserialize_with = "de::leak_some",
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub limit_field: Option<Text>,
    /// Envelope field with the total number of items.
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            deserialize_with = "de::leak_some",
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub total_field: Option<Text>,
    /// JSON pointer, inside the envelope, of the next page's link (`/_links/next/href`).
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            deserialize_with = "de::leak_some",
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub next_link: Option<Text>,
    /// A result-set id the first page returns (envelope field) and later pages send back
    /// (query parameter of the same name), so they come from one snapshot.
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            deserialize_with = "de::leak_some",
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub set_id: Option<Text>,
    /// Page size asked for when the caller sets none.
    #[cfg_attr(feature = "serde", serde(default = "de::default_limit"))]
    pub default_limit: i64,
    /// The largest page size the API accepts.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub max_limit: Option<i64>,
}

/// The page-token convention (profile.yaml's `cursor_paging`; the one dropshot servers such
/// as Oxide's declare with `x-dropshot-pagination`): the first request sends a page size, each
/// answer holds its items and a token, the next request sends the token back, and a page
/// without a token is the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct CursorPaging {
    /// Query parameter carrying the token of the page asked for (`page_token`).
    #[cfg_attr(feature = "serde", serde(deserialize_with = "de::leak"))]
    pub token_param: Text,
    /// Query parameter: page size (`limit`).
    #[cfg_attr(feature = "serde", serde(deserialize_with = "de::leak"))]
    pub limit_param: Text,
    /// Envelope field holding the page's items (`items`).
    #[cfg_attr(feature = "serde", serde(deserialize_with = "de::leak"))]
    pub items: Text,
    /// Envelope field holding the next page's token (`next_page`); absent or null on the last.
    #[cfg_attr(feature = "serde", serde(deserialize_with = "de::leak"))]
    pub next_field: Text,
}
