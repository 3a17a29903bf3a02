//! lianjian-offsite
