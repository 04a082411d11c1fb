//! The provider's side: the workspace document (the list of portals), templates and playbooks,
//! the partner directory, the dashboard and health of each client, exit analytics across
//! clients, and the provider-only internal document kept per client.

mod dashboard;
mod document;
mod exit_analytics;
mod health;
mod internal;
mod partner;
mod template;

pub use dashboard::{last_activity, record_activity, summarize, ClientSummary, SUMMARY_KEYS};
pub use document::{
    add_portal, new_workspace_doc, read_workspace, remove_portal, rename_portal_entry,
    set_portal_internal, PortalEntry, Workspace, WORKSPACE,
};
pub use exit_analytics::{
    exit_analytics, exit_record, median, nps, ExitAnalytics, ExitRecord, NpsGroup, EXIT_RECORD_KEYS,
};
pub use health::{health, Health, HealthLevel, Signals, FIRST_VISIT_GRACE_DAYS};
pub use internal::{
    add_provisioning_item, new_internal_doc, read_internal, set_offboarding_lead,
    set_provisioning_done, set_provisioning_owner, update_internal_notes, Internal,
    ProvisioningArea, ProvisioningItem, INTERNAL,
};
pub(crate) use partner::{read_partner_record, write_partner};
pub use partner::{read_partners, remove_partner, save_partner, Partner, PARTNERS};
pub use template::{
    default_templates, instantiate, read_templates, remove_template, save_template,
    template_from_portal, Template, TemplateExchange, TemplateField, TemplateMilestone,
    TemplateTask, TEMPLATES,
};
