//! Search: what the user looked for, the page of results the server sent (newest first, only
//! from the rooms this user is in and their own direct messages), and opening a result in its
//! conversation.

use anseo_shared::protocol::{MAX_SEARCH_PAGE, Place, SearchHit, validate_search};

use super::{Chat, Command, Dialog, Target, capitalize};

/// The search dialog's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// What was searched for last.
    pub text: String,
    /// Its results, newest first (more pages appended).
    pub results: Vec<SearchHit>,
    /// Older messages match too.
    pub more: bool,
    /// A search is on its way.
    pub waiting: bool,
}

impl Chat {
    /// Searches for `text` (a new search), or for the next page of the last one.
    pub(super) fn search(&mut self, text: String, next_page: bool) -> Option<Command> {
        let text = text.trim().to_string();
        if let Err(e) = validate_search(&text) {
            self.error = Some(capitalize(&format!("cannot search for that: {e}")));
            return None;
        }
        let before = match next_page && text == self.search.text {
            true => self.search.results.last().map(|hit| hit.id),
            false => {
                self.search = Search { text: text.clone(), ..Search::default() };
                None
            }
        };
        self.search.waiting = true;
        self.error = None;
        Some(Command::Search { text, before, limit: MAX_SEARCH_PAGE / 2 })
    }

    /// A page of results came.
    pub(super) fn search_results(&mut self, text: String, results: Vec<SearchHit>, more: bool) {
        if text != self.search.text {
            return;
        }
        self.search.results.extend(results);
        self.search.more = more;
        self.search.waiting = false;
    }

    /// Opens the conversation a result is in, with the result in view if it is loaded.
    pub(super) fn open_result(&mut self, hit: SearchHit) {
        let target = match hit.place {
            Place::Room(room) => Target::Room(room),
            Place::Direct(user) => {
                self.directs.entry(user.clone()).or_default();
                Target::Direct(user)
            }
        };
        if self.dialog == Some(Dialog::Search) {
            self.dialog = None;
        }
        self.room_view = super::RoomView::Messages;
        self.select(target);
        self.jump_to = Some(hit.id);
    }
}

/// `text` cut into pieces, each marked when it is one of the words searched for (compared
/// ignoring case, a word's start too), to show the hits highlighted.
pub fn highlighted(text: &str, search: &str) -> Vec<(String, bool)> {
    let words: Vec<String> = search.split_whitespace().map(str::to_lowercase).collect();
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, pieces: &mut Vec<(String, bool)>| {
        if !word.is_empty() {
            let lower = word.to_lowercase();
            let hit = words.iter().any(|w| lower.starts_with(w.as_str()));
            pieces.push((std::mem::take(word), hit));
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut pieces);
            match pieces.last_mut() {
                Some((last, false)) => last.push(c),
                _ => pieces.push((c.to_string(), false)),
            }
        }
    }
    flush(&mut word, &mut pieces);
    pieces
}
