//! The browser's key-value storage behind one narrow trait: IndexedDB when the browser allows
//! it, and an in-memory twin otherwise (private windows, storage disabled), in which case the
//! app says that nothing will be kept on this device.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("browser storage failed: {0}")]
    Js(String),
}

impl From<wasm_bindgen::JsValue> for StoreError {
    fn from(value: wasm_bindgen::JsValue) -> Self {
        let text = js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|s| s.as_string())
            .filter(|s| s != "{}")
            .or_else(|| value.as_string())
            .unwrap_or_else(|| format!("{value:?}"));
        StoreError::Js(text)
    }
}

#[allow(async_fn_in_trait)]
pub trait KvStore {
    /// Every entry whose key starts with `prefix`, in key order.
    async fn load_prefix(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError>;
    async fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError>;
    /// Resolves once the value is committed.
    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StoreError>;
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// The in-memory twin.
#[derive(Default)]
pub struct MemStore {
    entries: std::cell::RefCell<std::collections::BTreeMap<String, Vec<u8>>>,
}

impl KvStore for MemStore {
    async fn load_prefix(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        Ok(self
            .entries
            .borrow()
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        Ok(self
            .load_prefix(prefix)
            .await?
            .into_iter()
            .map(|(k, _)| k)
            .collect())
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.entries
            .borrow_mut()
            .insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.entries.borrow_mut().remove(key);
        Ok(())
    }
}
