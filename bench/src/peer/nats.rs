//! `nats://`: the NATS text protocol (INFO, CONNECT, SUB, PUB, MSG, PING/PONG). A room is the
//! subject `room.NAME` (subscription id = the room name), a user's inbox is `user.NAME`.
//! Echo is off, so like IRC a sender does not get its own messages back.

use anyhow::bail;

use super::lines::{self, LineReader, LineWriter};
use super::{Conn, Incoming, Receiver, Sender};

pub fn room_subject(room: &str) -> String {
    format!("room.{room}")
}

pub fn user_subject(user: &str) -> String {
    format!("user.{user}")
}

pub async fn connect(addr: &str, name: &str) -> anyhow::Result<Conn> {
    let (mut reader, writer) = lines::connect(addr, None).await?;
    if !reader.read_line().await || !reader.line.starts_with(b"INFO") {
        bail!("{addr} did not greet with INFO");
    }
    let connect = format!(
        "CONNECT {{\"verbose\":false,\"pedantic\":false,\"echo\":false,\"name\":\"{name}\",\"lang\":\"rust\",\"version\":\"0\"}}\r\n\
         SUB {} me\r\nPING\r\n",
        user_subject(name)
    );
    writer.write(connect.as_bytes()).await?;
    loop {
        if !reader.read_line().await {
            bail!("{addr} closed the connection during login");
        }
        match reader.line.as_slice() {
            b"PONG" => break,
            b"PING" => writer.write(b"PONG\r\n").await?,
            line if line.starts_with(b"-ERR") => {
                bail!("{addr} refused the login: {}", String::from_utf8_lossy(line))
            }
            _ => {}
        }
    }
    Ok(Conn { tx: Sender::Nats(writer.clone()), rx: Receiver::Nats(reader, writer) })
}

pub async fn subscribe(writer: &LineWriter, room: &str) -> anyhow::Result<()> {
    writer.write(format!("SUB {} {room}\r\n", room_subject(room)).as_bytes()).await
}

/// PUBs every text to `subject` in one write.
pub async fn publish(writer: &LineWriter, subject: &str, texts: &[String]) -> anyhow::Result<()> {
    let mut batch = String::with_capacity(texts.iter().map(|t| t.len() + subject.len() + 16).sum());
    for text in texts {
        batch.push_str(&format!("PUB {subject} {}\r\n", text.len()));
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
        let line = reader.line.as_slice();
        if line.starts_with(b"MSG ") {
            // MSG <subject> <sid> [reply-to] <#bytes>
            let len = std::str::from_utf8(line)
                .ok()
                .and_then(|l| l.rsplit(' ').next())
                .and_then(|n| n.parse::<usize>().ok());
            let Some(len) = len else {
                return Incoming::Closed("a malformed MSG line".into());
            };
            return match reader.read_body(len).await {
                Some(body) => Incoming::Text(String::from_utf8_lossy(&body).into_owned()),
                None => Incoming::Closed("the server closed the connection".into()),
            };
        }
        match line {
            b"PING" if writer.write(b"PONG\r\n").await.is_err() => {
                return Incoming::Closed("the server closed the connection".into());
            }
            b"PONG" => return Incoming::Pong,
            _ if line.starts_with(b"-ERR") => {
                return Incoming::Error(String::from_utf8_lossy(line).into_owned());
            }
            _ => {}
        }
    }
}
