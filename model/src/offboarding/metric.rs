//! Success measured: metrics defined at intake with a baseline, and the same metrics at exit.
//!
//! Shape, inside the portal document:
//! ```text
//! metrics: { <metricId>: { name, unit, baseline: f64, baselineDate: "YYYY-MM-DD",
//!                          exit: f64, exitDate: "YYYY-MM-DD", higherIsBetter: bool, createdAt: ts } }
//! ```

use std::cmp::Ordering;

use automerge::transaction::Transactable;
use automerge::{ObjId, ReadDoc};
use chrono::{DateTime, NaiveDate, Utc};

use crate::doc::collection::{self, Item, Spec};
use crate::doc::record::Record;
use crate::doc::Part;
use crate::doc::{field, MetricId, ModelError};

/// What is measured, and where the client started.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricSpec {
    pub name: String,
    /// "orders a week", "%", "hours".
    pub unit: String,
    pub baseline: f64,
    pub baseline_date: Option<NaiveDate>,
    /// Most metrics improve upwards; some (cost, time to respond) improve downwards.
    pub higher_is_better: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub id: MetricId,
    pub spec: MetricSpec,
    pub exit: Option<(f64, Option<NaiveDate>)>,
    pub created_at: Option<DateTime<Utc>>,
}

impl Metric {
    /// Exit minus baseline, once the exit value is in.
    pub fn change(&self) -> Option<f64> {
        self.exit.map(|(exit, _)| exit - self.spec.baseline)
    }

    /// The change as a percentage of the baseline (none from a baseline of zero).
    pub fn percent_change(&self) -> Option<f64> {
        let change = self.change()?;
        (self.spec.baseline != 0.0).then(|| change / self.spec.baseline.abs() * 100.0)
    }

    /// Whether the change went the right way.
    pub fn improved(&self) -> Option<bool> {
        self.change().map(|c| {
            if self.spec.higher_is_better {
                c > 0.0
            } else {
                c < 0.0
            }
        })
    }

    /// Bar lengths for "where you started, where you are now", as fractions of the longer bar
    /// (0.0–1.0). Negative values are drawn by their size.
    pub fn bar_lengths(&self) -> (f64, f64) {
        let baseline = self.spec.baseline.abs();
        let exit = self.exit.map(|(e, _)| e.abs()).unwrap_or(0.0);
        let longest = baseline.max(exit);
        if longest == 0.0 {
            (0.0, 0.0)
        } else {
            (baseline / longest, exit / longest)
        }
    }
}

/// A number as people write it: no trailing zeros, thousands kept plain.
pub fn format_number(n: f64) -> String {
    let rounded = (n * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded}")
    }
}

fn check(spec: &MetricSpec) -> Result<(), ModelError> {
    if spec.name.trim().is_empty() {
        return Err(ModelError::Rule("A metric needs a name.".into()));
    }
    if !spec.baseline.is_finite() {
        return Err(ModelError::Rule("The baseline must be a number.".into()));
    }
    Ok(())
}

impl Spec for MetricSpec {
    type Item = Metric;

    fn write(&self, tx: &mut impl Transactable, obj: &ObjId) -> Result<(), ModelError> {
        tx.put(obj, "name", self.name.trim())?;
        tx.put(obj, "unit", self.unit.trim())?;
        tx.put(obj, "baseline", self.baseline)?;
        field::put_date(tx, obj, "baselineDate", self.baseline_date)?;
        tx.put(obj, "higherIsBetter", self.higher_is_better)?;
        Ok(())
    }
}

impl Item for Metric {
    const KEY: &'static str = "metrics";
    type Id = MetricId;

    fn read(doc: &impl ReadDoc, id: MetricId, r: &Record) -> Result<Option<Self>, ModelError> {
        Ok(Some(Metric {
            id,
            spec: MetricSpec {
                name: r.string(doc, "name")?.unwrap_or_default(),
                unit: r.string(doc, "unit")?.unwrap_or_default(),
                baseline: r.number("baseline").unwrap_or(0.0),
                baseline_date: r.date(doc, "baselineDate")?,
                higher_is_better: r.boolean("higherIsBetter").unwrap_or(true),
            },
            exit: r
                .number("exit")
                .map(|e| Ok::<_, ModelError>((e, r.date(doc, "exitDate")?)))
                .transpose()?,
            created_at: r.timestamp("createdAt"),
        }))
    }

    /// In the order they were defined.
    fn order(a: &Self, b: &Self) -> Ordering {
        (a.created_at, &a.id).cmp(&(b.created_at, &b.id))
    }
}

pub fn add_metric(
    tx: &mut impl Transactable,
    spec: &MetricSpec,
    now: DateTime<Utc>,
) -> Result<MetricId, ModelError> {
    check(spec)?;
    let (id, obj) = collection::add(tx, spec)?;
    field::put_timestamp(tx, &obj, "createdAt", now)?;
    Ok(id)
}

pub fn update_metric(
    tx: &mut impl Transactable,
    id: &MetricId,
    spec: &MetricSpec,
) -> Result<(), ModelError> {
    check(spec)?;
    collection::update(tx, id, spec)
}

/// Record where the metric stands at exit (or clear it with `None`).
pub fn set_metric_exit(
    tx: &mut impl Transactable,
    id: &MetricId,
    exit: Option<(f64, NaiveDate)>,
) -> Result<(), ModelError> {
    let obj = collection::get::<Metric>(tx, id)?;
    match exit {
        Some((value, _)) if !value.is_finite() => {
            Err(ModelError::Rule("The exit value must be a number.".into()))
        }
        Some((value, date)) => {
            tx.put(&obj, "exit", value)?;
            field::put_date(tx, &obj, "exitDate", Some(date))
        }
        None => {
            tx.delete(&obj, "exit")?;
            field::put_date(tx, &obj, "exitDate", None)
        }
    }
}

pub fn remove_metric(tx: &mut impl Transactable, id: &MetricId) -> Result<(), ModelError> {
    collection::remove::<Metric>(tx, id)
}

/// In the order they were defined.
pub fn read_metrics(doc: &impl ReadDoc) -> Result<Vec<Metric>, ModelError> {
    collection::read_all(doc)
}

/// [`read_metrics`] as a [`Part`].
pub const METRICS: Part<Vec<Metric>> = Part {
    keys: &["metrics"],
    read: |doc| read_metrics(doc),
};
