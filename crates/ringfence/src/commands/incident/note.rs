//! `ringfence incident note`

use clap::Args;
use ringfence_incident::Change;
use ringfence_store::Store;

use super::{Target, change_and_print};
use crate::cli::GlobalArgs;

#[derive(Debug, Args)]
pub struct NoteArgs {
    #[command(flatten)]
    pub target: Target,
    /// The note, as it goes into the timeline.
    pub text: String,
}

pub async fn run(store: &Store, args: &NoteArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let text = args.text.trim();
    anyhow::ensure!(!text.is_empty(), "the note is empty");
    change_and_print(store, &args.target, global, |_, _, _| {
        Ok(vec![Change::NoteAdded {
            text: text.to_string(),
        }])
    })
    .await
}
