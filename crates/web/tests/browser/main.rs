mod harness;
mod signin;
