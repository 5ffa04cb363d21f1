//! A password on its way from a field to the client core, kept out of logs: [`Secret`] never
//! shows its text in `Debug` output, so a model or command printed by a failing test or a
//! log line does not give it away.

use std::fmt;

/// A password the user typed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Secret(text.into())
    }

    /// The text, for the one place that needs it (the client core).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() { f.write_str("Secret(empty)") } else { f.write_str("Secret(..)") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_text() {
        let secret = Secret::new("hunter2 is my password");
        assert_eq!(format!("{secret:?}"), "Secret(..)");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(Secret(..))");
        assert_eq!(secret.expose(), "hunter2 is my password");
        assert_eq!(format!("{:?}", Secret::default()), "Secret(empty)");
    }
}
