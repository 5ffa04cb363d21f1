//! Moderation typed as a line, the same in the terminal client and the app's message box:
//! `/topic TEXT`, `/mute NAME [MINUTES]`, `/unmute NAME`, `/kick NAME`, `/ban NAME`,
//! `/unban NAME`, `/op NAME`, `/deop NAME`, `/disconnect NAME`.

use crate::protocol::{DEFAULT_MUTE_MINUTES, MAX_MUTE_MINUTES, ModCommand};

/// The moderation command `line` asks for: `None` when it is no moderation command at all,
/// else the command or the usage line saying how to write it.
pub fn parse_moderation(line: &str) -> Option<Result<ModCommand, &'static str>> {
    let command = line.trim().strip_prefix('/')?;
    let (verb, rest) = command.split_once(char::is_whitespace).unwrap_or((command, ""));
    let rest = rest.trim();
    let mut words = rest.split_whitespace();
    let (first, second, third) = (words.next(), words.next(), words.next());
    let name = |usage: &'static str| match (first, second) {
        (Some(name), None) => Ok(name.to_string()),
        _ => Err(usage),
    };
    Some(match verb.to_lowercase().as_str() {
        "topic" if rest.is_empty() => Err("/topic TEXT"),
        "topic" => Ok(ModCommand::Topic { topic: rest.to_string() }),
        "mute" => {
            const USAGE: &str = "/mute NAME [MINUTES], MINUTES from 1 to 10080 (a week)";
            let minutes = match second.map(str::parse::<u32>) {
                None => Ok(DEFAULT_MUTE_MINUTES),
                Some(Ok(minutes)) if (1..=MAX_MUTE_MINUTES).contains(&minutes) => Ok(minutes),
                Some(_) => Err(USAGE),
            };
            match (first, minutes, third) {
                (Some(name), Ok(minutes), None) => Ok(ModCommand::Mute { name: name.to_string(), minutes }),
                _ => Err(USAGE),
            }
        }
        "unmute" => name("/unmute NAME").map(|name| ModCommand::Unmute { name }),
        "kick" => name("/kick NAME").map(|name| ModCommand::Kick { name }),
        "ban" => name("/ban NAME").map(|name| ModCommand::Ban { name }),
        "unban" => name("/unban NAME").map(|name| ModCommand::Unban { name }),
        "op" => name("/op NAME").map(|name| ModCommand::Op { name }),
        "deop" => name("/deop NAME").map(|name| ModCommand::Deop { name }),
        "disconnect" => name("/disconnect NAME").map(|name| ModCommand::Disconnect { name }),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moderation_lines() {
        let parse = |line| parse_moderation(line);
        assert_eq!(parse("/topic Maths  at 9"), Some(Ok(ModCommand::Topic { topic: "Maths  at 9".into() })));
        assert_eq!(parse("/topic"), Some(Err("/topic TEXT")));
        assert_eq!(parse("/mute bob"), Some(Ok(ModCommand::Mute { name: "bob".into(), minutes: 10 })));
        assert_eq!(parse("/MUTE bob 3"), Some(Ok(ModCommand::Mute { name: "bob".into(), minutes: 3 })));
        assert!(matches!(parse("/mute bob 0"), Some(Err(_))));
        assert!(matches!(parse("/mute bob 3 4"), Some(Err(_))));
        assert_eq!(parse("/kick bob"), Some(Ok(ModCommand::Kick { name: "bob".into() })));
        assert_eq!(parse("/kick"), Some(Err("/kick NAME")));
        assert_eq!(parse("/ban bob now"), Some(Err("/ban NAME")));
        assert_eq!(parse("/op carol"), Some(Ok(ModCommand::Op { name: "carol".into() })));
        assert_eq!(parse("/disconnect eve"), Some(Ok(ModCommand::Disconnect { name: "eve".into() })));
        assert_eq!(parse("/join maths"), None);
        assert_eq!(parse("kick bob"), None);
    }
}
