//! Pieces of markup shared by several sections.

mod score_scale;

pub use score_scale::ScoreScale;
