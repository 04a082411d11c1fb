//! Calendar dates as the user sees them.

/// Today in the browser's time zone: "overdue" is about the user's calendar day.
pub fn today() -> chrono::NaiveDate {
    let now = js_sys::Date::new_0();
    chrono::NaiveDate::from_ymd_opt(
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
    .unwrap_or_else(|| chrono::Utc::now().date_naive())
}

pub fn parse_date(input: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d").ok()
}

/// A date as an `<input type="date">` holds it (`YYYY-MM-DD`), empty for none: the other half
/// of [`parse_date`].
pub fn input_value(date: Option<chrono::NaiveDate>) -> String {
    date.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}
