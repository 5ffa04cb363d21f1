//! The one EXIF detail worth keeping: which way up the picture goes. Phones store the sensor's
//! pixels as they came and say in the EXIF Orientation tag how to turn them; dropping the whole
//! EXIF would show such a picture on its side. So the stripper reads the Orientation and, when
//! it is not "as stored", writes back an EXIF that holds nothing else.

use image::metadata::Orientation;

/// The EXIF Orientation value that asks for a turn or a flip (2..=8), read from an EXIF blob
/// starting at its TIFF header (`II*\0` or `MM\0*`). `None` for 1 ("as stored"), a missing or
/// invalid tag, or a blob that is not EXIF. Reading is bounds-checked (`image` does it).
pub(super) fn orientation_to_keep(exif: &[u8]) -> Option<u8> {
    let orientation = Orientation::from_exif_chunk(exif)?;
    (orientation != Orientation::NoTransforms).then(|| orientation.to_exif())
}

/// The smallest EXIF that says only how to turn the picture: a TIFF header and one directory
/// (IFD0) with a single entry, the Orientation tag (0x0112). 26 bytes, big-endian:
///
/// ```text
/// offset  bytes         meaning
///  0      4D 4D         "MM": the numbers that follow are big-endian
///  2      00 2A         42, TIFF's magic number
///  4      00 00 00 08   the first directory starts at offset 8
///  8      00 01         it has one entry:
/// 10      01 12           tag 0x0112, Orientation
/// 12      00 03           type 3, SHORT (u16)
/// 14      00 00 00 01     one value
/// 18      00 0V 00 00     the value V (1..=8), left-aligned in the 4-byte value field
/// 22      00 00 00 00   no next directory
/// ```
///
/// A JPEG carries it in an APP1 segment after `Exif\0\0`; a PNG in an `eXIf` chunk as it is.
pub(super) fn orientation_only_exif(orientation: u8) -> Vec<u8> {
    let mut exif = Vec::with_capacity(26);
    exif.extend_from_slice(b"MM\x00\x2A");
    exif.extend_from_slice(&8u32.to_be_bytes());
    exif.extend_from_slice(&1u16.to_be_bytes());
    exif.extend_from_slice(&0x0112u16.to_be_bytes());
    exif.extend_from_slice(&3u16.to_be_bytes());
    exif.extend_from_slice(&1u32.to_be_bytes());
    exif.extend_from_slice(&u16::from(orientation).to_be_bytes());
    exif.extend_from_slice(&[0, 0]);
    exif.extend_from_slice(&0u32.to_be_bytes());
    exif
}
