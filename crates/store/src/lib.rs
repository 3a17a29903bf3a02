//! lianjian-store
