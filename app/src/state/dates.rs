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

/// A date as every screen shows it: "27 Nov" this year, "1 Jan 2020" in another
/// (`threshold_model::formats::show_date`, the one format).
pub fn show(date: chrono::NaiveDate) -> String {
    threshold_model::formats::show_date(date, today())
}

/// The day of a moment, as [`show`] shows a date.
pub fn show_at(at: chrono::DateTime<chrono::Utc>) -> String {
    threshold_model::formats::show_day(at, today())
}

/// A moment as every screen shows it: its day as [`show_at`], then the time ("27 Nov 14:05").
pub fn show_moment(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{} {}", show_at(at), at.format("%H:%M"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn a_date_input_value_reads_back_as_the_same_date() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        assert_eq!(input_value(Some(day)), "2026-03-09");
        assert_eq!(parse_date(&input_value(Some(day))), Some(day));
    }

    #[test]
    fn no_date_is_an_empty_input() {
        assert_eq!(input_value(None), "");
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn a_typed_date_is_trimmed_and_anything_else_is_no_date() {
        assert_eq!(
            parse_date(" 2026-12-31 "),
            NaiveDate::from_ymd_opt(2026, 12, 31)
        );
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("31/12/2026"), None);
    }
}
