//! One client's portal: the page that frames it (name, stage, view switch, the archive), the
//! navigation between its views, the overview's next step, and the sections about the whole
//! engagement: who has access, what is outstanding, check-ins and activity.

mod activity;
mod checkins;
mod nav;
mod outstanding;
mod overview;
mod page;
mod people;
mod stage;

use activity::ActivitySection;
use checkins::CheckinsSection;
use outstanding::OutstandingSection;
pub use page::PortalPage;
pub use people::{PeopleSection, PeopleWithAccess};
use stage::StageAndTemplate;
