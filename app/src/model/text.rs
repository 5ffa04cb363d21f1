//! Splitting a message into plain text and links, so the view can show URLs as links; and a
//! server time as the local clock shows it.

/// A piece of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Splits `text` at `http://` and `https://` URLs (found by `linkify`, which leaves trailing
/// punctuation that usually ends a sentence outside the link). Other schemes and bare domain
/// names stay text.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    finder
        .spans(text)
        .map(|span| {
            let piece = span.as_str();
            let is_web = piece.starts_with("http://") || piece.starts_with("https://");
            match span.kind() {
                Some(linkify::LinkKind::Url) if is_web => Segment::Link(piece),
                _ => Segment::Text(piece),
            }
        })
        .collect()
}

/// `HH:MM` in the local time zone for a server timestamp (ms since the Unix epoch).
pub fn local_time(ts: u64) -> String {
    chrono::DateTime::from_timestamp_millis(ts as i64)
        .map(|t| t.with_timezone(&chrono::Local).format("%H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_and_leaves_punctuation_outside() {
        assert_eq!(
            segments("see https://example.org/a?b=1. and http://x.yz"),
            vec![
                Segment::Text("see "),
                Segment::Link("https://example.org/a?b=1"),
                Segment::Text(". and "),
                Segment::Link("http://x.yz"),
            ]
        );
    }

    #[test]
    fn finds_the_addresses_of_a_local_network() {
        for url in ["http://localhost:8080/x", "https://192.168.1.5:4433/join#fp=ab", "http://printer/status"]
        {
            assert_eq!(segments(url), vec![Segment::Link(url)]);
        }
        assert_eq!(
            segments("(see https://a.org/b)"),
            vec![Segment::Text("(see "), Segment::Link("https://a.org/b"), Segment::Text(")")]
        );
        assert_eq!(segments("ftp://a.org/b"), vec![Segment::Text("ftp://a.org/b")]);
    }

    #[test]
    fn plain_text_and_bare_scheme_stay_text() {
        assert_eq!(segments("hello"), vec![Segment::Text("hello")]);
        let joined: String = segments("go to https:// now")
            .iter()
            .map(|s| match s {
                Segment::Text(t) | Segment::Link(t) => *t,
            })
            .collect();
        assert_eq!(joined, "go to https:// now");
        assert!(segments("go to https:// now").iter().all(|s| matches!(s, Segment::Text(_))));
    }
}
