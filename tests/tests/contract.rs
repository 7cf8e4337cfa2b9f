//! The contract with progenitor and typify: every assumption the glue makes about their
//! output (module names, the shape of `send()`, type and setter names, `ByteStream`, the
//! client's constructor), checked on a document that exercises each. On an upgrade this
//! names what changed; progenitor is pinned exactly in Cargo.toml until it passes.

#[test]
fn progenitor_and_typify_write_what_the_glue_reads() {
    let violations = codegen::contract::violations();
    assert!(
        violations.is_empty(),
        "progenitor's or typify's output changed:\n- {}",
        violations.join("\n- ")
    );
}
