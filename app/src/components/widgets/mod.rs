//! Pieces of markup shared by several sections: the 0–10 score scale, a labelled input, and the
//! one-row add form.

mod add_row;
mod score_scale;
mod text_field;

pub use add_row::AddRow;
pub use score_scale::ScoreScale;
pub use text_field::TextField;
