//! Nothing here: this package only holds the end-to-end test binary `it` (see `it/main.rs`).
