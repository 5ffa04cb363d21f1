//! Splitting a message into plain text and links, so the view can show URLs as links.

/// A piece of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Splits `text` at `http://` and `https://` URLs. A URL ends at whitespace; trailing
/// punctuation that usually ends a sentence (`.`, `,`, `)`, ...) stays outside the link.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find_url_start(rest) {
        if start > 0 {
            out.push(Segment::Text(&rest[..start]));
        }
        let tail = &rest[start..];
        let mut end = tail.find(char::is_whitespace).unwrap_or(tail.len());
        while end > 0 && tail[..end].ends_with(['.', ',', ')', ';', ':', '!', '?', '"', '\'']) {
            end -= 1;
        }
        let scheme_len = if tail.starts_with("https://") { 8 } else { 7 };
        if end <= scheme_len {
            out.push(Segment::Text(&tail[..scheme_len]));
            rest = &tail[scheme_len..];
            continue;
        }
        out.push(Segment::Link(&tail[..end]));
        rest = &tail[end..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    out
}

fn find_url_start(text: &str) -> Option<usize> {
    let http = text.find("http://");
    let https = text.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_and_leaves_punctuation_outside() {
        assert_eq!(
            segments("see https://example.org/a?b=1. and http://x.y"),
            vec![
                Segment::Text("see "),
                Segment::Link("https://example.org/a?b=1"),
                Segment::Text(". and "),
                Segment::Link("http://x.y"),
            ]
        );
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
