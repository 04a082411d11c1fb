//! Dates as people read them, in one format everywhere: "27 Nov" within the current year,
//! "1 Jan 2020" otherwise, so a date from another year never passes for this one. Every screen,
//! the goodbye email and the printable report go through here.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// `date` as shown on `today`: the year only when it is not the current one.
pub fn show_date(date: NaiveDate, today: NaiveDate) -> String {
    if date.year() == today.year() {
        date.format("%-d %b").to_string()
    } else {
        full_date(date)
    }
}

/// `date` with its year always: for what is read later (an email, a report, an archive).
pub fn full_date(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// The day of a moment with its year always, as [`full_date`] shows a date.
pub fn full_date_of(at: DateTime<Utc>) -> String {
    full_date(at.date_naive())
}

/// The day of a moment, as [`show_date`] shows it.
pub fn show_day(at: DateTime<Utc>, today: NaiveDate) -> String {
    show_date(at.date_naive(), today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid")
    }

    #[test]
    fn a_date_this_year_shows_day_and_month() {
        assert_eq!(show_date(day(2026, 12, 1), day(2026, 11, 27)), "1 Dec");
    }

    #[test]
    fn a_date_of_another_year_shows_its_year() {
        assert_eq!(show_date(day(2020, 1, 1), day(2026, 11, 27)), "1 Jan 2020");
        assert_eq!(show_date(day(2027, 1, 5), day(2026, 11, 27)), "5 Jan 2027");
        assert_eq!(full_date(day(2026, 12, 1)), "1 Dec 2026");
    }
}
