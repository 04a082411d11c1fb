//! Writes a large, realistic portal for the client benchmark (`scripts/bench-client.sh`): a
//! workspace listing one portal with 1,000 tasks, 200 intake fields and 50,000 changes of
//! history by three people over three months, plus the portal's internal document.
//!
//!     cargo run --release -p threshold-model --example large_portal -- OUT_DIR [TASKS FIELDS CHANGES]
//!
//! Each document is saved as `OUT_DIR/<documentId>.automerge`; one line of JSON on stdout names
//! them. Every edit goes through the model's own functions, as the app's would.

use std::path::PathBuf;

use anyhow::Context;

mod generate;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .context("usage: large_portal OUT_DIR [TASKS FIELDS CHANGES]")?,
    );
    let mut number = |default: usize| -> anyhow::Result<usize> {
        args.next()
            .map_or(Ok(default), |a| a.parse().context("a count"))
    };
    let (tasks, fields, changes) = (number(1_000)?, number(200)?, number(50_000)?);
    std::fs::create_dir_all(&out)?;

    let generated = generate::generate(tasks, fields, changes)?;
    let mut sizes = Vec::new();
    for (id, doc) in [&generated.workspace, &generated.portal, &generated.internal] {
        let bytes = doc.save();
        sizes.push(bytes.len());
        std::fs::write(out.join(format!("{id}.automerge")), bytes)?;
    }
    println!(
        "{{\"workspace\":\"{}\",\"portal\":\"{}\",\"internal\":\"{}\",\"changes\":{},\"tasks\":{tasks},\"fields\":{fields},\"portalBytes\":{}}}",
        generated.workspace.0,
        generated.portal.0,
        generated.internal.0,
        generated.portal.1.get_changes(&[]).len(),
        sizes[1]
    );
    Ok(())
}
