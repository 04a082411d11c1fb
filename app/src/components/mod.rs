mod activity_section;
mod app;
mod doc_memo;
mod exchange_section;
mod intake_section;
mod internal_section;
mod meetings_section;
mod outstanding_section;
mod portal_page;
mod status_badge;
mod task_list;
mod timeline_section;
mod welcome_editor;
mod welcome_pack;
mod workspace_page;

pub use app::App;
