//! One-click unsubscribe (RFC 8058). Each message's `List-Unsubscribe` URL carries
//! `<address in base64url>.<HMAC-SHA256 of it>` under a key kept in `<data dir>/mail/key`, so
//! the relay keeps no table of links and nobody can unsubscribe an address they have no mail
//! for. Unsubscribed addresses (lower-cased) are kept in `<data dir>/mail/unsubscribed.json`;
//! letters that are not essential (see [`super::Letter::essential`]) are not queued for them.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::storage::write_atomically;

#[derive(Clone)]
pub struct Unsubscribes {
    key: Arc<[u8; 32]>,
    file: PathBuf,
    addresses: Arc<Mutex<BTreeSet<String>>>,
}

fn normal(address: &str) -> String {
    address.trim().to_lowercase()
}

impl Unsubscribes {
    pub fn open(data_dir: &Path) -> io::Result<Self> {
        let dir = data_dir.join("mail");
        std::fs::create_dir_all(&dir)?;
        let key_file = dir.join("key");
        let key = match std::fs::read(&key_file) {
            Ok(bytes) if bytes.len() == 32 => bytes,
            _ => {
                let mut bytes = vec![0u8; 32];
                getrandom::fill(&mut bytes).map_err(io::Error::other)?;
                write_atomically(&key_file, &bytes)?;
                bytes
            }
        };
        let file = dir.join("unsubscribed.json");
        let addresses = match std::fs::read(&file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(io::Error::other)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => BTreeSet::new(),
            Err(e) => return Err(e),
        };
        Ok(Self {
            key: Arc::new(key.try_into().expect("32 bytes")),
            file,
            addresses: Arc::new(Mutex::new(addresses)),
        })
    }

    fn mac(&self, address: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key[..]).expect("any key length");
        mac.update(b"unsubscribe\0");
        mac.update(address.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// The token for an address's unsubscribe link.
    pub fn token(&self, address: &str) -> String {
        let address = normal(address);
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&address),
            self.mac(&address)
        )
    }

    /// The address a token names, if the relay made it.
    pub fn verify(&self, token: &str) -> Option<String> {
        let (encoded, mac) = token.split_once('.')?;
        let address = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).ok()?).ok()?;
        let expected = self.mac(&address);
        // Compare in constant time: the MAC is the only secret here.
        let same = expected.len() == mac.len()
            && expected
                .bytes()
                .zip(mac.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        same.then_some(address)
    }

    pub fn is_unsubscribed(&self, address: &str) -> bool {
        self.addresses
            .lock()
            .expect("unsubscribe lock")
            .contains(&normal(address))
    }

    /// The person turned their email back on in the app: forget their unsubscribe.
    pub fn resubscribe(&self, address: &str) -> io::Result<()> {
        let mut addresses = self.addresses.lock().expect("unsubscribe lock");
        if addresses.remove(&normal(address)) {
            let json = serde_json::to_vec_pretty(&*addresses).map_err(io::Error::other)?;
            if let Err(e) = write_atomically(&self.file, &json) {
                addresses.insert(normal(address));
                return Err(e);
            }
        }
        Ok(())
    }

    /// Record an unsubscribe durably. Doing it twice is harmless.
    pub fn unsubscribe(&self, address: &str) -> io::Result<()> {
        let mut addresses = self.addresses.lock().expect("unsubscribe lock");
        if addresses.insert(normal(address)) {
            let json = serde_json::to_vec_pretty(&*addresses).map_err(io::Error::other)?;
            write_atomically(&self.file, &json)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_address_and_a_forged_one_names_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let book = Unsubscribes::open(dir.path()).unwrap();
        let token = book.token("Dana@Acme.example");
        assert_eq!(book.verify(&token).as_deref(), Some("dana@acme.example"));
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode("eve@x.example"),
            "0".repeat(32)
        );
        assert_eq!(book.verify(&forged), None);
        assert_eq!(book.verify("garbage"), None);
        book.unsubscribe("dana@acme.example").unwrap();
        let reopened = Unsubscribes::open(dir.path()).unwrap();
        assert!(reopened.is_unsubscribed("DANA@acme.example"));
        assert_eq!(
            reopened.verify(&token).as_deref(),
            Some("dana@acme.example"),
            "the key is kept"
        );
    }
}
