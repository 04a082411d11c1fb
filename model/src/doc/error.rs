use crate::doc::DocKind;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error(transparent)]
    Automerge(#[from] automerge::AutomergeError),
    #[error("this is a {found} document, not a {expected} document")]
    WrongKind { expected: DocKind, found: String },
    #[error("no task with id {0}")]
    NoSuchTask(String),
    #[error("no item with id {0}")]
    NoSuchItem(String),
    #[error(transparent)]
    Stage(#[from] crate::portal::StageError),
    #[error("template could not be stored: {0}")]
    Template(String),
    /// The editor may only read this document (an alumni's archive, a viewer's token).
    #[error("read-only: {0}")]
    ReadOnly(String),
    /// A single- or multiple-choice question with fewer than two options leaves nothing to
    /// choose between.
    #[error("List at least two options, one per line.")]
    ChoiceNeedsTwoOptions,
    /// An edit the rules refuse, with the reason in words a user can act on.
    #[error("{0}")]
    Rule(String),
    /// A value the limits refuse (empty, too long, not a link, out of range), with what to do.
    #[error(transparent)]
    Invalid(#[from] crate::doc::limits::Invalid),
    /// A signature the form did not complete (no consent, a file the portal does not hold).
    #[error(transparent)]
    Sign(#[from] crate::onboarding::SignError),
}

impl ModelError {
    /// The refusal of a value, if this is one: the app shows it next to the field that caused it.
    pub fn invalid(&self) -> Option<&crate::doc::limits::Invalid> {
        match self {
            ModelError::Invalid(i) => Some(i),
            _ => None,
        }
    }
}
