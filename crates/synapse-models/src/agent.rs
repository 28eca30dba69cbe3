//! Backend agents.

use std::fmt;

use crate::{AgentId, AgentStatus, AgentToken};

wire_struct! {
    #[wire(manual_debug)]
    /// An item of `GET agents/`. `token` and `node_install_script` (which embeds the token)
    /// are redacted in `Debug`.
    pub struct Agent {
        /// Agent row id.
        pub id: Option<AgentId>,
        /// Display name.
        pub name: Option<String>,
        /// Direct HTTP URL; absent/null for long-poll-only agents.
        pub url: Option<String>,
        /// Connection status (`connected`, …).
        pub status: Option<AgentStatus>,
        /// Agent token (secret).
        pub token: Option<AgentToken>,
        /// Node install script; contains `agents/<token>/node_install_script` (secret).
        pub node_install_script: Option<String>,
    }
}

impl Agent {
    /// `true` when `status` equals `connected`, ignoring case.
    pub fn is_connected(&self) -> bool {
        self.status.as_ref().is_some_and(AgentStatus::is_connected)
    }

    /// The token, or — when it is absent or empty — the first
    /// `agents/<40 lowercase hex>/node_install_script` match in `node_install_script`.
    pub fn effective_token(&self) -> Option<AgentToken> {
        match &self.token {
            Some(t) if !t.is_empty() => Some(t.clone()),
            _ => self
                .node_install_script
                .as_deref()
                .and_then(token_from_install_script)
                .map(AgentToken::from),
        }
    }
}

/// First `agents/<40 lowercase hex>/node_install_script` match in `script`.
fn token_from_install_script(script: &str) -> Option<&str> {
    const PREFIX: &str = "agents/";
    const SUFFIX: &str = "/node_install_script";
    script.match_indices(PREFIX).find_map(|(i, _)| {
        let rest = &script[i + PREFIX.len()..];
        let hex = rest.get(..40)?;
        let is_hex = hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        (is_hex && rest[40..].starts_with(SUFFIX)).then_some(hex)
    })
}

impl fmt::Debug for Agent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Agent")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("url", &self.url)
            .field("status", &self.status)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field(
                "node_install_script",
                &self.node_install_script.as_ref().map(|_| "***"),
            )
            .field("extra", &self.extra)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_scan() {
        let tok = "0123456789abcdef0123456789abcdef01234567";
        let script = format!(
            "curl -s https://h/agents/XYZ/x; curl https://h/agents/{tok}/node_install_script | sh"
        );
        assert_eq!(token_from_install_script(&script), Some(tok));
        assert_eq!(
            token_from_install_script("agents/0123/node_install_script"),
            None
        );
        let upper = "agents/0123456789ABCDEF0123456789abcdef01234567/node_install_script";
        assert_eq!(token_from_install_script(upper), None);
    }
}
