//! A file's media type from its first bytes (its "magic number"), not from its name: a name is
//! whatever the sender typed, the bytes are what the receiver's app will actually open.

/// How many bytes from the start of a file [`sniff_mime`] needs. The formats this app cares
/// about are told apart within their first 36 bytes (Ogg Opus's `OpusHead` sits at 28..36); a
/// few others `infer` knows look further in (a tar header at 257, an Office file's parts), so
/// 8 KiB is plenty while staying one small read.
pub const SNIFF_LEN: usize = 8192;

/// The media type when the bytes match no known format: "some bytes", offered as a download.
pub const FALLBACK_MIME: &str = "application/octet-stream";

/// The media type of a file whose first bytes are `head` (pass at least [`SNIFF_LEN`] bytes, or
/// the whole file if shorter). Pictures come out as `image/jpeg`, `image/png`, `image/gif`,
/// `image/webp`; sound as `audio/ogg` (Ogg Vorbis and Ogg Opus), `audio/mp4` (m4a),
/// `audio/mpeg` (mp3), `audio/x-wav`; also `application/pdf`, `video/mp4` and whatever else
/// `infer` knows, and [`FALLBACK_MIME`] for anything unknown.
pub fn sniff_mime(head: &[u8]) -> &'static str {
    match infer::get(head) {
        Some(kind) => media_type_browsers_expect(kind.mime_type()),
        None if starts_with_mp3_frame(head) => "audio/mpeg",
        None => FALLBACK_MIME,
    }
}

/// `infer`'s name for a type, changed where browsers and players expect another: Ogg Opus is
/// served as `audio/ogg` (RFC 7845; `audio/opus` is for RTP streams), and m4a as `audio/mp4`
/// (`audio/m4a` is not a registered type).
fn media_type_browsers_expect(mime: &'static str) -> &'static str {
    match mime {
        "audio/opus" => "audio/ogg",
        "audio/m4a" => "audio/mp4",
        other => other,
    }
}

/// Whether `head` starts with an MPEG audio Layer III frame header (an mp3 without an ID3 tag).
/// `infer` only knows MPEG-1 frames without a checksum (`FF FB`); this also takes those with
/// one (`FF FA`) and MPEG-2/2.5 frames (`FF F3`, `FF E3`, ...): 11 sync bits, a version that is
/// not the reserved one, and the layer bits saying Layer III. (AAC's `FF F1` has layer bits 00
/// and was already matched by `infer`.)
fn starts_with_mp3_frame(head: &[u8]) -> bool {
    let [0xFF, second, third, ..] = *head else {
        return false;
    };
    let sync = second & 0xE0 == 0xE0;
    let version_known = (second >> 3) & 0b11 != 0b01;
    let layer_three = (second >> 1) & 0b11 == 0b01;
    // Bitrate index 1111 and sample-rate index 11 are invalid in every version.
    let bitrate_valid = third >> 4 != 0b1111;
    let rate_valid = (third >> 2) & 0b11 != 0b11;
    sync && version_known && layer_three && bitrate_valid && rate_valid
}
