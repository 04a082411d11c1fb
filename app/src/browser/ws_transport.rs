//! One WebSocket as a frame transport: binary frames out, events in.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

/// What the transport reports. Callbacks run on the browser's event loop.
pub struct TransportEvents {
    pub on_open: Box<dyn FnMut()>,
    pub on_frame: Box<dyn FnMut(Vec<u8>)>,
    /// The close code and reason (1006 when the connection failed or dropped).
    pub on_close: Box<dyn FnMut(u16, String)>,
}

pub struct WsTransport {
    socket: WebSocket,
    // Held so that the handlers live exactly as long as the transport.
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl WsTransport {
    pub fn open(url: &str, events: TransportEvents) -> Result<Self, JsValue> {
        let socket = WebSocket::new(url)?;
        socket.set_binary_type(BinaryType::Arraybuffer);
        let TransportEvents {
            on_open,
            mut on_frame,
            mut on_close,
        } = events;
        let on_open = Closure::<dyn FnMut()>::new(on_open);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Ok(buffer) = event.data().dyn_into::<ArrayBuffer>() {
                on_frame(Uint8Array::new(&buffer).to_vec());
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            on_close(event.code(), event.reason());
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // An error is always followed by a close; handling close alone is enough.
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            socket,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    pub fn send(&self, frame: &[u8]) -> Result<(), JsValue> {
        self.socket.send_with_u8_array(frame)
    }

    pub fn is_open(&self) -> bool {
        self.socket.ready_state() == WebSocket::OPEN
    }
}

impl Drop for WsTransport {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}
