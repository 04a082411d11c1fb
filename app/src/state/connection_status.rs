//! What the connection indicator shows.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionStatus {
    /// No connection to the relay: edits are kept on this device.
    Offline,
    /// Opening a connection or completing the handshake.
    Connecting,
    /// Connected, with changes not yet acknowledged by the relay.
    Syncing,
    /// Connected, and the relay has everything this device has.
    Synced,
}

impl ConnectionStatus {
    pub fn label(&self) -> &'static str {
        match self {
            ConnectionStatus::Offline => "Offline",
            ConnectionStatus::Connecting => "Connecting",
            ConnectionStatus::Syncing => "Syncing",
            ConnectionStatus::Synced => "Synced",
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            ConnectionStatus::Offline => {
                "Working offline. Your edits are saved on this device and sync when you reconnect."
            }
            ConnectionStatus::Connecting => "Connecting to the relay.",
            ConnectionStatus::Syncing => "Sending and receiving changes.",
            ConnectionStatus::Synced => "All changes are saved on this device and on the relay.",
        }
    }
}
