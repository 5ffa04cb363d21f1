//! The server's identity: its certificate chain and private key, and the certificate's
//! SHA-256 fingerprint that users compare.
//!
//! By default the certificate lives in a folder (`certs/cert.pem`, `certs/key.pem`): generated
//! self-signed on first start (ECDSA P-256, naming `localhost`, the host name and the machine's
//! network addresses), reused on every later start so the fingerprint never changes. Any PEM
//! certificate and key can be given instead (`--cert`/`--key`).

use std::path::{Path, PathBuf};

use anseo_shared::files;
use anseo_shared::trust::Fingerprint;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Where the certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertSource {
    /// `cert.pem` and `key.pem` in this folder, generated when missing.
    Dir(PathBuf),
    /// A certificate (chain) file and its key file, used as they are.
    Files { cert: PathBuf, key: PathBuf },
}

/// The certificate chain, its key, and the end-entity certificate's fingerprint.
#[derive(Debug)]
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    pub fingerprint: Fingerprint,
}

/// The certificate or key could not be read, generated or written.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("cannot read the certificate {path}: {source}")]
    ReadCert { path: PathBuf, source: rustls::pki_types::pem::Error },
    #[error("{path} holds no certificate")]
    NoCertificate { path: PathBuf },
    #[error("cannot read the private key {path}: {source}")]
    ReadKey { path: PathBuf, source: rustls::pki_types::pem::Error },
    #[error("no certificate in {dir}; start the server once to generate one")]
    NotGenerated { dir: PathBuf },
    #[error("found {cert} but not its key {key}; restore the key or delete both to generate new ones")]
    MissingKey { cert: PathBuf, key: PathBuf },
    #[error("cannot generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

const CERT_FILE: &str = "cert.pem";
const KEY_FILE: &str = "key.pem";

impl CertSource {
    /// The certificate file.
    pub fn cert_path(&self) -> PathBuf {
        match self {
            CertSource::Dir(dir) => dir.join(CERT_FILE),
            CertSource::Files { cert, .. } => cert.clone(),
        }
    }

    fn key_path(&self) -> PathBuf {
        match self {
            CertSource::Dir(dir) => dir.join(KEY_FILE),
            CertSource::Files { key, .. } => key.clone(),
        }
    }
}

/// Loads the identity, first generating a self-signed one when `source` is a folder without
/// a certificate.
pub fn load_or_generate(source: &CertSource) -> Result<Identity, CertError> {
    if let CertSource::Dir(dir) = source {
        let (cert, key) = (source.cert_path(), source.key_path());
        match (cert.exists(), key.exists()) {
            (true, false) => return Err(CertError::MissingKey { cert, key }),
            (false, _) => {
                generate(dir)?;
                tracing::info!("generated a self-signed certificate in {}", dir.display());
            }
            (true, true) => {}
        }
    }
    load(source)
}

/// Loads the identity without generating anything.
pub fn load(source: &CertSource) -> Result<Identity, CertError> {
    let chain = read_chain(source)?;
    let key_path = source.key_path();
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .map_err(|source| CertError::ReadKey { path: key_path, source })?;
    let fingerprint = Fingerprint::of_der(&chain[0]);
    Ok(Identity { chain, key, fingerprint })
}

/// The fingerprint of the certificate `source` names (no key needed, nothing generated).
pub fn fingerprint(source: &CertSource) -> Result<Fingerprint, CertError> {
    Ok(Fingerprint::of_der(&read_chain(source)?[0]))
}

fn read_chain(source: &CertSource) -> Result<Vec<CertificateDer<'static>>, CertError> {
    let path = source.cert_path();
    if let CertSource::Dir(dir) = source
        && !path.exists()
    {
        return Err(CertError::NotGenerated { dir: dir.clone() });
    }
    let chain = CertificateDer::pem_file_iter(&path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|source| CertError::ReadCert { path: path.clone(), source })?;
    if chain.is_empty() {
        return Err(CertError::NoCertificate { path });
    }
    Ok(chain)
}

/// Generates a self-signed certificate for this machine into `dir`: the key (mode 0600) first,
/// then the certificate, each written to a temporary file and renamed, so a reader never sees
/// half a file and a certificate never exists without its key.
fn generate(dir: &Path) -> Result<(), CertError> {
    let generated = rcgen::generate_simple_self_signed(subject_names())?;
    write_atomically(&dir.join(KEY_FILE), generated.signing_key.serialize_pem().as_bytes(), 0o600)?;
    write_atomically(&dir.join(CERT_FILE), generated.cert.pem().as_bytes(), 0o644)
}

/// The names the certificate is issued for: `localhost`, the host name, and every
/// non-loopback address of the machine.
fn subject_names() -> Vec<String> {
    let mut names = vec!["localhost".to_string()];
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    if !host.is_empty() && host.is_ascii() && host != "localhost" {
        names.push(host);
    }
    for ip in crate::banner::network_addresses() {
        if !names.contains(&ip.to_string()) {
            names.push(ip.to_string());
        }
    }
    names
}

fn write_atomically(path: &Path, contents: &[u8], mode: u32) -> Result<(), CertError> {
    files::write_atomically(path, contents, mode)
        .map_err(|source| CertError::Write { path: path.into(), source })
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn generates_once_then_reuses() {
        let dir = std::env::temp_dir().join(format!("anseo-cert-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let source = CertSource::Dir(dir.clone());
        assert!(matches!(fingerprint(&source), Err(CertError::NotGenerated { .. })));
        let first = load_or_generate(&source).unwrap();
        let second = load_or_generate(&source).unwrap();
        assert_eq!(first.fingerprint, second.fingerprint);
        assert_eq!(fingerprint(&source).unwrap(), first.fingerprint);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_certificate_without_its_key_is_an_error() {
        let dir = std::env::temp_dir().join(format!("anseo-cert-nokey-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let source = CertSource::Dir(dir.clone());
        load_or_generate(&source).unwrap();
        fs::remove_file(dir.join(KEY_FILE)).unwrap();
        assert!(matches!(load_or_generate(&source), Err(CertError::MissingKey { .. })));
        fs::remove_dir_all(&dir).unwrap();
    }
}
