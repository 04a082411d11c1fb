//! The portal's sections for ending an engagement well: the plan, deliverables, success
//! measures, access wrap-up, exit feedback, leaving early, next steps, the goodbye, follow-ups,
//! the printable report, the thank-you and the exports.

mod access_wrapup;
mod cancellation;
mod deliverables;
mod exit_feedback;
mod exports;
mod follow_ups;
mod goodbye;
mod metric_chart;
mod metrics;
mod next_steps;
mod plan;
mod report;
mod thank_you;

pub use access_wrapup::AccessWrapUpSection;
pub use cancellation::CancellationSection;
pub use deliverables::DeliverablesSection;
pub use exit_feedback::ExitFeedbackSection;
pub use exports::ExportsSection;
pub use follow_ups::FollowUpsSection;
pub use goodbye::GoodbyeSection;
use metric_chart::MetricChart;
pub use metrics::MetricsSection;
pub use next_steps::NextStepsSection;
pub use plan::OffboardingPlan;
pub use report::OffboardingReport;
pub use thank_you::ThankYou;
