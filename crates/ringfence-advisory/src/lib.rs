//! placeholder: filled in by the advisory work
