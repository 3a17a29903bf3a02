//! lianjian-registry
