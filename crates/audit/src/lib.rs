//! lianjian-audit
