//! The three kinds of token, and the pure rules that follow from a role alone.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a token is for. On the wire and in the relay's access file: `"owner"`, `"team"`,
/// `"client"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The provider's owner: everything, including minting team tokens.
    Owner,
    /// A provider team member: the workspace, every portal and every internal document.
    Team,
    /// A client contact: their own portal and nothing else.
    Client,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Team, Role::Client];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Team => "team",
            Role::Client => "client",
        }
    }

    /// Owner and team: the provider's side, which reaches the workspace and every portal.
    pub fn is_provider(self) -> bool {
        matches!(self, Role::Owner | Role::Team)
    }

    /// The side of a portal this role writes on: owner and team are the provider.
    pub fn side(self) -> crate::access::Side {
        if self.is_provider() {
            crate::access::Side::Provider
        } else {
            crate::access::Side::Client
        }
    }

    /// Whether a token of this role may mint, change and revoke tokens of `other`, before its
    /// own state (revoked, read-only) is considered: the owner manages everyone, the team
    /// manages clients, a client manages nobody.
    pub fn may_manage(self, other: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Team => other == Role::Client,
            Role::Client => false,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is none of `owner`, `team`, `client`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a role (owner, team or client)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_reads_back_what_it_writes_in_text_and_json() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            let json = serde_json::to_string(&role).expect("serializes");
            assert_eq!(json, format!("\"{role}\""));
        }
        assert!("Owner".parse::<Role>().is_err());
    }

    #[test]
    fn the_owner_manages_everyone_the_team_clients_and_a_client_nobody() {
        assert!(Role::ALL.iter().all(|r| Role::Owner.may_manage(*r)));
        assert!(Role::Team.may_manage(Role::Client));
        assert!(!Role::Team.may_manage(Role::Team) && !Role::Team.may_manage(Role::Owner));
        assert!(!Role::ALL.iter().any(|r| Role::Client.may_manage(*r)));
        assert!(Role::Owner.is_provider() && Role::Team.is_provider());
        assert!(!Role::Client.is_provider());
    }
}
