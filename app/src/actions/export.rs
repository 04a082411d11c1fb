//! "Take your portal with you": the portal as JSON, as its Automerge document, its calendars,
//! and everything at once as one `.zip` with every file (read from this device, or fetched from
//! the relay first). Each returns what went wrong, for the section to show.

use threshold_model::formats::{export_archive, export_json_named};
use threshold_model::offboarding::{follow_ups_to_ics, read_follow_ups};
use threshold_model::onboarding::{meetings_to_ics, read_meetings};
use threshold_model::portal::{read_client_name, read_files};
use threshold_protocol::DocumentId;

use crate::browser::download::{download, download_bytes, file_stem};
use crate::state::authors::cached_name;
use crate::sync::{client, files};

fn client_name(id: DocumentId) -> String {
    client()
        .read(&id, |doc| read_client_name(doc).ok())
        .flatten()
        .unwrap_or_default()
}

/// The whole portal as JSON.
pub fn download_json(id: DocumentId) -> Result<(), String> {
    let now = chrono::Utc::now();
    let text = client()
        .read(&id, |doc| {
            export_json_named(doc, now, &|actor| cached_name(&id, actor)).map_err(|e| e.to_string())
        })
        .unwrap_or_else(|| Err("the portal is not loaded".into()))
        .and_then(|json| serde_json::to_string_pretty(&json).map_err(|e| e.to_string()));
    text.and_then(|t| {
        download(
            &format!("{}.json", file_stem(&client_name(id))),
            "application/json",
            &t,
        )
    })
}

/// The portal's Automerge document, as saved.
pub fn download_automerge(id: DocumentId) -> Result<(), String> {
    let bytes = client().read(&id, |doc| doc.save()).unwrap_or_default();
    download_bytes(
        &format!("{}.automerge", file_stem(&client_name(id))),
        "application/octet-stream",
        &bytes,
    )
}

/// Meetings, or with `follow_ups` the 3/6/12-month follow-ups, as a calendar file.
pub fn download_calendar(id: DocumentId, follow_ups: bool) -> Result<(), String> {
    let now = chrono::Utc::now();
    let ics = client().read(&id, |doc| {
        let name = read_client_name(doc).unwrap_or_default();
        if follow_ups {
            let list = read_follow_ups(doc).unwrap_or_default();
            follow_ups_to_ics(&list, &id.to_string(), &name, now)
        } else {
            meetings_to_ics(&read_meetings(doc).unwrap_or_default(), &name, now)
        }
    });
    let file = format!(
        "{}-{}.ics",
        file_stem(&client_name(id)),
        if follow_ups { "follow-ups" } else { "meetings" }
    );
    ics.ok_or_else(|| "the portal is not loaded".to_owned())
        .and_then(|ics| download(&file, "text/calendar;charset=utf-8", &ics))
}

/// Everything at once: the JSON, the Automerge document and every file, as one zip. `gathering`
/// is told how many files are about to be gathered. `None` if the portal is not loaded;
/// otherwise the names of the files that could not be had (left out of the zip), or why the
/// download failed.
pub async fn download_archive(
    id: DocumentId,
    gathering: impl FnOnce(usize),
) -> Option<Result<Vec<String>, String>> {
    let now = chrono::Utc::now();
    let (json, binary, refs) = client().read(&id, |doc| {
        let json = export_json_named(doc, now, &|actor| cached_name(&id, actor))
            .ok()
            .and_then(|j| serde_json::to_vec_pretty(&j).ok());
        (
            json.unwrap_or_default(),
            doc.save(),
            read_files(doc).unwrap_or_default(),
        )
    })?;
    gathering(refs.len());
    let mut gathered = Vec::new();
    let mut missing = Vec::new();
    for file in refs {
        match files()
            .open(&file.spec.hash, &file.spec.name, &file.spec.mime)
            .await
        {
            Ok(bytes) => gathered.push((file, bytes)),
            Err(_) => missing.push(file.spec.name.clone()),
        }
    }
    let result = export_archive(&json, &binary, &gathered, now)
        .map_err(|e| e.to_string())
        .and_then(|zip| {
            download_bytes(
                &format!("{}.zip", file_stem(&client_name(id))),
                "application/zip",
                &zip,
            )
        });
    Some(result.map(|()| missing))
}
