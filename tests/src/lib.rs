//! Clients generated at build time (see build.rs) from each spec under fixtures/specs, one
//! module per fixture. They are compiled here, and their shape is asserted in
//! tests/snapshots.rs; their text is pinned by the insta snapshots.

macro_rules! fixture_clients {
    ($($name:ident),* $(,)?) => {
        // progenitor imports `types` into its builder module even when a spec has none.
        $(#[allow(unused_imports)]
        pub mod $name {
            include!(concat!(env!("OUT_DIR"), "/", stringify!($name), ".rs"));
        })*
    };
}

fixture_clients!(
    default_response,
    form_and_json_request,
    json_without_schema,
    octet_stream_object,
    optional_path_parameter,
    split_spec,
    wildcard_response,
);
