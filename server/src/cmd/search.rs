//! `Search`: full-text search of the rooms the searcher is in and their own direct messages.
//! Checked here under the hub lock (which rooms they may read, right now); read from the
//! store afterwards by [`send_results`], beside history.

use anseo_shared::protocol::{ErrorCode, MAX_SEARCH_PAGE, ServerMsg, TextError, validate_search};

use super::CommandError;
use crate::clock::now_ms;
use crate::hub::{ClientId, Hub, encode};
use crate::store::{SearchScope, fts_query};

#[derive(Debug)]
pub struct Search {
    pub text: String,
    pub before: Option<u64>,
    pub limit: u32,
}

/// A search to run once the hub lock is released.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub text: String,
    pub scope: SearchScope,
}

impl Search {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<SearchRequest, CommandError> {
        let text = self.text.trim().to_string();
        validate_search(&text).map_err(|e| {
            let code = match e {
                TextError::Empty => ErrorCode::Empty,
                TextError::TooLong { .. } => ErrorCode::TooLong,
                TextError::ControlCharacter(_) => ErrorCode::InvalidText,
            };
            CommandError::new(code, format!("cannot search for that: {e}"))
        })?;
        let Some(query) = fts_query(&text) else {
            return Err(CommandError::new(ErrorCode::Empty, "search for at least one word"));
        };
        if hub.history().is_none() {
            return Err(CommandError::new(
                ErrorCode::Unavailable,
                "this server keeps no history to search (--no-store)",
            ));
        }
        let state = hub.lock();
        let Some(user) = state.user(me) else {
            return Err(CommandError::new(ErrorCode::Unavailable, "logged out"));
        };
        let rooms =
            user.rooms.iter().filter_map(|key| state.room(key)).map(|room| room.name.clone()).collect();
        let scope = SearchScope {
            query,
            rooms,
            me: user.name.clone(),
            before: self.before,
            limit: self.limit.clamp(1, MAX_SEARCH_PAGE),
        };
        Ok(SearchRequest { text, scope })
    }
}

/// Runs `request` and queues its results for `me`.
pub async fn send_results(hub: &Hub, me: ClientId, request: SearchRequest) {
    let Some(reader) = hub.history() else { return };
    match reader.search(request.scope).await {
        Ok((results, more)) => {
            let reply = ServerMsg::SearchResults { text: request.text, results, more, ts: now_ms() };
            if let Some(frame) = encode(&reply) {
                hub.lock().deliver(me, frame);
            }
        }
        Err(unavailable) => hub.lock().send_error(me, ErrorCode::Unavailable, unavailable.to_string(), None),
    }
}
