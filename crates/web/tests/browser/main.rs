mod harness;
mod plans;
mod signin;
