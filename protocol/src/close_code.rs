//! The WebSocket close codes a relay ends a connection with, and what each tells the client.
//!
//! The relay sends them and the browser reads them, so their meaning is written here once.
//! 1001–1011 are the standard codes of RFC 6455; 4401, 4403 and 4409 are Threshold's own (4000–4999
//! are for applications): 4401 is read by the app as "stop syncing and ask the relay who this
//! device is", 4403 as "the relay refused a change this device made".

/// Why a relay closed a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CloseCode {
    /// 1001: the relay is shutting down; reconnect later.
    ShuttingDown,
    /// 1002: a WebSocket protocol error below the sync protocol.
    ProtocolError,
    /// 1008: a policy was broken: a malformed message, too many documents, the rate limit, or
    /// a peer that stopped reading. Reconnecting resyncs.
    Policy,
    /// 1009: a message larger than the relay accepts.
    TooBig,
    /// 1011: the relay could not store a change, so it acknowledged nothing; reconnecting
    /// resyncs what it lacks.
    ServerError,
    /// 4401: this token was revoked; its device's access ended.
    Revoked,
    /// 4403: the relay refused a change this device sent, because it reaches outside what the
    /// person may change (the `error` message before the close names the rule). Nothing of it
    /// was applied, stored or relayed; reconnecting with the same unsent changes is refused
    /// again, so the device must discard them and load the document from the relay.
    Refused,
    /// 4409: the peer id this device joined with is in use by a connection of another token.
    /// Peer ids are random per device, so an honest device never meets it; it is refused
    /// rather than allowed to cut the other device off.
    PeerIdInUse,
}

impl CloseCode {
    pub const ALL: [CloseCode; 8] = [
        CloseCode::ShuttingDown,
        CloseCode::ProtocolError,
        CloseCode::Policy,
        CloseCode::TooBig,
        CloseCode::ServerError,
        CloseCode::Revoked,
        CloseCode::Refused,
        CloseCode::PeerIdInUse,
    ];

    /// The number in the close frame.
    pub const fn code(self) -> u16 {
        match self {
            CloseCode::ShuttingDown => 1001,
            CloseCode::ProtocolError => 1002,
            CloseCode::Policy => 1008,
            CloseCode::TooBig => 1009,
            CloseCode::ServerError => 1011,
            CloseCode::Revoked => 4401,
            CloseCode::Refused => 4403,
            CloseCode::PeerIdInUse => 4409,
        }
    }

    /// The code a close frame carried, if it is one of these.
    pub fn from_code(code: u16) -> Option<CloseCode> {
        CloseCode::ALL.into_iter().find(|c| c.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_close_code_reads_back_from_its_number_and_others_are_unknown() {
        for code in CloseCode::ALL {
            assert_eq!(CloseCode::from_code(code.code()), Some(code));
        }
        assert_eq!(CloseCode::Revoked.code(), 4401);
        assert_eq!(CloseCode::from_code(1000), None);
    }
}
