//! The certificate a browser's WebTransport connection gets: ECDSA P-256, valid for less
//! than two weeks, renewed by the server well before it runs out. Browsers accept such a
//! certificate without a CA when the page names its SHA-256 hash
//! (`serverCertificateHashes`), which the page fetches from the server over HTTPS (whose
//! certificate the person accepted) right before it connects. A native client never sees
//! it: [`CertByAlpn`] hands it only to connections that ask for HTTP/3.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use anseo_shared::transport::certified_key;
use rcgen::{CertificateParams, KeyPair, PKCS_ECDSA_P256_SHA256};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use time::OffsetDateTime;

/// How long a certificate is valid from the moment it is made: under the browsers' limit of
/// 14 days in all, with an hour before it for clocks that run a little behind.
const VALID_FOR: Duration = Duration::from_secs(12 * 24 * 3600);
const VALID_BEFORE: Duration = Duration::from_secs(3600);

/// How often a new certificate replaces the current one (which then still has days to go).
pub const RENEW_EVERY: Duration = Duration::from_secs(6 * 24 * 3600);

/// The ALPN of HTTP/3, which WebTransport runs over.
pub const H3: &[u8] = b"h3";

/// The current short-lived certificate, renewed in place.
#[derive(Debug)]
pub struct ShortLivedCert {
    current: RwLock<Current>,
}

#[derive(Debug)]
struct Current {
    key: Arc<CertifiedKey>,
    hash: [u8; 32],
}

impl ShortLivedCert {
    /// A fresh certificate, valid from now.
    pub fn generate() -> Result<Arc<Self>, CertMakingError> {
        Ok(Arc::new(ShortLivedCert { current: RwLock::new(make(OffsetDateTime::now_utc())?) }))
    }

    /// Replaces the certificate with a fresh one; connections that have it keep it.
    pub fn renew(&self) -> Result<(), CertMakingError> {
        let fresh = make(OffsetDateTime::now_utc())?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }

    /// Renews the certificate every [`RENEW_EVERY`] for as long as the server runs.
    pub fn keep_renewed(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let cert = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(RENEW_EVERY);
            every.tick().await;
            loop {
                every.tick().await;
                if let Err(error) = cert.renew() {
                    tracing::error!("could not renew the WebTransport certificate: {error}");
                }
            }
        })
    }

    /// The SHA-256 hash of the current certificate (DER), as the page passes it to the
    /// browser.
    pub fn hash(&self) -> [u8; 32] {
        self.current.read().unwrap_or_else(|e| e.into_inner()).hash
    }

    fn key(&self) -> Arc<CertifiedKey> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).key.clone()
    }
}

/// Why a certificate could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CertMakingError {
    #[error("{0}")]
    Generate(#[from] rcgen::Error),
    #[error("{0}")]
    Load(#[from] rustls::Error),
}

fn make(now: OffsetDateTime) -> Result<Current, CertMakingError> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    // The browser does not check the names of a certificate it was given the hash of.
    let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
    params.not_before = now - VALID_BEFORE;
    params.not_after = now + VALID_FOR;
    let cert = params.self_signed(&key)?;
    let hash = ring::digest::digest(&ring::digest::SHA256, cert.der());
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let key = certified_key(vec![CertificateDer::from(cert.der().to_vec())], der)?;
    Ok(Current { key, hash: hash.as_ref().try_into().expect("SHA-256 is 32 bytes") })
}

/// The server's certificate for native clients, and the short-lived one for a connection
/// that asks for HTTP/3 (a browser's WebTransport).
#[derive(Debug)]
pub struct CertByAlpn {
    pub native: Arc<CertifiedKey>,
    pub web_transport: Option<Arc<ShortLivedCert>>,
}

impl ResolvesServerCert for CertByAlpn {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let wants_h3 = hello.alpn().is_some_and(|mut offered| offered.any(|protocol| protocol == H3));
        match &self.web_transport {
            Some(short) if wants_h3 => Some(short.key()),
            _ => Some(self.native.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_of_the_certificate_presented() {
        let cert = ShortLivedCert::generate().unwrap();
        let der = cert.key().cert[0].clone();
        assert_eq!(cert.hash().as_slice(), ring::digest::digest(&ring::digest::SHA256, &der).as_ref());
    }

    #[test]
    fn renewing_changes_the_certificate_and_its_hash() {
        let cert = ShortLivedCert::generate().unwrap();
        let (before, before_der) = (cert.hash(), cert.key().cert[0].clone());
        cert.renew().unwrap();
        assert_ne!(before, cert.hash());
        assert_ne!(before_der, cert.key().cert[0]);
    }
}
