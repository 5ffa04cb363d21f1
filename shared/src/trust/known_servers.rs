//! The known-servers file, like SSH's `known_hosts`: one `ADDRESS FINGERPRINT` line per server
//! the user decided to trust. Lines starting with `#` are comments.

#[cfg(feature = "client")]
use std::collections::BTreeMap;
use std::io;
#[cfg(feature = "client")]
use std::path::Path;
use std::path::PathBuf;

#[cfg(feature = "client")]
use super::Fingerprint;

/// Reading or writing the known-servers file failed.
#[derive(Debug, thiserror::Error)]
pub enum KnownServersError {
    #[error("cannot read the known-servers file {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write the known-servers file {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("line {line} of the known-servers file {path} is not 'ADDRESS FINGERPRINT'")]
    Malformed { path: PathBuf, line: usize },
}

/// The servers a user trusts, by the address they typed.
#[cfg(feature = "client")]
#[derive(Debug, Clone)]
pub struct KnownServers {
    path: PathBuf,
    entries: BTreeMap<String, Fingerprint>,
}

#[cfg(feature = "client")]
impl KnownServers {
    /// The default location: `known_servers` in Anseo's folder of the user's config dir.
    pub fn default_path() -> PathBuf {
        dirs::config_dir().unwrap_or_else(|| PathBuf::from(".")).join("anseo").join("known_servers")
    }

    /// Loads the file; a missing file is an empty list.
    pub fn load(path: &Path) -> Result<Self, KnownServersError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(KnownServersError::Read { path: path.into(), source }),
        };
        let mut entries = BTreeMap::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let malformed = || KnownServersError::Malformed { path: path.into(), line: index + 1 };
            let (address, fingerprint) = line.split_once(char::is_whitespace).ok_or_else(malformed)?;
            let fingerprint = fingerprint.trim().parse().map_err(|_| malformed())?;
            entries.insert(address.to_string(), fingerprint);
        }
        Ok(KnownServers { path: path.into(), entries })
    }

    /// The fingerprint remembered for `address`, if any.
    pub fn get(&self, address: &str) -> Option<Fingerprint> {
        self.entries.get(address).copied()
    }

    /// Remembers `fingerprint` for `address` and rewrites the file whole (creating its folder).
    pub fn remember(&mut self, address: &str, fingerprint: Fingerprint) -> Result<(), KnownServersError> {
        self.entries.insert(address.to_string(), fingerprint);
        let write_error = |source| KnownServersError::Write { path: self.path.clone(), source };
        let mut text = String::from("# Anseo servers you chose to trust: ADDRESS FINGERPRINT (SHA-256)\n");
        for (address, fingerprint) in &self.entries {
            text.push_str(&format!("{address} {fingerprint}\n"));
        }
        crate::files::write_atomically(&self.path, text.as_bytes(), 0o644).map_err(write_error)
    }

    /// Where this list lives.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remember_then_load_round_trips() {
        let dir = std::env::temp_dir().join(format!("anseo-known-{}", std::process::id()));
        let path = dir.join("sub").join("known_servers");
        let fp = Fingerprint::of_der(b"server");
        let mut known = KnownServers::load(&path).unwrap();
        assert_eq!(known.get("10.0.0.1:4433"), None);
        known.remember("10.0.0.1:4433", fp).unwrap();
        let reloaded = KnownServers::load(&path).unwrap();
        assert_eq!(reloaded.get("10.0.0.1:4433"), Some(fp));
        assert_eq!(reloaded.get("10.0.0.2:4433"), None);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn malformed_line_is_reported_with_its_number() {
        let path = std::env::temp_dir().join(format!("anseo-known-bad-{}", std::process::id()));
        std::fs::write(&path, "# comment\nhost:1 nothex\n").unwrap();
        let err = KnownServers::load(&path).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        std::fs::remove_file(path).unwrap();
    }
}
