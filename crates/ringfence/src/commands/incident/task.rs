//! `ringfence incident task add|done|assign|reopen`

use clap::{Args, Subcommand};
use ringfence_incident::{Change, Stage};
use ringfence_store::Store;

use super::{Target, change_and_print};
use crate::cli::GlobalArgs;

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Add a task to a stage. Tasks of `lessons-learned` are the action items.
    #[command(after_help = "Examples:\n  \
ringfence incident task add INC-1 \"Rotate the npm publish token\" --stage eradication --owner bob\n  \
ringfence incident task add INC-1 \"Require 2FA for publishing\" --stage lessons-learned --owner alice --due 2026-12-15")]
    Add(TaskAddArgs),
    /// Mark a task done.
    Done(TaskRefArgs),
    /// Reopen a task marked done by mistake.
    Reopen(TaskRefArgs),
    /// Give a task an owner.
    Assign(TaskAssignArgs),
}

#[derive(Debug, Args)]
pub struct TaskAddArgs {
    #[command(flatten)]
    pub target: Target,
    /// What has to be done.
    pub title: String,
    /// The stage it belongs to; defaults to the incident's current stage.
    #[arg(long)]
    pub stage: Option<Stage>,
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// Due date, `YYYY-MM-DD`.
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
}

#[derive(Debug, Args)]
pub struct TaskRefArgs {
    #[command(flatten)]
    pub target: Target,
    /// The task number, as `show` prints it (`#3` or `3`).
    #[arg(value_name = "TASK")]
    pub task: String,
}

#[derive(Debug, Args)]
pub struct TaskAssignArgs {
    #[command(flatten)]
    pub target: Target,
    #[arg(value_name = "TASK")]
    pub task: String,
    #[arg(value_name = "OWNER")]
    pub owner: String,
}

pub async fn run(store: &Store, command: &TaskCommand, global: &GlobalArgs) -> anyhow::Result<i32> {
    match command {
        TaskCommand::Add(a) => {
            let title = a.title.trim();
            anyhow::ensure!(!title.is_empty(), "the task title is empty");
            let due = a.due.as_deref().map(parse_due).transpose()?;
            change_and_print(store, &a.target, global, |current, _, _| {
                let i = &current.incident;
                anyhow::ensure!(!i.is_closed(), "{} is closed", i.id);
                Ok(vec![Change::TaskAdded {
                    id: i.next_task_id(),
                    stage: a.stage.unwrap_or(i.stage),
                    title: title.to_string(),
                    owner: a.owner.clone(),
                    due,
                }])
            })
            .await
        }
        TaskCommand::Done(a) => {
            let id = task_number(&a.task)?;
            change_and_print(store, &a.target, global, |current, _, _| {
                let task = find(current, id)?;
                anyhow::ensure!(task.done.is_none(), "task #{id} is already done");
                Ok(vec![Change::TaskDone { id }])
            })
            .await
        }
        TaskCommand::Reopen(a) => {
            let id = task_number(&a.task)?;
            change_and_print(store, &a.target, global, |current, _, _| {
                let task = find(current, id)?;
                anyhow::ensure!(task.done.is_some(), "task #{id} is not done");
                Ok(vec![Change::TaskReopened { id }])
            })
            .await
        }
        TaskCommand::Assign(a) => {
            let id = task_number(&a.task)?;
            let owner = a.owner.trim().to_string();
            anyhow::ensure!(!owner.is_empty(), "the owner is empty");
            change_and_print(store, &a.target, global, |current, _, _| {
                find(current, id)?;
                Ok(vec![Change::TaskAssigned { id, owner }])
            })
            .await
        }
    }
}

fn find(
    current: &ringfence_store::StoredIncident,
    id: u32,
) -> anyhow::Result<&ringfence_incident::Task> {
    current.incident.task(id).ok_or_else(|| {
        anyhow::anyhow!(
            "{} has no task #{id} (`ringfence incident show {}` lists them)",
            current.incident.id,
            current.incident.id
        )
    })
}

fn task_number(text: &str) -> anyhow::Result<u32> {
    text.trim()
        .trim_start_matches('#')
        .parse()
        .map_err(|_| anyhow::anyhow!("`{text}` is not a task number (like `3` or `#3`)"))
}

fn parse_due(text: &str) -> anyhow::Result<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(text.trim(), &format)
        .map_err(|_| anyhow::anyhow!("--due `{text}` is not a date like 2026-12-31"))?;
    Ok(date.format(&format)?)
}
