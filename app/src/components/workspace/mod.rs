//! The provider's side, never shown in the client view: the workspace dashboard with its
//! partner directory, exit analytics and the brand clients see, and each portal's internal
//! notes.

mod brand_settings;
mod exit_analytics;
mod internal_notes;
mod page;
mod partner_directory;

use brand_settings::BrandSettings;
use exit_analytics::ExitAnalyticsSection;
pub use internal_notes::{use_internal_id, use_internal_id_if, InternalSection};
pub use page::WorkspacePage;
use partner_directory::PartnerDirectory;
