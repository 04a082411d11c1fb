//! Pieces of markup shared by several sections: the 0–10 score scale, a labelled input, the
//! one-row add form, a list row's remove button, and a value as text under its label.

mod add_row;
mod entry;
mod remove_button;
mod score_scale;
mod text_field;

pub use add_row::AddRow;
pub use entry::Entry;
pub use remove_button::RemoveButton;
pub use score_scale::ScoreScale;
pub use text_field::TextField;
