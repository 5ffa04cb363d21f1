//! A picture's size and a small JPEG preview of it, sent in chat ahead of the picture itself
//! so the others see something at once.
//!
//! The picture comes from someone else's device (or is about to go to everyone), so decoding
//! is bounded: the size a picture claims in its header is checked before any pixel is
//! decoded, and the decoder is held to [`MAX_DECODE_BYTES`], so a "decompression bomb" (a few
//! bytes claiming 100000 x 100000 pixels) gets [`MediaError::TooLarge`] instead of the memory.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage, RgbaImage};

use super::MediaError;

/// The preview fits in a square of this many pixels (keeping the picture's shape).
pub const PREVIEW_SIDE: u32 = 320;

/// The most bytes a preview's JPEG may have: small enough to go with the chat message.
pub const MAX_PREVIEW_BYTES: usize = 16 * 1024;

/// The widest or tallest picture decoded for a preview. Larger than any phone camera's
/// picture, and than most phone panoramas.
pub const MAX_PICTURE_SIDE: u32 = 16_384;

/// The most pixels a picture decoded for a preview may have: 100 megapixels, above the 48-64
/// megapixel pictures of today's phone cameras (at full resolution).
pub const MAX_PICTURE_PIXELS: u64 = 100_000_000;

/// The most memory the decoder may allocate for one picture (`image::Limits::max_alloc`).
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// JPEG qualities tried in turn until the preview fits in [`MAX_PREVIEW_BYTES`]; after the
/// last one the preview is made smaller and they are tried again.
const QUALITIES: [u8; 4] = [80, 65, 50, 35];

/// Each time the preview is still too big at the lowest quality, its sides shrink to this
/// fraction (3/4), until they reach [`SMALLEST_PREVIEW_SIDE`].
const SHRINK: (u32, u32) = (3, 4);

/// Below this the preview is not worth having: [`MediaError::PreviewFailed`].
const SMALLEST_PREVIEW_SIDE: u32 = 16;

/// A picture's size as it is shown and a small JPEG of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The picture's width as shown, in pixels: after its EXIF orientation is applied (a phone
    /// picture taken upright is stored sideways, so its stored width is this height).
    pub width: u32,
    /// The picture's height as shown, in pixels.
    pub height: u32,
    /// A baseline JPEG fitting [`PREVIEW_SIDE`] x [`PREVIEW_SIDE`] pixels with the picture's
    /// shape, already turned upright, transparency flattened onto white, at most
    /// [`MAX_PREVIEW_BYTES`] bytes.
    pub jpeg: Vec<u8>,
}

/// Decodes a JPEG, PNG, GIF (its first frame) or WebP picture within the limits above and
/// makes its [`Preview`].
pub fn picture_preview(bytes: &[u8]) -> Result<Preview, MediaError> {
    let mut decoder = open_decoder(bytes)?;
    let (stored_width, stored_height) = decoder.dimensions();
    refuse_too_large(stored_width, stored_height, decoder.total_bytes())?;
    decoder
        .set_limits(strict_limits())
        .map_err(|error| decoding_failed(error, stored_width, stored_height))?;
    // A broken EXIF is no reason to refuse the picture: it is then shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let picture = DynamicImage::from_decoder(decoder)
        .map_err(|error| decoding_failed(error, stored_width, stored_height))?;

    let mut small = small_upright_copy(picture, orientation);
    let (width, height) = shown_size(stored_width, stored_height, orientation);
    let jpeg = jpeg_within(&mut small, MAX_PREVIEW_BYTES)?;
    Ok(Preview { width, height, jpeg })
}

/// A decoder for `bytes`, chosen by their first bytes (not by a name), with the memory limit
/// set; the size limits are checked by [`refuse_too_large`] so the error can give the size.
fn open_decoder(bytes: &[u8]) -> Result<impl ImageDecoder + '_, MediaError> {
    let mut reader =
        ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| MediaError::Damaged)?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Gif | ImageFormat::WebP) => {}
        _ => return Err(MediaError::NotAPicture),
    }
    reader.limits(memory_limit());
    reader.into_decoder().map_err(|error| match error {
        ImageError::Limits(_) => MediaError::TooMuchMemory,
        other => not_decodable(other),
    })
}

/// Only the memory limit: the decoder may read a header of any size, so its size can be told.
fn memory_limit() -> Limits {
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// The memory limit and the size limits, for decoding the pixels.
fn strict_limits() -> Limits {
    let mut limits = memory_limit();
    limits.max_image_width = Some(MAX_PICTURE_SIDE);
    limits.max_image_height = Some(MAX_PICTURE_SIDE);
    limits
}

/// Refuses a picture wider or taller than [`MAX_PICTURE_SIDE`], with more pixels than
/// [`MAX_PICTURE_PIXELS`], or whose decoded pixels alone would take more than
/// [`MAX_DECODE_BYTES`]; and one with no pixels at all.
fn refuse_too_large(width: u32, height: u32, decoded_bytes: u64) -> Result<(), MediaError> {
    if width == 0 || height == 0 {
        return Err(MediaError::Damaged);
    }
    let pixels = u64::from(width) * u64::from(height);
    let too_large = width > MAX_PICTURE_SIDE
        || height > MAX_PICTURE_SIDE
        || pixels > MAX_PICTURE_PIXELS
        || decoded_bytes > MAX_DECODE_BYTES;
    if too_large { Err(MediaError::TooLarge { width, height }) } else { Ok(()) }
}

/// The error for a picture whose size was known but which could not be decoded.
fn decoding_failed(error: ImageError, width: u32, height: u32) -> MediaError {
    match error {
        ImageError::Limits(_) => MediaError::TooLarge { width, height },
        other => not_decodable(other),
    }
}

/// An unsupported kind of picture (a colour type or feature `image` lacks) or a damaged one.
fn not_decodable(error: ImageError) -> MediaError {
    match error {
        ImageError::Unsupported(_) => MediaError::NotAPicture,
        _ => MediaError::Damaged,
    }
}

/// The picture's size once `orientation` is applied: a quarter turn swaps width and height.
fn shown_size(width: u32, height: u32, orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        Orientation::NoTransforms
        | Orientation::Rotate180
        | Orientation::FlipHorizontal
        | Orientation::FlipVertical => (width, height),
    }
}

/// The picture made small enough for a preview (never enlarged), turned upright, in RGB with
/// any transparency flattened onto white (JPEG has no transparency; white is what a chat's
/// light background shows behind a transparent picture).
fn small_upright_copy(picture: DynamicImage, orientation: Orientation) -> RgbImage {
    let picture = if picture.color().has_alpha() {
        DynamicImage::ImageRgba8(flattened_onto_white(picture.into_rgba8()))
    } else {
        picture
    };
    let (width, height) = fit_within(picture.width(), picture.height(), PREVIEW_SIDE);
    let mut small = if (width, height) == (picture.width(), picture.height()) {
        picture
    } else {
        picture.thumbnail_exact(width, height)
    };
    small.apply_orientation(orientation);
    small.into_rgb8()
}

/// Blends every pixel onto an opaque white background, in place. Done before shrinking, as the
/// shrinking averages colours without weighting them by their transparency.
fn flattened_onto_white(mut picture: RgbaImage) -> RgbaImage {
    for pixel in picture.pixels_mut() {
        let [red, green, blue, alpha] = pixel.0;
        let over_white = |channel: u8| {
            let blended =
                (u32::from(channel) * u32::from(alpha) + 255 * (255 - u32::from(alpha)) + 127) / 255;
            u8::try_from(blended).unwrap_or(u8::MAX)
        };
        pixel.0 = [over_white(red), over_white(green), over_white(blue), u8::MAX];
    }
    picture
}

/// The largest size with the shape of `width` x `height` that fits in `side` x `side`, no
/// larger than it is, and at least one pixel each way.
fn fit_within(width: u32, height: u32, side: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= side {
        return (width, height);
    }
    let scaled = |length: u32| {
        let length = u64::from(length) * u64::from(side) / u64::from(longest);
        u32::try_from(length).unwrap_or(side).max(1)
    };
    (scaled(width), scaled(height))
}

/// `picture` as a JPEG of at most `max_bytes`: each of [`QUALITIES`] in turn, then smaller
/// ([`SHRINK`]) and again, until it fits.
fn jpeg_within(picture: &mut RgbImage, max_bytes: usize) -> Result<Vec<u8>, MediaError> {
    loop {
        for quality in QUALITIES {
            let jpeg = encode_jpeg(picture, quality)?;
            if jpeg.len() <= max_bytes {
                return Ok(jpeg);
            }
        }
        let longest = picture.width().max(picture.height());
        if longest <= SMALLEST_PREVIEW_SIDE {
            return Err(MediaError::PreviewFailed);
        }
        let side = (longest * SHRINK.0 / SHRINK.1).max(SMALLEST_PREVIEW_SIDE);
        let (width, height) = fit_within(picture.width(), picture.height(), side);
        *picture = image::imageops::thumbnail(picture, width, height);
    }
}

/// `picture` encoded as a baseline JPEG at `quality` (1-100).
fn encode_jpeg(picture: &RgbImage, quality: u8) -> Result<Vec<u8>, MediaError> {
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, quality)
        .encode_image(picture)
        .map_err(|_| MediaError::PreviewFailed)?;
    Ok(jpeg)
}
