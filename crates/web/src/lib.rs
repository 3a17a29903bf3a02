//! lianjian-web
