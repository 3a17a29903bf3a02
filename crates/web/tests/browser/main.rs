mod harness;
mod plans;
mod registry;
mod reports;
mod signin;
