//! What wiring to the runtime did, for the summary line `generate` prints and for tests.

/// What the rewrite did, for the summary line and for tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GlueReport {
    pub lenient_enums: usize,
    pub null_tolerant_fields: usize,
    /// Structs whose serde impls are written out instead of derived.
    pub serde_impls: usize,
    /// Non-generic methods marked `#[inline]` (compiled only where called).
    pub inlined: usize,
    /// Builder setters whose error message comes from the runtime instead of a closure.
    pub setters: usize,
    pub sends: usize,
    pub streams: usize,
    pub downloads: usize,
    /// Operation ids of the downloads, sorted: they get the download timeout.
    pub download_operations: Vec<String>,
    /// typify builders dropped: types no request body is built from.
    pub pruned_type_builders: usize,
    /// Operations answering with an enum by status (several success bodies).
    pub typed_statuses: usize,
    /// Base schemas written as a tagged union of their subtypes.
    pub unions: usize,
}

impl GlueReport {
    pub fn summary(&self) -> String {
        format!(
            "runtime: {} sends, {} enums by status, {} tagged unions, {} streams, {} downloads, {} lenient enums, {} null-tolerant fields, {} compact serde impls, {} unused type builders dropped",
            self.sends,
            self.typed_statuses, self.unions, self.streams, self.downloads, self.lenient_enums, self.null_tolerant_fields, self.serde_impls, self.pruned_type_builders
        )
    }

    /// Adds what the other half of the crate (types, or the rest) did.
    pub(crate) fn merge(&mut self, other: GlueReport) {
        self.lenient_enums += other.lenient_enums;
        self.null_tolerant_fields += other.null_tolerant_fields;
        self.serde_impls += other.serde_impls;
        self.inlined += other.inlined;
        self.setters += other.setters;
        self.sends += other.sends;
        self.streams += other.streams;
        self.downloads += other.downloads;
        self.download_operations.extend(other.download_operations);
        self.download_operations.sort();
        self.pruned_type_builders += other.pruned_type_builders;
        self.typed_statuses += other.typed_statuses;
        self.unions += other.unions;
    }
}
