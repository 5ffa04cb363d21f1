//! What a message or direct message says: its text, and the file it may carry. Checked
//! before the hub lock is taken: a message with a file may have an empty text (the file's
//! caption), and its file must be one the server has stored whole, with the size the message
//! gives.

use anseo_shared::protocol::{Attachment, ErrorCode, validate_attachment, validate_caption, validate_text};

use super::CommandError;
use crate::hub::Hub;

/// Checks `text` and `attachment` as described above.
pub fn check(hub: &Hub, text: &str, attachment: Option<&Attachment>) -> Result<(), CommandError> {
    let max_chars = hub.limits().max_message_chars as usize;
    let Some(attachment) = attachment else {
        return validate_text(text, max_chars).map_err(CommandError::text);
    };
    validate_caption(text, max_chars).map_err(CommandError::text)?;
    validate_attachment(attachment)
        .map_err(|error| CommandError::new(ErrorCode::InvalidText, format!("the attachment: {error}")))?;
    let Some(blobs) = hub.blobs() else {
        let why = "this server keeps no files (it runs with --no-store)";
        return Err(CommandError::new(ErrorCode::Unavailable, why));
    };
    match blobs.size_of(&attachment.hash) {
        Ok(Some(size)) if size == attachment.size => Ok(()),
        Ok(Some(size)) => {
            let why =
                format!("'{}' has {size} bytes on the server, not {}", attachment.name, attachment.size);
            Err(CommandError::new(ErrorCode::WrongHash, why))
        }
        Ok(None) => {
            let why = format!("'{}' is not on the server; upload it before sending it", attachment.name);
            Err(CommandError::new(ErrorCode::NotFound, why))
        }
        Err(error) => {
            tracing::error!("looking for a file: {error}");
            Err(CommandError::new(ErrorCode::Unavailable, "the server cannot read its files; try again"))
        }
    }
}
