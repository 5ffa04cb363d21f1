//! A rustls verifier that accepts exactly one certificate: the one with the expected SHA-256
//! fingerprint. Handshake signatures are checked by rustls itself, so holding a copy of the
//! public certificate is not enough to impersonate the server.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};

use super::Fingerprint;

/// The fingerprint of the certificate the server presented, recorded during the handshake so
/// the caller can tell a person what it saw after a refusal.
pub type SeenCertificate = Arc<Mutex<Option<Fingerprint>>>;

/// Accepts the server's certificate only if its fingerprint equals `expected`. With no
/// expectation (an unknown server) every certificate is refused, and the fingerprint is
/// recorded for the trust-on-first-use question.
#[derive(Debug)]
pub struct FingerprintVerifier {
    expected: Option<Fingerprint>,
    seen: SeenCertificate,
    algorithms: WebPkiSupportedAlgorithms,
}

impl FingerprintVerifier {
    pub fn new(expected: Option<Fingerprint>, algorithms: WebPkiSupportedAlgorithms) -> Self {
        FingerprintVerifier { expected, seen: Arc::default(), algorithms }
    }

    /// Where the presented certificate's fingerprint is recorded.
    pub fn seen(&self) -> SeenCertificate {
        self.seen.clone()
    }
}

impl ServerCertVerifier for FingerprintVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let presented = Fingerprint::of_der(end_entity.as_ref());
        // The lock is only held for this assignment; a poisoned lock still holds valid data.
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(presented);
        match self.expected {
            Some(expected) if expected == presented => Ok(ServerCertVerified::assertion()),
            _ => Err(Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure)),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
