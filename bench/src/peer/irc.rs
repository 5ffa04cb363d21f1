//! `irc://` and `ircs://`: any IRC server (RFC 1459 lines). Rooms are channels `#NAME`;
//! logging in is NICK + USER until the 001 welcome; PINGs are answered by the reader.

use anseo_shared::trust::Fingerprint;
use anyhow::bail;

use super::lines::{self, LineReader, LineWriter};
use super::{Conn, Incoming, Receiver, Sender};

pub async fn connect(addr: &str, name: &str, tls: Option<Fingerprint>) -> anyhow::Result<Conn> {
    let (mut reader, writer) = lines::connect(addr, tls).await?;
    writer.write(format!("NICK {name}\r\nUSER {name} 0 * :{name}\r\n").as_bytes()).await?;
    loop {
        if !reader.read_line().await {
            bail!("{addr} closed the connection during login");
        }
        let line = String::from_utf8_lossy(&reader.line).into_owned();
        let message = Message::parse(&line);
        match message.command {
            "001" => break,
            "PING" => writer.write(format!("PONG :{}\r\n", message.trailing()).as_bytes()).await?,
            "433" | "432" => bail!("{addr} refused the nick {name}: {line}"),
            "ERROR" => bail!("{addr} refused the login: {line}"),
            _ => {}
        }
    }
    Ok(Conn { tx: Sender::Irc(writer.clone()), rx: Receiver::Irc(reader, writer) })
}

pub async fn say(writer: &LineWriter, room: &str, texts: &[String]) -> anyhow::Result<()> {
    say_to(writer, &format!("#{room}"), texts).await
}

/// PRIVMSG to a channel or a nick, all texts in one write.
pub async fn say_to(writer: &LineWriter, to: &str, texts: &[String]) -> anyhow::Result<()> {
    let mut batch = String::with_capacity(texts.iter().map(|t| t.len() + to.len() + 12).sum());
    for text in texts {
        batch.push_str("PRIVMSG ");
        batch.push_str(to);
        batch.push_str(" :");
        batch.push_str(text);
        batch.push_str("\r\n");
    }
    writer.write(batch.as_bytes()).await
}

pub async fn next(reader: &mut LineReader, writer: &LineWriter) -> Incoming {
    loop {
        if !reader.read_line().await {
            return Incoming::Closed("the server closed the connection".into());
        }
        let line = String::from_utf8_lossy(&reader.line);
        let message = Message::parse(&line);
        let channel = |i: usize| message.param(i).trim_start_matches('#').to_string();
        return match message.command {
            "PRIVMSG" | "NOTICE" => Incoming::Text(message.trailing().to_string()),
            "PING" => {
                if writer.write(format!("PONG :{}\r\n", message.trailing()).as_bytes()).await.is_err() {
                    return Incoming::Closed("the server closed the connection".into());
                }
                continue;
            }
            "JOIN" => Incoming::Joined { room: channel(0), user: message.nick().into() },
            "PART" => Incoming::Left { room: channel(0), user: message.nick().into() },
            "QUIT" => Incoming::Offline { user: message.nick().into() },
            // RPL_NAMREPLY: "353 me = #room :a @b +c".
            "353" => Incoming::Members {
                room: channel(2),
                members: message
                    .trailing()
                    .split_whitespace()
                    .map(|n| n.trim_start_matches(['@', '+']).into())
                    .collect(),
                complete: false,
            },
            // RPL_ENDOFNAMES: "366 me #room :End of NAMES list".
            "366" => Incoming::Members { room: channel(1), members: Vec::new(), complete: true },
            "ERROR" => Incoming::Closed(message.trailing().to_string()),
            code if code.starts_with('4') => Incoming::Error(line.to_string()),
            _ => Incoming::Other,
        };
    }
}

/// One IRC line taken apart: `[:prefix] COMMAND params... [:trailing]`.
struct Message<'a> {
    prefix: &'a str,
    command: &'a str,
    params: Vec<&'a str>,
}

impl<'a> Message<'a> {
    fn parse(line: &'a str) -> Self {
        let (prefix, rest) = match line.strip_prefix(':') {
            Some(rest) => rest.split_once(' ').unwrap_or((rest, "")),
            None => ("", line),
        };
        let (head, trailing) = match rest.split_once(" :") {
            Some((head, trailing)) => (head, Some(trailing)),
            None => (rest, None),
        };
        let mut words = head.split_whitespace();
        let command = words.next().unwrap_or_default();
        let mut params: Vec<&str> = words.collect();
        params.extend(trailing);
        Message { prefix, command, params }
    }

    fn nick(&self) -> &'a str {
        self.prefix.split('!').next().unwrap_or_default()
    }

    fn param(&self, i: usize) -> &'a str {
        self.params.get(i).copied().unwrap_or_default()
    }

    fn trailing(&self) -> &'a str {
        self.params.last().copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_privmsg_and_names() {
        let m = Message::parse(":alice!a@host PRIVMSG #room :hello there");
        assert_eq!(
            (m.command, m.nick(), m.param(0), m.trailing()),
            ("PRIVMSG", "alice", "#room", "hello there")
        );
        let m = Message::parse(":srv 353 me = #room :@a +b c");
        assert_eq!((m.command, m.param(2), m.trailing()), ("353", "#room", "@a +b c"));
        let m = Message::parse(":bob!b@h JOIN :#room");
        assert_eq!((m.command, m.param(0)), ("JOIN", "#room"));
        let m = Message::parse("PING :srv");
        assert_eq!((m.command, m.trailing()), ("PING", "srv"));
    }
}
