//! lianjian-draw
