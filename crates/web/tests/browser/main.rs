mod harness;
mod plans;
mod registry;
mod signin;
