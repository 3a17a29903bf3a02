//! Integration tests of `lianjian-domain`, one binary (see STYLE.md): golden vectors from
//! `../shared/data/` and property tests.

mod calendar;
mod params;
mod plans;
mod uscc;
