//! Line-oriented TCP (or TLS over TCP) for the text protocols, IRC and NATS: a shared writer
//! and a buffered reader over one stream.

use std::sync::Arc;

use anseo_shared::trust::{Fingerprint, FingerprintVerifier};
use anyhow::Context;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

type BoxRead = Box<dyn AsyncRead + Send + Unpin>;
type BoxWrite = Box<dyn AsyncWrite + Send + Unpin>;

/// The writing half, shared by the sender and the reader (which answers PINGs).
#[derive(Clone)]
pub struct LineWriter(Arc<Mutex<BoxWrite>>);

/// The reading half.
pub struct LineReader {
    reader: BufReader<BoxRead>,
    pub line: Vec<u8>,
}

/// Connects to `addr`, over TLS accepting only the certificate `tls` when given.
pub async fn connect(addr: &str, tls: Option<Fingerprint>) -> anyhow::Result<(LineReader, LineWriter)> {
    let tcp = TcpStream::connect(addr).await.with_context(|| format!("connect to {addr}"))?;
    tcp.set_nodelay(true).context("set TCP_NODELAY")?;
    let (read, write): (BoxRead, BoxWrite) = match tls {
        None => {
            let (read, write) = tcp.into_split();
            (Box::new(read), Box::new(write))
        }
        Some(fingerprint) => {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let verifier =
                FingerprintVerifier::new(Some(fingerprint), provider.signature_verification_algorithms);
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .context("TLS versions")?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth();
            let host = addr.rsplit_once(':').map_or(addr, |(host, _)| host);
            let name = rustls::pki_types::ServerName::try_from(host.to_string()).unwrap_or_else(|_| {
                rustls::pki_types::ServerName::try_from("localhost").expect("a valid name")
            });
            let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(name, tcp)
                .await
                .with_context(|| format!("TLS handshake with {addr}"))?;
            let (read, write) = tokio::io::split(stream);
            (Box::new(read), Box::new(write))
        }
    };
    let reader =
        LineReader { reader: BufReader::with_capacity(64 * 1024, read), line: Vec::with_capacity(1024) };
    Ok((reader, LineWriter(Arc::new(Mutex::new(write)))))
}

impl LineWriter {
    /// Writes and flushes `bytes`.
    pub async fn write(&self, bytes: &[u8]) -> anyhow::Result<()> {
        let mut writer = self.0.lock().await;
        writer.write_all(bytes).await.context("write to the server")?;
        writer.flush().await.context("write to the server")
    }

    pub async fn shutdown(&self) {
        let _ = self.0.lock().await.shutdown().await;
    }
}

impl LineReader {
    /// Reads the next line into `self.line` without its CRLF; `false` at the end of the stream.
    pub async fn read_line(&mut self) -> bool {
        self.line.clear();
        match self.reader.read_until(b'\n', &mut self.line).await {
            Ok(0) | Err(_) => false,
            Ok(_) => {
                while matches!(self.line.last(), Some(b'\n' | b'\r')) {
                    self.line.pop();
                }
                true
            }
        }
    }

    /// Reads exactly `len` bytes plus the CRLF after them (a NATS message body).
    pub async fn read_body(&mut self, len: usize) -> Option<Vec<u8>> {
        let mut body = vec![0; len + 2];
        self.reader.read_exact(&mut body).await.ok()?;
        body.truncate(len);
        Some(body)
    }
}
