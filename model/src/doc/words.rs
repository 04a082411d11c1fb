//! Enums stored in a document as one word per variant (a stage, a task's status, a field's
//! kind…), declared once as a list of variant/word pairs.
//!
//! ```text
//! stored_words! {
//!     /// Where a task stands.
//!     #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
//!     pub enum TaskStatus {
//!         Todo = "todo" / "To do",
//!         Done = "done" / "Done",
//!     }
//! }
//! ```
//! gives the enum `ALL` (every variant, in order), `as_str` (the stored word), `label` (when
//! every variant has one) and `parse`. A document may hold a word this version does not know
//! (written by a newer one), so `parse` never fails: with `unknown => Variant` after the enum an
//! unknown word reads as that variant, and without it `parse` answers `None`.

macro_rules! stored_words {
    // Variants with labels: the words and `parse` as below, plus `label`.
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $word:literal / $label:literal,)+
        }
        $(unknown => $fallback:ident)?
    ) => {
        stored_words! {
            $(#[$meta])*
            $vis enum $name { $($(#[$vmeta])* $variant = $word,)+ }
            $(unknown => $fallback)?
        }

        impl $name {
            /// How the product names it to a person.
            pub fn label(&self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $word:literal,)+
        }
        $(unknown => $fallback:ident)?
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: [$name; [$($word),+].len()] = [$($name::$variant),+];

            /// The word stored in the document.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            stored_words!(@parse $name $(, $fallback)?);
        }
    };
    (@parse $name:ident) => {
        /// The variant stored as `s`, if this version knows the word.
        pub fn parse(s: &str) -> Option<Self> {
            Self::ALL.into_iter().find(|v| v.as_str() == s)
        }
    };
    (@parse $name:ident, $fallback:ident) => {
        /// The variant stored as `s`; a word this version does not know reads as the fallback.
        pub fn parse(s: &str) -> Self {
            Self::ALL
                .into_iter()
                .find(|v| v.as_str() == s)
                .unwrap_or($name::$fallback)
        }
    };
}

pub(crate) use stored_words;
