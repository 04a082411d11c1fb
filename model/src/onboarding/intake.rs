//! The intake form: fields the provider defines, answers the client gives.
//!
//! Shape, inside the portal document:
//! ```text
//! intake: { fields:  { <fieldId>: { label, help, kind, required, options: [str], order: f64 } },
//!           answers: { <fieldId>: { value, answeredBy: str, answeredAt: ts } } }
//! ```
//! An answer's `value` is text for text-like kinds and dates (`YYYY-MM-DD`), a number, a
//! boolean, or a list of text for multiple choice.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};
use chrono::{DateTime, NaiveDate, Utc};

use crate::doc::record::Record;
use crate::doc::schema::{self, DocKind};
use crate::doc::words::stored_words;
use crate::doc::Part;
use crate::doc::{field, FieldId, ModelError};

stored_words! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum FieldKind {
        ShortText = "short-text",
        LongText = "long-text",
        SingleChoice = "single-choice",
        MultipleChoice = "multiple-choice",
        Date = "date",
        Number = "number",
        Checkbox = "checkbox",
        Email = "email",
        Url = "url",
        /// Answered by attaching files; the answer records their names.
        File = "file",
    }
    // Unknown kinds (from a newer version) read as short text, which accepts any answer.
    unknown => ShortText
}

impl FieldKind {
    pub fn has_options(&self) -> bool {
        matches!(self, FieldKind::SingleChoice | FieldKind::MultipleChoice)
    }
}

/// What the provider defines.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldSpec {
    pub label: String,
    pub help: String,
    pub kind: FieldKind,
    pub required: bool,
    /// The choices, for single and multiple choice.
    pub options: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IntakeField {
    pub id: FieldId,
    pub spec: FieldSpec,
    pub order: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AnswerValue {
    Text(String),
    Number(f64),
    Checked(bool),
    Date(NaiveDate),
    Choices(Vec<String>),
}

impl AnswerValue {
    /// Whether this counts as answered: blank text, no choices, and an unticked box do not.
    pub fn is_filled(&self) -> bool {
        match self {
            AnswerValue::Text(t) => !t.trim().is_empty(),
            AnswerValue::Choices(c) => !c.is_empty(),
            AnswerValue::Checked(b) => *b,
            AnswerValue::Number(_) | AnswerValue::Date(_) => true,
        }
    }

    /// The answer as one line of text, for summaries and exports.
    pub fn display(&self) -> String {
        match self {
            AnswerValue::Text(t) => t.clone(),
            AnswerValue::Number(n) => format!("{n}"),
            AnswerValue::Checked(b) => if *b { "Yes" } else { "No" }.to_owned(),
            AnswerValue::Date(d) => crate::formats::full_date(*d),
            AnswerValue::Choices(c) => c.join(", "),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub value: AnswerValue,
    pub answered_by: String,
    pub answered_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Intake {
    /// In form order.
    pub fields: Vec<IntakeField>,
    pub answers: std::collections::HashMap<FieldId, Answer>,
}

/// "7 of 12 answered", and which required fields are still empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntakeProgress {
    pub answered: usize,
    pub total: usize,
    pub required_missing: Vec<FieldId>,
}

impl IntakeProgress {
    pub fn is_complete(&self) -> bool {
        self.required_missing.is_empty()
    }
}

impl Intake {
    pub fn progress(&self) -> IntakeProgress {
        let filled = |f: &IntakeField| self.answers.get(&f.id).is_some_and(|a| a.value.is_filled());
        IntakeProgress {
            answered: self.fields.iter().filter(|f| filled(f)).count(),
            total: self.fields.len(),
            required_missing: self
                .fields
                .iter()
                .filter(|f| f.spec.required && !filled(f))
                .map(|f| f.id.clone())
                .collect(),
        }
    }
}

/// Why an answer is refused, phrased for the person filling in the form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("{0} is required.")]
    Required(String),
    #[error("Enter a number for {0}, like 12 or 3.5.")]
    NotANumber(String),
    #[error("Enter a date for {0} as year-month-day, like 2026-11-30.")]
    NotADate(String),
    #[error("Enter an email address for {0}, like name@example.com.")]
    NotAnEmail(String),
    #[error("Enter a web address for {0} starting with https:// or http://.")]
    NotAUrl(String),
    #[error("Choose one of the listed options for {0}.")]
    NotAnOption(String),
    #[error("Choose only one option for {0}.")]
    TooManyChoices(String),
}

/// Turn what the form submitted into a checked answer. Text inputs arrive as text; choices as
/// the chosen options; a checkbox as its state.
pub fn parse_answer(field: &FieldSpec, input: AnswerInput<'_>) -> Result<AnswerValue, AnswerError> {
    let label = || field.label.clone();
    let value = match (field.kind, input) {
        (FieldKind::Checkbox, AnswerInput::Checked(b)) => AnswerValue::Checked(b),
        (FieldKind::SingleChoice | FieldKind::MultipleChoice, AnswerInput::Choices(chosen)) => {
            if chosen.iter().any(|c| !field.options.contains(c)) {
                return Err(AnswerError::NotAnOption(label()));
            }
            if field.kind == FieldKind::SingleChoice && chosen.len() > 1 {
                return Err(AnswerError::TooManyChoices(label()));
            }
            AnswerValue::Choices(chosen)
        }
        (kind, AnswerInput::Text(text)) => {
            let text = text.trim();
            if text.is_empty() {
                AnswerValue::Text(String::new())
            } else {
                match kind {
                    FieldKind::Number => text
                        .replace(',', "")
                        .parse::<f64>()
                        .ok()
                        .filter(|n| n.is_finite())
                        .map(AnswerValue::Number)
                        .ok_or_else(|| AnswerError::NotANumber(label()))?,
                    FieldKind::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .map(AnswerValue::Date)
                        .map_err(|_| AnswerError::NotADate(label()))?,
                    FieldKind::Email if !looks_like_email(text) => {
                        return Err(AnswerError::NotAnEmail(label()))
                    }
                    FieldKind::Url if !looks_like_url(text) => {
                        return Err(AnswerError::NotAUrl(label()))
                    }
                    FieldKind::SingleChoice | FieldKind::MultipleChoice => {
                        return parse_answer(field, AnswerInput::Choices(vec![text.to_owned()]))
                    }
                    FieldKind::Checkbox => {
                        AnswerValue::Checked(matches!(text, "true" | "yes" | "on"))
                    }
                    _ => AnswerValue::Text(text.to_owned()),
                }
            }
        }
        (_, AnswerInput::Checked(b)) => AnswerValue::Text(if b { "yes" } else { "" }.to_owned()),
        (_, AnswerInput::Choices(chosen)) => AnswerValue::Text(chosen.join(", ")),
    };
    if field.required && !value.is_filled() {
        return Err(AnswerError::Required(label()));
    }
    Ok(value)
}

/// What a form control hands over.
#[derive(Clone, Debug, PartialEq)]
pub enum AnswerInput<'a> {
    Text(&'a str),
    Checked(bool),
    Choices(Vec<String>),
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
}

fn looks_like_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !r.contains(char::is_whitespace)
    })
}

fn intake_obj(tx: &mut impl Transactable) -> Result<ObjId, ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    field::ensure_map(tx, &ROOT, "intake")
}

fn write_spec(tx: &mut impl Transactable, obj: &ObjId, spec: &FieldSpec) -> Result<(), ModelError> {
    tx.put(obj, "label", spec.label.trim())?;
    tx.put(obj, "help", spec.help.trim())?;
    tx.put(obj, "kind", spec.kind.as_str())?;
    tx.put(obj, "required", spec.required)?;
    let options = tx.put_object(obj, "options", ObjType::List)?;
    for (i, option) in spec
        .options
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .enumerate()
    {
        tx.insert(&options, i, option)?;
    }
    Ok(())
}

/// The rules a field's definition must follow, checked by [`add_field`] and [`update_field`] and
/// callable by a form before it submits: a choice question needs two options (counted as they
/// are stored, trimmed and without blanks).
pub fn validate_field_spec(spec: &FieldSpec) -> Result<(), ModelError> {
    let options = spec.options.iter().filter(|o| !o.trim().is_empty());
    if spec.kind.has_options() && options.count() < 2 {
        return Err(ModelError::ChoiceNeedsTwoOptions);
    }
    Ok(())
}

/// Append a field at the end of the form.
pub fn add_field(tx: &mut impl Transactable, spec: &FieldSpec) -> Result<FieldId, ModelError> {
    validate_field_spec(spec)?;
    let intake = intake_obj(tx)?;
    let last = read_intake(tx)?
        .fields
        .last()
        .map(|f| f.order)
        .unwrap_or(0.0);
    let id = FieldId::new();
    let obj = field::new_item(tx, &intake, "fields", id.as_str())?;
    write_spec(tx, &obj, spec)?;
    tx.put(&obj, "order", last + 1.0)?;
    Ok(id)
}

pub fn update_field(
    tx: &mut impl Transactable,
    id: &FieldId,
    spec: &FieldSpec,
) -> Result<(), ModelError> {
    validate_field_spec(spec)?;
    let intake = intake_obj(tx)?;
    let obj = field::existing_item(tx, &intake, "fields", id.as_str())?;
    write_spec(tx, &obj, spec)
}

/// Put a field between two others (either may be absent: start or end of the form). Fractional
/// order keys mean a move touches one field, so concurrent moves of different fields both stay.
pub fn move_field(
    tx: &mut impl Transactable,
    id: &FieldId,
    after: Option<&FieldId>,
    before: Option<&FieldId>,
) -> Result<(), ModelError> {
    let form = read_intake(tx)?;
    let order_of = |f: Option<&FieldId>| {
        f.and_then(|f| form.fields.iter().find(|x| &x.id == f))
            .map(|x| x.order)
    };
    let order = match (order_of(after), order_of(before)) {
        (Some(a), Some(b)) => (a + b) / 2.0,
        (Some(a), None) => a + 1.0,
        (None, Some(b)) => b - 1.0,
        (None, None) => 0.0,
    };
    let intake = intake_obj(tx)?;
    let obj = field::existing_item(tx, &intake, "fields", id.as_str())?;
    tx.put(&obj, "order", order)?;
    Ok(())
}

pub fn remove_field(tx: &mut impl Transactable, id: &FieldId) -> Result<(), ModelError> {
    let intake = intake_obj(tx)?;
    field::delete_item(tx, &intake, "fields", id.as_str())?;
    field::delete_item(tx, &intake, "answers", id.as_str())
}

/// Record an answer (already checked with [`parse_answer`]) with who gave it and when.
pub fn set_answer(
    tx: &mut impl Transactable,
    id: &FieldId,
    value: &AnswerValue,
    answered_by: &str,
    at: DateTime<Utc>,
) -> Result<(), ModelError> {
    let intake = intake_obj(tx)?;
    if field::item(tx, &intake, "fields", id.as_str())?.is_none() {
        return Err(ModelError::NoSuchItem(id.to_string()));
    }
    let obj = field::new_item(tx, &intake, "answers", id.as_str())?;
    match value {
        AnswerValue::Text(t) => tx.put(&obj, "value", t.as_str())?,
        AnswerValue::Number(n) => tx.put(&obj, "value", *n)?,
        AnswerValue::Checked(b) => tx.put(&obj, "value", *b)?,
        AnswerValue::Date(d) => tx.put(&obj, "value", d.format("%Y-%m-%d").to_string())?,
        AnswerValue::Choices(c) => {
            let list = tx.put_object(&obj, "value", ObjType::List)?;
            for (i, choice) in c.iter().enumerate() {
                tx.insert(&list, i, choice.as_str())?;
            }
        }
    }
    tx.put(&obj, "answeredBy", answered_by)?;
    field::put_timestamp(tx, &obj, "answeredAt", at)
}

fn read_list_of_text(
    doc: &impl ReadDoc,
    obj: &ObjId,
    key: &str,
) -> Result<Vec<String>, ModelError> {
    let Some((Value::Object(ObjType::List), list)) = doc.get(obj, key)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for i in 0..doc.length(&list) {
        match doc.get(&list, i)? {
            Some((Value::Scalar(s), _)) => {
                if let ScalarValue::Str(t) = s.as_ref() {
                    out.push(t.to_string());
                }
            }
            Some((Value::Object(ObjType::Text), text)) => out.push(doc.text(&text)?),
            _ => {}
        }
    }
    Ok(out)
}

fn read_answer_value(
    doc: &impl ReadDoc,
    obj: &ObjId,
    kind: FieldKind,
) -> Result<Option<AnswerValue>, ModelError> {
    Ok(match doc.get(obj, "value")? {
        Some((Value::Object(ObjType::List), _)) => {
            Some(AnswerValue::Choices(read_list_of_text(doc, obj, "value")?))
        }
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Boolean(b) => Some(AnswerValue::Checked(*b)),
            ScalarValue::F64(n) => Some(AnswerValue::Number(*n)),
            ScalarValue::Int(n) => Some(AnswerValue::Number(*n as f64)),
            ScalarValue::Uint(n) => Some(AnswerValue::Number(*n as f64)),
            ScalarValue::Str(t) if kind == FieldKind::Date => {
                NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .ok()
                    .map(AnswerValue::Date)
                    .or_else(|| Some(AnswerValue::Text(t.to_string())))
            }
            ScalarValue::Str(t) => Some(AnswerValue::Text(t.to_string())),
            _ => None,
        },
        Some((Value::Object(ObjType::Text), _)) => {
            field::string(doc, obj, "value")?.map(AnswerValue::Text)
        }
        _ => None,
    })
}

pub fn read_intake(doc: &impl ReadDoc) -> Result<Intake, ModelError> {
    let Some(intake) = field::map(doc, &ROOT, "intake")? else {
        return Ok(Intake::default());
    };
    let intake_record = Record::read(doc, &intake);
    let mut fields = Vec::new();
    if let Some(fields_obj) = intake_record.map("fields") {
        for (id, obj) in Record::read(doc, fields_obj).maps() {
            let field = Record::read(doc, obj);
            fields.push(IntakeField {
                id: FieldId::from_string(id.to_owned()),
                spec: FieldSpec {
                    label: field.string(doc, "label")?.unwrap_or_default(),
                    help: field.string(doc, "help")?.unwrap_or_default(),
                    kind: FieldKind::parse(&field.string(doc, "kind")?.unwrap_or_default()),
                    required: field.boolean("required").unwrap_or(false),
                    options: read_list_of_text(doc, obj, "options")?,
                },
                order: field.number("order").unwrap_or(0.0),
            });
        }
    }
    fields.sort_by(|a, b| a.order.total_cmp(&b.order).then_with(|| a.id.cmp(&b.id)));
    let kinds: std::collections::HashMap<&FieldId, FieldKind> =
        fields.iter().map(|f| (&f.id, f.spec.kind)).collect();
    let mut answers = std::collections::HashMap::new();
    if let Some(answers_obj) = intake_record.map("answers") {
        for (id, obj) in Record::read(doc, answers_obj).maps() {
            let id = FieldId::from_string(id.to_owned());
            let kind = kinds.get(&id).copied().unwrap_or(FieldKind::ShortText);
            if let Some(value) = read_answer_value(doc, obj, kind)? {
                let answer = Record::read(doc, obj);
                answers.insert(
                    id,
                    Answer {
                        value,
                        answered_by: answer.string(doc, "answeredBy")?.unwrap_or_default(),
                        answered_at: answer.timestamp("answeredAt"),
                    },
                );
            }
        }
    }
    Ok(Intake { fields, answers })
}

/// [`read_intake`] as a [`Part`].
pub const INTAKE: Part<Intake> = Part {
    keys: &["intake"],
    read: |doc| read_intake(doc),
};
