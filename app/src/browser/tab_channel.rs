//! Tabs of one browser share IndexedDB. Each tab tells the others about every chunk it stores,
//! so they show the change at once (even offline) and never store it a second time.

use js_sys::{Object, Reflect, Uint8Array};
use threshold_protocol::DocumentId;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

const CHANNEL: &str = "threshold-stored-chunks";

pub struct TabChannel {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl TabChannel {
    /// `None` where the browser has no BroadcastChannel; tabs then converge through the relay.
    pub fn open(mut on_chunk: impl FnMut(DocumentId, Vec<u8>) + 'static) -> Option<Self> {
        let channel = BroadcastChannel::new(CHANNEL).ok()?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let doc = Reflect::get(&data, &"doc".into())
                .ok()
                .and_then(|d| d.as_string())
                .and_then(|d| d.parse::<DocumentId>().ok());
            let bytes = Reflect::get(&data, &"chunk".into())
                .ok()
                .and_then(|b| b.dyn_into::<Uint8Array>().ok());
            if let (Some(doc), Some(bytes)) = (doc, bytes) {
                on_chunk(doc, bytes.to_vec());
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Self {
            channel,
            _on_message: on_message,
        })
    }

    pub fn announce(&self, doc: &DocumentId, chunk: &[u8]) {
        let message = Object::new();
        let _ = Reflect::set(&message, &"doc".into(), &doc.to_string().into());
        let _ = Reflect::set(&message, &"chunk".into(), &Uint8Array::from(chunk));
        let _ = self.channel.post_message(&message);
    }
}
