//! Tests of the media module on pictures made here: a phone-like JPEG full of hidden details,
//! PNGs with text chunks, sound headers, and hostile files (a decompression bomb, cut files).

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{
    DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Rgb, RgbImage, Rgba, RgbaImage,
};
use img_parts::jpeg::{Jpeg, JpegSegment, markers};
use img_parts::png::{Png, PngChunk};
use img_parts::{Bytes, ImageEXIF, ImageICC};

use super::exif::orientation_only_exif;
use super::strip::cleaned_tail;
use super::*;

// ---------------------------------------------------------------------------------------------
// Pictures made for the tests

/// The latitude 53° 20' 12.34" as three little-endian RATIONALs (numerator, denominator): the
/// bytes that must not survive stripping.
const LATITUDE: [u8; 24] = [
    53, 0, 0, 0, 1, 0, 0, 0, // 53/1 degrees
    20, 0, 0, 0, 1, 0, 0, 0, // 20/1 minutes
    0xD2, 0x04, 0, 0, 100, 0, 0, 0, // 1234/100 seconds
];

/// IFD0's entry pointing at the GPS directory, little-endian: tag 0x8825, type LONG, count 1.
const GPS_POINTER: [u8; 8] = [0x25, 0x88, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00];

/// A phone's EXIF, cut down: little-endian TIFF; IFD0 with Orientation = `orientation` and a
/// pointer to a GPS directory holding GPSLatitudeRef "N" and GPSLatitude [`LATITUDE`].
fn exif_with_gps(orientation: u16) -> Vec<u8> {
    let mut exif = Vec::new();
    exif.extend_from_slice(b"II\x2A\x00");
    exif.extend_from_slice(&8u32.to_le_bytes()); // IFD0 at 8
    // IFD0 at 8: 2 entries, then the next-IFD offset; ends at 8 + 2 + 24 + 4 = 38.
    exif.extend_from_slice(&2u16.to_le_bytes());
    exif.extend_from_slice(&[0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00]); // Orientation, SHORT, 1
    exif.extend_from_slice(&orientation.to_le_bytes());
    exif.extend_from_slice(&[0, 0]);
    exif.extend_from_slice(&GPS_POINTER);
    exif.extend_from_slice(&38u32.to_le_bytes()); // the GPS IFD's offset
    exif.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD at 38: 2 entries; ends at 38 + 2 + 24 + 4 = 68, where the latitude's values are.
    exif.extend_from_slice(&2u16.to_le_bytes());
    exif.extend_from_slice(&[0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00]); // LatitudeRef, ASCII, 2
    exif.extend_from_slice(b"N\0\0\0");
    exif.extend_from_slice(&[0x02, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00]); // Latitude, RATIONAL, 3
    exif.extend_from_slice(&68u32.to_le_bytes());
    exif.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(exif.len(), 68);
    exif.extend_from_slice(&LATITUDE);
    exif
}

/// A smooth picture with some detail, as a camera's would be.
fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let red = (x * 255 / width.max(1)) as u8;
        let green = (y * 255 / height.max(1)) as u8;
        let blue = ((x / 7 + y / 5) % 2 * 200) as u8;
        Rgb([red, green, blue])
    })
}

/// Noise, which JPEG cannot compress: the worst case for the preview's size.
fn noise(width: u32, height: u32) -> RgbImage {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let [red, green, blue, ..] = state.to_le_bytes();
        Rgb([red, green, blue])
    })
}

/// `picture` as a JPEG, with `exif` (an APP1 segment) and an ICC profile if given.
fn jpeg_of(picture: &RgbImage, exif: Option<Vec<u8>>, icc: Option<Vec<u8>>) -> Vec<u8> {
    let mut jpeg = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut jpeg, 90);
    if let Some(exif) = exif {
        encoder.set_exif_metadata(exif).expect("the JPEG encoder takes EXIF");
    }
    if let Some(icc) = icc {
        encoder.set_icc_profile(icc).expect("the JPEG encoder takes an ICC profile");
    }
    encoder.encode_image(picture).expect("encode a JPEG");
    jpeg
}

/// `picture` as a PNG.
fn png_of(picture: &DynamicImage) -> Vec<u8> {
    let mut png = Vec::new();
    picture.write_to(&mut Cursor::new(&mut png), ImageFormat::Png).expect("encode a PNG");
    png
}

const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>53,20.2N</exif:GPSLatitude>";
const COMMENT: &[u8] = b"taken at 12 Main Street";
const IPTC: &[u8] = b"Photoshop 3.0\08BIM\x04\x04\0\0\0\0\0\x0c\x1c\x02\x50\0\x07Aoife B";
const MPF: &[u8] = b"MPF\0MM\0\x2a\0\0\0\x08\0\0";
/// What a "motion photo" appends after the picture: a video with its own location.
const MOTION_CLIP: &[u8] = b"\0\0\0\x18ftypmp42\0\0\0\0isomGPS+53.3-006.2/";
const FAKE_ICC: &[u8] = b"a colour profile, kept as it is";

/// A JPEG like a phone's: EXIF with GPS and Orientation 6, XMP, a comment, IPTC, MPF, a colour
/// profile, and a motion clip after the end of the picture.
fn phone_jpeg(picture: &RgbImage) -> Vec<u8> {
    let plain = jpeg_of(picture, Some(exif_with_gps(6)), Some(FAKE_ICC.to_vec()));
    let mut jpeg = Jpeg::from_bytes(plain.into()).expect("our own JPEG parses");
    let frame = jpeg
        .segments()
        .iter()
        .position(|segment| segment.marker() == markers::SOF0)
        .expect("a baseline frame header");
    for (marker, contents) in
        [(markers::APP1, XMP), (markers::COM, COMMENT), (markers::APP13, IPTC), (markers::APP2, MPF)]
    {
        jpeg.segments_mut()
            .insert(frame, JpegSegment::new_with_contents(marker, Bytes::from_static(contents)));
    }
    let mut bytes = Vec::from(jpeg.encoder().bytes());
    bytes.extend_from_slice(MOTION_CLIP);
    bytes
}

/// The pixels a picture decodes to, as stored (no orientation applied).
fn pixels(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).expect("the picture decodes")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

fn orientation_in_jpeg(bytes: &[u8]) -> Orientation {
    let mut decoder = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .expect("reading from memory")
        .into_decoder()
        .expect("a decoder");
    decoder.orientation().expect("an orientation")
}

// ---------------------------------------------------------------------------------------------
// strip_metadata: JPEG

#[test]
fn a_phone_jpeg_loses_gps_and_every_other_hidden_detail_but_keeps_its_orientation() {
    let original = phone_jpeg(&gradient(64, 48));
    assert!(contains(&original, &LATITUDE) && contains(&original, &GPS_POINTER), "the test's EXIF is in");
    let stripped = strip_metadata(&original, "image/jpeg").expect("strips").expect("something removed");

    assert!(!contains(&stripped, &LATITUDE), "the latitude is gone");
    assert!(!contains(&stripped, &GPS_POINTER), "the GPS directory's pointer is gone");
    for detail in [XMP, COMMENT, IPTC, MPF, MOTION_CLIP, b"GPS".as_slice()] {
        assert!(!contains(&stripped, detail), "{:?} is gone", String::from_utf8_lossy(detail));
    }
    assert!(stripped.ends_with(&[0xFF, 0xD9]), "the file ends where the picture does");

    let jpeg = Jpeg::from_bytes(stripped.clone().into()).expect("the result parses");
    let exif = jpeg.exif().expect("an EXIF is written back for the orientation");
    assert_eq!(exif.as_ref(), orientation_only_exif(6).as_slice());
    assert_eq!(Orientation::from_exif_chunk(&exif), Some(Orientation::Rotate90));
    assert_eq!(orientation_in_jpeg(&stripped), Orientation::Rotate90, "a decoder still turns it");
    assert_eq!(jpeg.icc_profile().as_deref(), Some(FAKE_ICC), "the colour profile is kept");
    let app1_count = jpeg.segments_by_marker(markers::APP1).count();
    assert_eq!(app1_count, 1, "one APP1, the orientation's");

    let (before, after) = (pixels(&original), pixels(&stripped));
    assert_eq!((after.width(), after.height()), (64, 48));
    assert_eq!(before.as_bytes(), after.as_bytes(), "the pixels are untouched");
}

#[test]
fn the_minimal_exif_is_26_bytes_and_read_back_by_image() {
    for value in 1..=8u8 {
        let exif = orientation_only_exif(value);
        assert_eq!(exif.len(), 26);
        assert_eq!(Orientation::from_exif_chunk(&exif).map(Orientation::to_exif), Some(value));
    }
}

#[test]
fn an_upright_jpeg_loses_its_exif_entirely() {
    let original = jpeg_of(&gradient(32, 32), Some(exif_with_gps(1)), None);
    let stripped = strip_metadata(&original, "image/jpeg").expect("strips").expect("something removed");
    let jpeg = Jpeg::from_bytes(stripped.clone().into()).expect("parses");
    assert_eq!(jpeg.exif(), None);
    assert_eq!(jpeg.segments_by_marker(markers::APP1).count(), 0);
    assert!(!contains(&stripped, &LATITUDE));
    assert_eq!(pixels(&original).as_bytes(), pixels(&stripped).as_bytes());
}

#[test]
fn a_jpeg_without_hidden_details_is_left_alone() {
    let plain = jpeg_of(&gradient(40, 30), None, Some(FAKE_ICC.to_vec()));
    assert_eq!(strip_metadata(&plain, "image/jpeg"), Ok(None));
}

#[test]
fn stripping_twice_changes_nothing_the_second_time() {
    let once = strip_metadata(&phone_jpeg(&gradient(24, 24)), "image/jpeg").expect("ok").expect("stripped");
    assert_eq!(strip_metadata(&once, "image/jpeg"), Ok(None));
}

#[test]
fn other_types_are_left_alone_and_a_wrong_type_is_an_error() {
    let png = png_of(&DynamicImage::ImageRgb8(gradient(8, 8)));
    assert_eq!(strip_metadata(b"%PDF-1.7 ...", "application/pdf"), Ok(None));
    assert_eq!(strip_metadata(&png, "audio/ogg"), Ok(None));
    assert_eq!(strip_metadata(&png, "image/jpeg"), Err(MediaError::NotAPicture));
    assert_eq!(strip_metadata(b"\xFF\xD8\xFF\xE1\xFF", "image/jpeg"), Err(MediaError::CannotClean));
}

#[test]
fn a_cut_or_garbled_picture_never_panics_the_stripper() {
    let jpeg = phone_jpeg(&gradient(16, 16));
    let png = phone_png();
    for (bytes, mime) in [(&jpeg, "image/jpeg"), (&png, "image/png")] {
        for end in 0..bytes.len() {
            let _ = strip_metadata(&bytes[..end], mime);
        }
        let mut garbled = bytes.clone();
        for (index, byte) in garbled.iter_mut().enumerate().skip(2) {
            if index % 5 == 0 {
                *byte = byte.wrapping_mul(31).wrapping_add(7);
            }
        }
        let _ = strip_metadata(&garbled, mime);
    }
}

// The part after the first scan header, walked marker by marker.

#[test]
fn the_tail_walk_keeps_compressed_data_and_drops_metadata_between_scans_and_after_the_end() {
    // Compressed data with a stuffed FF and a restart marker, a comment between scans, a second
    // scan header, more data, the end, and an appended clip.
    let data = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56];
    let comment = [0xFF, 0xFE, 0x00, 0x06, b'h', b'o', b'm', b'e'];
    let second_scan = [0xFF, 0xDA, 0x00, 0x04, 0xFF, 0xD9]; // an FF D9 inside a header's contents
    let end = [0xFF, 0xD9];
    let tail = [&data[..], &comment, &second_scan, &data, &end, b"clip"].concat();
    let expected = [&data[..], &second_scan, &data, &end].concat();
    assert_eq!(cleaned_tail(&tail), Some(expected.clone()));
    assert_eq!(cleaned_tail(&expected), None, "nothing left to remove");
    assert_eq!(cleaned_tail(&data), None, "no end marker: left as it is");
    assert_eq!(cleaned_tail(&[0x12, 0xFF, 0xFE, 0x00, 0x01, 0xFF, 0xD9]), None, "a length below 2");
    assert_eq!(cleaned_tail(&[0x12, 0xFF, 0xFE, 0x00, 0x40, 0xFF, 0xD9]), None, "a length past the end");
}

// ---------------------------------------------------------------------------------------------
// strip_metadata: PNG

fn text_chunk(kind: &[u8; 4], contents: &'static [u8]) -> PngChunk {
    PngChunk::new(*kind, Bytes::from_static(contents))
}

/// A PNG with a location in text chunks, an EXIF with GPS, a time, an unknown private chunk and
/// bytes after its end; and a colour profile and pixel size, which are kept.
fn phone_png() -> Vec<u8> {
    let plain = png_of(&DynamicImage::ImageRgb8(gradient(20, 10)));
    let mut png = Png::from_bytes(plain.into()).expect("our own PNG parses");
    png.set_icc_profile(Some(Bytes::from_static(FAKE_ICC)));
    png.set_exif(Some(exif_with_gps(6).into()));
    let chunks = png.chunks_mut();
    chunks.insert(1, text_chunk(b"tEXt", b"Location\x0053.3N"));
    chunks.insert(1, text_chunk(b"iTXt", b"Author\0\0\0\0\0Aoife B"));
    chunks.insert(1, text_chunk(b"zTXt", b"Comment\0\0\x78\x9c\x03\0\0\0\0\x01"));
    chunks.insert(1, text_chunk(b"tIME", b"\x07\xe9\x05\x01\x0c\x00\x00"));
    chunks.insert(1, text_chunk(b"pHYs", b"\0\0\x0b\x13\0\0\x0b\x13\x01"));
    chunks.insert(1, text_chunk(b"prVt", b"a vendor's own chunk"));
    let before_end = chunks.len() - 1;
    chunks.insert(before_end, text_chunk(b"tEXt", b"Software\0SomePhone 1.0"));
    let mut bytes = Vec::from(png.encoder().bytes());
    bytes.extend_from_slice(b"appended after IEND: 53.3N");
    bytes
}

#[test]
fn a_png_loses_its_text_exif_and_time_chunks_and_keeps_its_pixels() {
    let original = phone_png();
    let stripped = strip_metadata(&original, "image/png").expect("strips").expect("something removed");
    assert!(!contains(&stripped, b"53.3N"), "the location is gone");
    assert!(!contains(&stripped, &LATITUDE), "the EXIF's GPS is gone");
    assert!(!contains(&stripped, b"SomePhone"));

    let png = Png::from_bytes(stripped.clone().into()).expect("the result parses");
    let kinds: Vec<[u8; 4]> = png.chunks().iter().map(PngChunk::kind).collect();
    for gone in [b"tEXt", b"iTXt", b"zTXt", b"tIME", b"prVt"] {
        assert!(!kinds.contains(gone), "{} is gone", String::from_utf8_lossy(gone));
    }
    for kept in [b"IHDR", b"iCCP", b"pHYs", b"IDAT", b"IEND"] {
        assert!(kinds.contains(kept), "{} is kept", String::from_utf8_lossy(kept));
    }
    assert_eq!(png.exif().as_deref(), Some(orientation_only_exif(6).as_slice()), "orientation kept");
    assert_eq!(png.icc_profile().as_deref(), Some(FAKE_ICC));

    let (before, after) = (pixels(&original), pixels(&stripped));
    assert_eq!((after.width(), after.height()), (20, 10));
    assert_eq!(before.as_bytes(), after.as_bytes(), "the pixels are untouched");
    assert_eq!(strip_metadata(&stripped, "image/png"), Ok(None), "and a second pass finds nothing");
}

#[test]
fn a_plain_png_is_left_alone() {
    let plain = png_of(&DynamicImage::ImageRgba8(RgbaImage::from_pixel(5, 5, Rgba([1, 2, 3, 4]))));
    assert_eq!(strip_metadata(&plain, "image/png"), Ok(None));
}

// ---------------------------------------------------------------------------------------------
// sniff_mime

#[test]
fn files_are_known_by_their_first_bytes() {
    let jpeg = jpeg_of(&gradient(8, 8), None, None);
    let png = png_of(&DynamicImage::ImageRgb8(gradient(8, 8)));
    let wav = [&b"RIFF"[..], &36u32.to_le_bytes(), b"WAVEfmt ", &16u32.to_le_bytes(), &[1, 0, 1, 0]].concat();
    let ogg_page = |packet: &[u8]| {
        let header = [&b"OggS"[..], &[0, 2], &[0; 8], &[1, 0, 0, 0], &[0; 4], &[0; 4], &[1, 19]].concat();
        assert_eq!(header.len(), 28);
        [&header[..], packet].concat()
    };
    let opus = ogg_page(b"OpusHead\x01\x02\x38\x01\x80\xbb\0\0\0\0\0");
    let vorbis = ogg_page(b"\x01vorbis\0\0\0\0\x02\x44\xac\0\0");
    let m4a = [&[0, 0, 0, 0x20][..], b"ftypM4A \0\0\0\0M4A mp42isom"].concat();
    let mp4 = [&[0, 0, 0, 0x20][..], b"ftypisom\0\0\x02\0isomiso2avc1mp41"].concat();
    let webp = [&b"RIFF"[..], &[0x24, 0, 0, 0], b"WEBPVP8 "].concat();
    let cases: [(&[u8], &str); 14] = [
        (&jpeg, "image/jpeg"),
        (&png, "image/png"),
        (b"GIF89a\x01\0\x01\0", "image/gif"),
        (&webp, "image/webp"),
        (&wav, "audio/x-wav"),
        (&opus, "audio/ogg"),
        (&vorbis, "audio/ogg"),
        (&m4a, "audio/mp4"),
        (b"ID3\x04\0\0\0\0\0\0", "audio/mpeg"),
        (b"\xFF\xFB\x90\x64\0\0", "audio/mpeg"),
        (b"\xFF\xF3\x48\xC4\0\0", "audio/mpeg"), // MPEG-2 Layer III, which infer misses
        (b"%PDF-1.7\n%\xE2\xE3", "application/pdf"),
        (&mp4, "video/mp4"),
        (b"\x13\x37 not a known kind of file \x02\x9a", FALLBACK_MIME),
    ];
    for (head, expected) in cases {
        assert_eq!(sniff_mime(head), expected, "{:02x?}", &head[..head.len().min(12)]);
    }
    assert_eq!(sniff_mime(b""), FALLBACK_MIME);
    assert_eq!(sniff_mime(b"\xFF"), FALLBACK_MIME);
    assert_eq!(sniff_mime(b"\xFF\xF1\x50\x80"), "audio/aac", "ADTS AAC is not taken for mp3");
    assert_eq!(sniff_mime(b"\xFF\xFF\xFF\xFF"), FALLBACK_MIME, "not a frame header");
}

// ---------------------------------------------------------------------------------------------
// picture_preview

fn decode_preview(preview: &Preview) -> DynamicImage {
    let format = image::guess_format(&preview.jpeg).expect("a known format");
    assert_eq!(format, ImageFormat::Jpeg);
    image::load_from_memory_with_format(&preview.jpeg, ImageFormat::Jpeg).expect("the preview decodes")
}

#[test]
fn a_wide_picture_gives_its_size_and_a_small_jpeg_of_the_same_shape() {
    let preview = picture_preview(&jpeg_of(&gradient(2000, 1000), None, None)).expect("a preview");
    assert_eq!((preview.width, preview.height), (2000, 1000));
    assert!(preview.jpeg.len() <= MAX_PREVIEW_BYTES, "{} bytes", preview.jpeg.len());
    let small = decode_preview(&preview);
    assert_eq!((small.width(), small.height()), (320, 160));
}

#[test]
fn a_noisy_picture_still_gets_a_preview_within_the_limit() {
    let png = png_of(&DynamicImage::ImageRgb8(noise(2000, 1000)));
    let preview = picture_preview(&png).expect("a preview");
    assert_eq!((preview.width, preview.height), (2000, 1000));
    assert!(preview.jpeg.len() <= MAX_PREVIEW_BYTES, "{} bytes", preview.jpeg.len());
    let small = decode_preview(&preview);
    assert!(small.width() <= PREVIEW_SIDE && small.width() >= 2 * small.height() - 2, "{small:?}");
}

#[test]
fn a_small_picture_is_not_enlarged() {
    let preview = picture_preview(&jpeg_of(&gradient(40, 30), None, None)).expect("a preview");
    let small = decode_preview(&preview);
    assert_eq!((small.width(), small.height()), (40, 30));
}

#[test]
fn a_sideways_phone_picture_is_reported_and_previewed_upright() {
    let stored = gradient(200, 100);
    for exif in [exif_with_gps(6), orientation_only_exif(6)] {
        let preview = picture_preview(&jpeg_of(&stored, Some(exif), None)).expect("a preview");
        assert_eq!((preview.width, preview.height), (100, 200));
        let small = decode_preview(&preview);
        assert_eq!((small.width(), small.height()), (100, 200));
    }
}

#[test]
fn transparency_is_flattened_onto_white() {
    let clear = RgbaImage::from_pixel(50, 50, Rgba([0, 0, 0, 0]));
    let preview = picture_preview(&png_of(&DynamicImage::ImageRgba8(clear))).expect("a preview");
    let small = decode_preview(&preview).into_rgb8();
    assert!(small.pixels().all(|pixel| pixel.0.iter().all(|&channel| channel >= 250)), "white");
}

/// The CRC-32 of PNG chunks (ISO-HDLC), bit by bit.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], contents: &[u8]) -> Vec<u8> {
    let length = u32::try_from(contents.len()).expect("a small chunk");
    let checked = [&kind[..], contents].concat();
    [&length.to_be_bytes()[..], &checked, &crc32(&checked).to_be_bytes()].concat()
}

#[test]
fn a_png_claiming_100000_by_100000_pixels_is_refused_at_once() {
    assert_eq!(crc32(b"IEND"), 0xAE42_6082, "the test's CRC is PNG's");
    let size = 100_000u32.to_be_bytes();
    let header = [&size[..], &size, &[8, 6, 0, 0, 0]].concat(); // 8-bit RGBA: 40 GB decoded
    let bomb = [
        &b"\x89PNG\r\n\x1a\n"[..],
        &png_chunk(b"IHDR", &header),
        &png_chunk(b"IDAT", b"\x78\x9c\x03\0\0\0\0\x01"),
        &png_chunk(b"IEND", b""),
    ]
    .concat();
    let started = Instant::now();
    let refused = picture_preview(&bomb);
    assert_eq!(refused, Err(MediaError::TooLarge { width: 100_000, height: 100_000 }));
    assert!(started.elapsed() < Duration::from_secs(1), "refused without decoding");
    assert_eq!(
        refused.map(drop).unwrap_err().to_string(),
        "the picture is too large to show (100000 x 100000 pixels)"
    );
}

#[test]
fn a_jpeg_claiming_60000_by_60000_pixels_is_refused_at_once() {
    let plain = jpeg_of(&gradient(16, 16), None, None);
    let mut jpeg = Jpeg::from_bytes(plain.into()).expect("parses");
    let frame = jpeg.segments().iter().position(|segment| segment.marker() == markers::SOF0).expect("SOF0");
    let mut header = jpeg.segments()[frame].contents().to_vec();
    header[1..5].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]); // height, width: 60000
    jpeg.segments_mut()[frame] = JpegSegment::new_with_contents(markers::SOF0, header.into());
    let started = Instant::now();
    let refused = picture_preview(&jpeg.encoder().bytes());
    assert_eq!(refused, Err(MediaError::TooLarge { width: 60_000, height: 60_000 }));
    assert!(started.elapsed() < Duration::from_secs(1), "refused without decoding");
}

#[test]
fn what_is_not_a_picture_or_is_cut_short_gives_an_error_not_a_panic() {
    assert_eq!(picture_preview(b"%PDF-1.7 not a picture"), Err(MediaError::NotAPicture));
    assert_eq!(picture_preview(b""), Err(MediaError::NotAPicture));
    let jpeg = jpeg_of(&gradient(24, 24), Some(exif_with_gps(6)), None);
    let png = png_of(&DynamicImage::ImageRgb8(gradient(24, 24)));
    for bytes in [&jpeg, &png] {
        for end in (0..bytes.len()).step_by(7) {
            let _ = picture_preview(&bytes[..end]);
        }
    }
    assert!(picture_preview(&png[..png.len() / 2]).is_err());
}

#[test]
fn the_messages_are_in_plain_words() {
    assert_eq!(MediaError::NotAPicture.to_string(), "not a picture this app can show");
    assert_eq!(
        MediaError::TooLarge { width: 40_000, height: 40_000 }.to_string(),
        "the picture is too large to show (40000 x 40000 pixels)"
    );
}

#[test]
fn the_decoder_reads_a_phone_jpeg_as_rotated() {
    // Guards the tests above: image reads the hand-made little-endian EXIF's orientation.
    let jpeg = jpeg_of(&gradient(8, 8), Some(exif_with_gps(6)), None);
    assert_eq!(orientation_in_jpeg(&jpeg), Orientation::Rotate90);
}
