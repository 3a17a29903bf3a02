//! Integration tests for lianjian-draw: golden RFC 3797 vectors, scenario tests, a naive
//! reference implementation of the spec, cross-checks against tools/draw_verify.py, and
//! property tests.

mod fixtures;
mod golden;
mod naive;
mod props;
mod python;
mod scenarios;
