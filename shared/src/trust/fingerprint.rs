//! The SHA-256 fingerprint of a DER certificate, shown as 64 lowercase hex digits.

use std::fmt;
use std::str::FromStr;

/// SHA-256 over the DER encoding of a certificate. This is what `openssl x509 -fingerprint
/// -sha256` prints, without the colons.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// Fingerprints a DER-encoded certificate.
    #[cfg(feature = "client")]
    pub fn of_der(der: &[u8]) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, der);
        let mut bytes = [0; 32];
        bytes.copy_from_slice(digest.as_ref());
        Fingerprint(bytes)
    }

    /// The 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The hex digits in groups of four, eight groups a line, for people comparing by eye.
    pub fn grouped(&self) -> String {
        let hex = self.to_hex();
        let groups: Vec<&str> = (0..16).map(|i| &hex[i * 4..i * 4 + 4]).collect();
        format!("{}\n{}", groups[..8].join(" "), groups[8..].join(" "))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.to_hex())
    }
}

/// A fingerprint as typed by a person was not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a fingerprint is 64 hex digits (colons and spaces allowed), got {digits} digits")]
pub struct FingerprintParseError {
    digits: usize,
}

impl FromStr for Fingerprint {
    type Err = FingerprintParseError;

    /// Accepts 64 hex digits in either case, with or without colons or spaces between them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits: Vec<u8> = s
            .chars()
            .filter(|c| !matches!(c, ':' | ' ' | '\n' | '\t'))
            .map(|c| c.to_digit(16).map(|d| d as u8).ok_or(FingerprintParseError { digits: 0 }))
            .collect::<Result<_, _>>()?;
        if digits.len() != 64 {
            return Err(FingerprintParseError { digits: digits.len() });
        }
        let mut bytes = [0; 32];
        for (i, pair) in digits.chunks(2).enumerate() {
            bytes[i] = pair[0] << 4 | pair[1];
        }
        Ok(Fingerprint(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_accepts_colons_and_upper_case() {
        let fp = Fingerprint::of_der(b"not really a certificate");
        let with_colons: String = fp
            .to_hex()
            .to_uppercase()
            .as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(":");
        assert_eq!(with_colons.parse::<Fingerprint>().unwrap(), fp);
        assert_eq!(fp.to_hex().len(), 64);
    }

    #[test]
    fn known_sha256_value() {
        // SHA-256("abc"), from FIPS 180-2.
        assert_eq!(
            Fingerprint::of_der(b"abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn rejects_wrong_length_and_non_hex() {
        assert!("abcd".parse::<Fingerprint>().is_err());
        assert!("zz".repeat(32).parse::<Fingerprint>().is_err());
    }

    #[test]
    fn grouped_has_two_lines_of_eight_groups() {
        let grouped = Fingerprint::of_der(b"abc").grouped();
        assert_eq!(grouped.lines().count(), 2);
        assert!(grouped.starts_with("ba78 16bf 8f01 cfea"));
    }
}
