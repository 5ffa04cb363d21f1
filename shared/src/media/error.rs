//! What can go wrong getting a picture ready to send, in words a person can be shown.

/// Why a picture could not be cleaned or previewed. The messages are meant for the person
/// sending it, so they say what happened in plain words, not which byte was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// The picture is wider or taller than [`MAX_PICTURE_SIDE`](super::MAX_PICTURE_SIDE), or
    /// has more pixels than [`MAX_PICTURE_PIXELS`](super::MAX_PICTURE_PIXELS): decoding it would
    /// take more memory than a preview is worth (and is how a "decompression bomb" attacks).
    #[error("the picture is too large to show ({width} x {height} pixels)")]
    TooLarge { width: u32, height: u32 },
    /// Decoding would need more memory than allowed, found before the size was known.
    #[error("the picture would need too much memory to show")]
    TooMuchMemory,
    /// Not a JPEG, PNG, GIF or WebP picture (or not the kind the caller said it was).
    #[error("not a picture this app can show")]
    NotAPicture,
    /// The file starts like a picture but is cut short or broken inside.
    #[error("the picture is damaged and cannot be shown")]
    Damaged,
    /// The picture is damaged, so the details hidden in it could not be removed safely.
    #[error(
        "the picture is damaged, so the details hidden in it (such as where it was taken) could not be removed"
    )]
    CannotClean,
    /// The preview could not be encoded, or not within
    /// [`MAX_PREVIEW_BYTES`](super::MAX_PREVIEW_BYTES) even at its smallest (which a real
    /// encoder never does; it keeps the loop that shrinks the preview finite).
    #[error("could not make a preview of the picture")]
    PreviewFailed,
}
