//! The method-standard table the product ships with (a copy of `shared/data/method-standards.csv`,
//! sources in its last column). A regulator maintains its own table on top of it; this one is the
//! starting point, embedded so the product needs no file at run time.

use crate::methods::{MethodTable, MethodTableError};

/// The embedded CSV text.
pub const METHOD_STANDARDS_CSV: &str = include_str!("../data/method-standards.csv");

/// The embedded table, parsed.
pub fn method_table() -> Result<MethodTable, Vec<MethodTableError>> {
    MethodTable::from_csv(METHOD_STANDARDS_CSV.as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn embedded_table_parses_and_is_the_shared_reference_copy() {
        let table = super::method_table().expect("embedded table parses");
        assert!(table.len() > 40);
        let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/method-standards.csv");
        let reference = std::fs::read_to_string(shared).expect("shared/data beside the repository");
        assert_eq!(reference, super::METHOD_STANDARDS_CSV, "embedded copy differs from shared/data");
    }
}
