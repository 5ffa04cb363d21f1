//! Getting a file ready to send in chat, before its bytes leave the device.
//!
//! - [`sniff_mime`]: the file's media type from its first [`SNIFF_LEN`] bytes, never from its
//!   name, so a renamed file is still shown (or not) for what it is.
//! - [`strip_metadata`]: a JPEG or PNG without the details hidden in it that can tell where it
//!   was taken and by whom (EXIF with GPS, XMP, IPTC, comments, text chunks, a phone's motion
//!   clip after the picture). The pixels are kept byte for byte, and so are the colour profile
//!   and the EXIF orientation, so the picture looks the same.
//! - [`picture_preview`]: the picture's size as shown and a small JPEG thumbnail (at most
//!   [`MAX_PREVIEW_BYTES`]) sent ahead of the file, refusing pictures too large to decode safely.
//!
//! Everything here is a pure function over bytes: no files, no threads, no network. Hostile
//! input gives a [`MediaError`], never a panic or an unbounded allocation.
//!
//! (The links are spelled out in full: rustdoc resolves this text together with the line
//! documenting `media` in the crate root, from there.)
//!
//! [`sniff_mime`]: crate::media::sniff_mime
//! [`SNIFF_LEN`]: crate::media::SNIFF_LEN
//! [`strip_metadata`]: crate::media::strip_metadata
//! [`picture_preview`]: crate::media::picture_preview
//! [`MAX_PREVIEW_BYTES`]: crate::media::MAX_PREVIEW_BYTES
//! [`MediaError`]: crate::media::MediaError

mod error;
mod exif;
mod preview;
mod sniff;
mod strip;
#[cfg(test)]
mod tests;

pub use error::MediaError;
pub use preview::{
    MAX_DECODE_BYTES, MAX_PICTURE_PIXELS, MAX_PICTURE_SIDE, MAX_PREVIEW_BYTES, PREVIEW_SIDE, Preview,
    picture_preview,
};
pub use sniff::{FALLBACK_MIME, SNIFF_LEN, sniff_mime};
pub use strip::strip_metadata;
