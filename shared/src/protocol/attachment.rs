//! Attachments: a room message or a direct message may carry one file (a picture, a voice
//! clip, a PDF...). The message carries what a client needs to show it (name, size, media
//! type, and for a picture its size and a small preview); the bytes themselves travel on
//! transfer streams (see [`TransferRequest`](super::TransferRequest)), named by their hash.
//!
//! The sender uploads the file first, then sends the message: the server posts a message
//! only with a file it has stored, and lets a user download a file only when it is attached
//! to a message in a room they are in, or to a direct message they sent or received.

use serde::{Deserialize, Serialize};

use super::{FileHash, is_control_or_format};

/// Longest file name of an attachment, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 255;
/// Longest media type (`image/jpeg`...), in bytes.
pub const MAX_MIME_LEN: usize = 127;
/// Largest preview of a picture, in bytes (a small JPEG).
pub const MAX_PREVIEW_BYTES: usize = 16 * 1024;

/// The file a message carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The BLAKE3 hash of the file's bytes: its name on the server.
    pub hash: FileHash,
    /// The file's name as the sender had it, without any folder.
    pub name: String,
    /// In bytes.
    pub size: u64,
    /// The media type, sniffed from the bytes by the sender (`image/jpeg`, `audio/ogg`...).
    pub mime: String,
    /// For a picture: its size as shown and a preview to show before it is downloaded.
    pub picture: Option<Picture>,
}

/// What a client shows of a picture before downloading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picture {
    /// In pixels, upright (after the orientation the camera recorded).
    pub width: u32,
    pub height: u32,
    /// A JPEG of at most [`MAX_PREVIEW_BYTES`], upright.
    pub preview: Vec<u8>,
}

/// Why an attachment is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("the file has no name")]
    NoName,
    #[error("the file name is longer than {MAX_FILE_NAME_CHARS} characters")]
    NameTooLong,
    #[error("the file name may not contain '/', '\\' or invisible characters, nor be '.' or '..'")]
    BadName,
    #[error("the media type '{0}' is not of the form type/subtype")]
    BadMime(String),
    #[error("the picture's preview is larger than {MAX_PREVIEW_BYTES} bytes")]
    PreviewTooLarge,
    #[error("the picture has no size")]
    NoPictureSize,
}

/// Checks an attachment's description: a plain file name (no folder, nothing invisible),
/// a media type of the form `type/subtype`, a preview within its limit.
pub fn validate_attachment(attachment: &Attachment) -> Result<(), AttachmentError> {
    validate_file_name(&attachment.name)?;
    let mime = &attachment.mime;
    let well_formed = mime.len() <= MAX_MIME_LEN
        && mime.split_once('/').is_some_and(|(kind, sub)| is_token(kind) && is_token(sub));
    if !well_formed {
        return Err(AttachmentError::BadMime(mime.chars().take(40).collect()));
    }
    if let Some(picture) = &attachment.picture {
        if picture.preview.len() > MAX_PREVIEW_BYTES {
            return Err(AttachmentError::PreviewTooLarge);
        }
        if picture.width == 0 || picture.height == 0 {
            return Err(AttachmentError::NoPictureSize);
        }
    }
    Ok(())
}

/// Checks a file name: 1 to 255 characters, no folder separators, no control or format
/// characters, not `.` or `..`.
pub fn validate_file_name(name: &str) -> Result<(), AttachmentError> {
    if name.trim().is_empty() {
        return Err(AttachmentError::NoName);
    }
    if name.chars().count() > MAX_FILE_NAME_CHARS {
        return Err(AttachmentError::NameTooLong);
    }
    let bad_char = |c: char| matches!(c, '/' | '\\') || is_control_or_format(c);
    if name == "." || name == ".." || name.chars().any(bad_char) {
        return Err(AttachmentError::BadName);
    }
    Ok(())
}

/// `bytes` as people read sizes: "1 GiB", "300 MiB", "12 KiB", "512 bytes".
pub fn human_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            let whole = bytes / unit;
            return if bytes.is_multiple_of(unit) || whole >= 100 {
                format!("{whole} {name}")
            } else {
                format!("{:.1} {name}", bytes as f64 / unit as f64)
            };
        }
    }
    format!("{bytes} bytes")
}

/// A media type's part: letters, digits and `!#$&-^_.+`, as RFC 6838 allows.
fn is_token(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, mime: &str) -> Attachment {
        Attachment { hash: [7; 32], name: name.into(), size: 10, mime: mime.into(), picture: None }
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(1 << 30), "1 GiB");
        assert_eq!(human_size(300 << 20), "300 MiB");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(512), "512 bytes");
    }

    #[test]
    fn plain_names_and_types_pass() {
        assert_eq!(validate_attachment(&file("homework 3.pdf", "application/pdf")), Ok(()));
        assert_eq!(validate_attachment(&file("Dún na nGall.jpg", "image/jpeg")), Ok(()));
        assert_eq!(validate_attachment(&file("clip.ogg", "audio/ogg")), Ok(()));
    }

    #[test]
    fn names_with_folders_or_hidden_characters_are_refused() {
        for name in ["../etc/passwd", "a/b", "a\\b", "..", ".", "evil\u{202E}gpj.exe", "nul\0", " "] {
            assert!(validate_attachment(&file(name, "text/plain")).is_err(), "{name:?}");
        }
        let long = "x".repeat(MAX_FILE_NAME_CHARS + 1);
        assert_eq!(validate_attachment(&file(&long, "text/plain")), Err(AttachmentError::NameTooLong));
    }

    #[test]
    fn odd_media_types_and_large_previews_are_refused() {
        for mime in ["image", "image/", "/jpeg", "image/jp eg", "text/html; charset=x"] {
            assert!(validate_attachment(&file("a", mime)).is_err(), "{mime:?}");
        }
        let mut picture = file("a.jpg", "image/jpeg");
        picture.picture = Some(Picture { width: 2, height: 2, preview: vec![0; MAX_PREVIEW_BYTES + 1] });
        assert_eq!(validate_attachment(&picture), Err(AttachmentError::PreviewTooLarge));
    }
}
