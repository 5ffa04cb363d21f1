//! Removing what a JPEG or PNG says about where, when and by whom it was taken, without
//! touching its pixels: the picture is taken apart into its JPEG segments or PNG chunks
//! (`img-parts`), the ones that carry such details are dropped, and the rest is put back
//! together byte for byte. Nothing is decoded or re-encoded.
//!
//! What is kept is a short list of what is needed to show the picture as it was meant (the
//! rest goes, including kinds nobody here has heard of, since a phone vendor's private segment
//! may hold anything):
//! - JPEG: the image data and its tables, the JFIF header (APP0), the colour profile
//!   (APP2 `ICC_PROFILE`) and Adobe's colour-transform flag (APP14). Gone: EXIF (with GPS, the
//!   camera's serial number, the date, a thumbnail of the uncropped picture), XMP (APP1),
//!   IPTC/Photoshop (APP13), comments (COM), every other APPn (MPF, FlashPix, vendors'), and
//!   whatever follows the end of the picture (a phone's "motion photo" clip, a second image).
//! - PNG: the critical chunks (`IHDR`, `PLTE`, `IDAT`, `IEND`) and those that change how the
//!   pixels look (colour space, transparency, pixel size, animation). Gone: `eXIf`, `tEXt`,
//!   `iTXt`, `zTXt`, `tIME` and every private chunk; anything after `IEND`.
//!
//! The EXIF Orientation is the exception: when it asks for a turn or flip, a new EXIF that
//! holds only it is written back ([`super::exif`]), so a phone's picture still shows upright.

use std::ops::Range;

use img_parts::jpeg::{Jpeg, JpegSegment, markers};
use img_parts::png::Png;
use img_parts::{Bytes, ImageEXIF};

use super::MediaError;
use super::exif::{orientation_only_exif, orientation_to_keep};

/// The PNG ancillary chunks kept: how the pixels are to be shown, nothing about the picture's
/// story. (Critical chunks, whose type starts with a capital, are always kept.)
const PNG_CHUNKS_TO_KEEP: [[u8; 4]; 16] = [
    *b"cHRM", *b"gAMA", *b"iCCP", *b"sBIT", *b"sRGB", *b"cICP", *b"mDCV", *b"cLLI", // colour
    *b"tRNS", *b"bKGD", *b"pHYs", *b"sPLT", *b"hIST", // transparency, background, pixel size
    *b"acTL", *b"fcTL", *b"fdAT", // animation (APNG)
];

/// `bytes` without the details hidden in them, for a JPEG or PNG (`mime` as from
/// [`sniff_mime`](super::sniff_mime): `image/jpeg` or `image/png`). `Ok(None)` when nothing
/// needed removing, or for any other type (which this leaves alone); `Ok(Some(cleaned))`
/// otherwise. An error when the file is not the picture `mime` says or is too damaged to take
/// apart: the caller should then not send it as it is without asking.
pub fn strip_metadata(bytes: &[u8], mime: &str) -> Result<Option<Vec<u8>>, MediaError> {
    let cleaned = if mime.eq_ignore_ascii_case("image/jpeg") {
        strip_jpeg(bytes)?
    } else if mime.eq_ignore_ascii_case("image/png") {
        strip_png(bytes)?
    } else {
        return Ok(None);
    };
    Ok((cleaned != bytes).then_some(cleaned))
}

/// The JPEG put back together from its segments that [`keeps_jpeg_segment`], plus an EXIF with
/// only the orientation if the original had a turn or flip.
fn strip_jpeg(bytes: &[u8]) -> Result<Vec<u8>, MediaError> {
    let mut jpeg = Jpeg::from_bytes(Bytes::copy_from_slice(bytes)).map_err(cannot_take_apart)?;
    let orientation = jpeg.exif().and_then(|exif| orientation_to_keep(&exif));
    jpeg.segments_mut().retain(|segment| keeps_jpeg_segment(segment.marker(), segment.contents()));
    clean_after_first_scan(&mut jpeg);
    if let Some(orientation) = orientation {
        jpeg.set_exif(Some(Bytes::from(orientation_only_exif(orientation))));
    }
    Ok(Vec::from(jpeg.encoder().bytes()))
}

/// The PNG put back together from its chunks that [`keeps_png_chunk`], plus an `eXIf` with
/// only the orientation if the original had a turn or flip.
fn strip_png(bytes: &[u8]) -> Result<Vec<u8>, MediaError> {
    let mut png = Png::from_bytes(Bytes::copy_from_slice(bytes)).map_err(cannot_take_apart)?;
    let orientation = png.exif().and_then(|exif| orientation_to_keep(&exif));
    png.chunks_mut().retain(|chunk| keeps_png_chunk(chunk.kind()));
    if let Some(orientation) = orientation {
        png.set_exif(Some(Bytes::from(orientation_only_exif(orientation))));
    }
    Ok(Vec::from(png.encoder().bytes()))
}

/// `img-parts` could not take the file apart: a wrong signature means it is not that kind of
/// picture at all; a chunk cut short or with a bad checksum, that it is damaged.
fn cannot_take_apart(error: img_parts::Error) -> MediaError {
    match error {
        img_parts::Error::WrongSignature => MediaError::NotAPicture,
        _ => MediaError::CannotClean,
    }
}

/// Whether a JPEG segment (its marker's second byte and its contents) is needed to show the
/// picture as meant. Every segment that is not an APPn or a comment is part of the image
/// (tables, frame and scan headers, restart interval) and kept.
fn keeps_jpeg_segment(marker: u8, contents: &[u8]) -> bool {
    match marker {
        markers::APP0 => contents.starts_with(b"JFIF\0"),
        markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
        markers::APP14 => contents.starts_with(b"Adobe"),
        markers::APP1..=markers::APP15 | markers::COM => false,
        _ => true,
    }
}

/// Whether a PNG chunk (by its type) is needed to show the picture as meant.
fn keeps_png_chunk(kind: [u8; 4]) -> bool {
    let critical = kind[0].is_ascii_uppercase();
    critical || PNG_CHUNKS_TO_KEEP.contains(&kind)
}

/// `img-parts` keeps everything from the first scan on as that scan's data: the compressed
/// pixels, then (in a progressive JPEG) the tables and headers of the later scans, the end of
/// the picture and whatever was appended after it. This cleans that part the same way as the
/// segments before it ([`cleaned_tail`]).
fn clean_after_first_scan(jpeg: &mut Jpeg) {
    let Some(scan) = jpeg.segments_mut().iter_mut().find(|segment| segment.has_entropy()) else {
        return;
    };
    // The segment encoded is its header (`len()` bytes, documented) then its data.
    let encoded = scan.clone().encoder().bytes();
    let Some(tail) = encoded.get(scan.len()..) else {
        return;
    };
    if let Some(cleaned) = cleaned_tail(tail) {
        *scan = JpegSegment::new_with_entropy(scan.marker(), scan.contents().clone(), cleaned.into());
    }
}

/// The part of a JPEG after its first scan header, up to and including the end-of-image marker
/// (`FF D9`), without the metadata segments between scans; `None` when that removes nothing, or
/// when the end marker is not found (a truncated or odd file is then left as it is).
///
/// It walks the markers: in compressed data an `FF` byte is always followed by `00` (a
/// "stuffed" FF), `FF` (fill) or a restart marker, so any other `FF xx` is a real marker; a
/// marker other than the end carries a two-byte length that counts itself, and its contents
/// (which may hold any byte) are skipped whole.
pub(super) fn cleaned_tail(tail: &[u8]) -> Option<Vec<u8>> {
    let mut kept: Vec<Range<usize>> = Vec::new();
    let mut run_start = 0;
    let mut at = 0;
    let end = loop {
        let marker_at = at + tail.get(at..)?.iter().position(|&byte| byte == 0xFF)?;
        let marker = *tail.get(marker_at + 1)?;
        match marker {
            // A stuffed FF, TEM or a restart marker: no length, no contents.
            0x00 | 0x01 | markers::RST0..=markers::RST7 => at = marker_at + 2,
            // A fill byte before a marker.
            markers::P => at = marker_at + 1,
            markers::EOI => break marker_at + 2,
            _ => {
                let length = u16::from_be_bytes([*tail.get(marker_at + 2)?, *tail.get(marker_at + 3)?]);
                let segment_end = marker_at + 2 + usize::from(length);
                let contents = tail.get(marker_at + 4..segment_end)?;
                if !keeps_jpeg_segment(marker, contents) {
                    kept.push(run_start..marker_at);
                    run_start = segment_end;
                }
                at = segment_end;
            }
        }
    };
    kept.push(run_start..end);
    let kept_len: usize = kept.iter().map(|range| range.len()).sum();
    if kept_len == tail.len() {
        return None;
    }
    let mut cleaned = Vec::with_capacity(kept_len);
    for range in kept {
        cleaned.extend_from_slice(tail.get(range)?);
    }
    Some(cleaned)
}
