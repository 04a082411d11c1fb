mod app;
mod portal_page;
mod status_badge;
mod task_list;
mod welcome_editor;
mod workspace_page;

pub use app::App;
