//! Moving a portal through its stages from the stage menu: which edit a move makes (offboarding
//! from an active engagement starts from the standard playbook), and what it means for the
//! client's access on the relay (read-only once they have left, writable again on return).

use threshold_model as model;
use threshold_model::offboarding::OffboardingPlaybook;
use threshold_model::portal::{set_stage, Stage};
use threshold_protocol::DocumentId;

use super::{start_offboarding, try_edit_portal, ClientAccess};

/// The edit a move from `from` to `to` makes to the portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StageEdit {
    /// Begin offboarding from the standard playbook (which also sets the stage).
    StartOffboarding,
    /// Only set the stage.
    SetStage,
}

fn stage_edit(from: Option<Stage>, to: Stage) -> StageEdit {
    if to == Stage::Offboarding && from == Some(Stage::Active) {
        StageEdit::StartOffboarding
    } else {
        StageEdit::SetStage
    }
}

/// Whether the client's access must change once the portal moved from `from` to `to`.
fn access_after(from: Option<Stage>, to: Stage) -> Option<ClientAccess> {
    if to.is_closed() {
        Some(ClientAccess::ReadOnly)
    } else if from.is_some_and(|s| s.is_closed()) {
        Some(ClientAccess::Writable)
    } else {
        None
    }
}

/// Move a portal from `from` (as the menu showed it) to `to`. On success, says whether the
/// client's access must now change on the relay: pass that to [`super::set_client_access`].
pub fn change_stage(
    id: DocumentId,
    from: Option<Stage>,
    to: Stage,
) -> Result<Option<ClientAccess>, model::doc::ModelError> {
    match stage_edit(from, to) {
        StageEdit::StartOffboarding => start_offboarding(id, &OffboardingPlaybook::standard())?,
        StageEdit::SetStage => try_edit_portal(id, |tx| set_stage(tx, to, chrono::Utc::now()))?,
    }
    Ok(access_after(from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offboarding_an_active_client_starts_from_the_playbook() {
        assert_eq!(
            stage_edit(Some(Stage::Active), Stage::Offboarding),
            StageEdit::StartOffboarding
        );
    }

    #[test]
    fn other_moves_only_set_the_stage() {
        assert_eq!(
            stage_edit(Some(Stage::Onboarding), Stage::Offboarding),
            StageEdit::SetStage
        );
        assert_eq!(stage_edit(None, Stage::Offboarding), StageEdit::SetStage);
        assert_eq!(
            stage_edit(Some(Stage::Offboarding), Stage::Alumni),
            StageEdit::SetStage
        );
        assert_eq!(
            stage_edit(Some(Stage::Onboarding), Stage::Active),
            StageEdit::SetStage
        );
    }

    #[test]
    fn a_closed_stage_makes_client_access_read_only() {
        for to in Stage::ALL.into_iter().filter(|s| s.is_closed()) {
            assert_eq!(
                access_after(Some(Stage::Active), to),
                Some(ClientAccess::ReadOnly)
            );
            // Even from another closed stage: the relay's answer is the same, so it is repeated.
            assert_eq!(access_after(Some(to), to), Some(ClientAccess::ReadOnly));
        }
    }

    #[test]
    fn leaving_a_closed_stage_makes_client_access_writable_again() {
        for from in Stage::ALL.into_iter().filter(|s| s.is_closed()) {
            assert_eq!(
                access_after(Some(from), Stage::Active),
                Some(ClientAccess::Writable)
            );
        }
    }

    #[test]
    fn moves_between_open_stages_leave_access_alone() {
        assert_eq!(access_after(Some(Stage::Onboarding), Stage::Active), None);
        assert_eq!(access_after(Some(Stage::Active), Stage::Offboarding), None);
        assert_eq!(access_after(None, Stage::Active), None);
    }
}
