//! IndexedDB as a key-value store: one database, one object store of `Uint8Array`s by string
//! key. Writes resolve when their transaction completes, which is when they are durable.

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbKeyRange, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode,
};

use super::kv_store::{KvStore, StoreError};

const STORE: &str = "kv";

pub struct IdbStore {
    db: IdbDatabase,
}

/// Resolve when a request succeeds, with its result.
async fn request(req: &IdbRequest) -> Result<JsValue, StoreError> {
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = req.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &ok.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = req.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let error = failed
                .error()
                .ok()
                .flatten()
                .map(|e| JsValue::from(e.message()))
                .unwrap_or_else(|| JsValue::from("request failed"));
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        req.set_onsuccess(Some(on_success.unchecked_ref()));
        req.set_onerror(Some(on_error.unchecked_ref()));
    });
    Ok(JsFuture::from(promise).await?)
}

/// Resolve when a transaction commits.
async fn committed(tx: &IdbTransaction) -> Result<(), StoreError> {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let reject_abort = reject.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from("transaction failed"));
        });
        let on_abort = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject_abort.call1(
                &JsValue::NULL,
                &JsValue::from("transaction aborted (storage full?)"),
            );
        });
        tx.set_oncomplete(Some(on_complete.unchecked_ref()));
        tx.set_onerror(Some(on_error.unchecked_ref()));
        tx.set_onabort(Some(on_abort.unchecked_ref()));
    });
    JsFuture::from(promise).await?;
    Ok(())
}

fn prefix_range(prefix: &str) -> Result<JsValue, StoreError> {
    // Every key that starts with `prefix` sorts between it and prefix + U+FFFF.
    let upper = format!("{prefix}\u{ffff}");
    Ok(IdbKeyRange::bound(&JsValue::from(prefix), &JsValue::from(upper))?.into())
}

impl IdbStore {
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let window = web_sys::window().ok_or_else(|| StoreError::Js("no window".into()))?;
        let factory = window
            .indexed_db()?
            .ok_or_else(|| StoreError::Js("IndexedDB is not available".into()))?;
        let open = factory.open_with_u32(name, 1)?;
        let upgrading = open.clone();
        let on_upgrade = Closure::once_into_js(move |_: web_sys::Event| {
            if let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
                // Version 1 is the only version: upgrading means creating the one store.
                let _ = db.create_object_store(STORE);
            }
        });
        open.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
        let db: IdbDatabase = request(&open).await?.dyn_into()?;
        Ok(Self { db })
    }

    fn store(
        &self,
        mode: IdbTransactionMode,
    ) -> Result<(IdbTransaction, IdbObjectStore), StoreError> {
        let tx = self.db.transaction_with_str_and_mode(STORE, mode)?;
        let store = tx.object_store(STORE)?;
        Ok((tx, store))
    }
}

impl KvStore for IdbStore {
    async fn load_prefix(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let (_tx, store) = self.store(IdbTransactionMode::Readonly)?;
        let range = prefix_range(prefix)?;
        // Both requests run in one transaction, so keys and values line up.
        let keys_req = store.get_all_keys_with_key(&range)?;
        let values_req = store.get_all_with_key(&range)?;
        let keys: Array = request(&keys_req).await?.dyn_into()?;
        let values: Array = request(&values_req).await?.dyn_into()?;
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| Some((k.as_string()?, v.dyn_into::<Uint8Array>().ok()?.to_vec())))
            .collect())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let (_tx, store) = self.store(IdbTransactionMode::Readonly)?;
        let keys: Array = request(&store.get_all_keys_with_key(&prefix_range(prefix)?)?)
            .await?
            .dyn_into()?;
        Ok(keys.iter().filter_map(|k| k.as_string()).collect())
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        let (tx, store) = self.store(IdbTransactionMode::Readwrite)?;
        store.put_with_key(&Uint8Array::from(value), &JsValue::from(key))?;
        committed(&tx).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let (tx, store) = self.store(IdbTransactionMode::Readwrite)?;
        store.delete(&JsValue::from(key))?;
        committed(&tx).await
    }
}
