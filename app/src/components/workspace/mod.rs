//! The provider's side, never shown in the client view: the workspace dashboard with its
//! partner directory, exit analytics, the brand clients see and who email comes from, and each
//! portal's internal notes.

mod brand_settings;
mod email_settings;
mod exit_analytics;
mod internal_notes;
mod page;
mod partner_directory;

use brand_settings::BrandSettings;
use email_settings::EmailSettings;
use exit_analytics::ExitAnalyticsSection;
pub use internal_notes::{use_internal_id, InternalSection};
pub use page::WorkspacePage;
use partner_directory::PartnerDirectory;
