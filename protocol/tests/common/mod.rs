//! Helpers shared by the engine's test files.

use threshold_protocol::{Chunk, Effect, Engine};

/// The chunk the engine asks to store for the edit just made.
pub fn saved_chunk(engine: &mut Engine) -> Chunk {
    engine
        .take_effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::Save { chunk, .. } => Some(chunk),
            _ => None,
        })
        .expect("the edit is stored")
}
