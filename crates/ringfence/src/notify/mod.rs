//! Webhook notifications through a durable outbox: a notification is written to the database
//! first ([`ringfence_store::Store::enqueue`]) and sent afterwards, so a receiver that is
//! down loses nothing; failed sends are retried with backoff and shown by `notify status`.
//!
//! - `body`: the generic JSON body and the Slack-compatible one;
//! - `sign`: HMAC-SHA256 signatures and how a receiver checks them;
//! - `deliver`: sending due messages and recording what happened.
//!
//! Other commands (playbooks) build a [`Notification`], turn it into one [`NewMessage`] per
//! webhook with [`outbox_message`], and call [`enqueue_and_deliver`].

pub mod body;
pub mod deliver;
pub mod sign;

use ringfence_incident::IncidentId;
use ringfence_store::{NewMessage, Store};
use tokio::runtime::Runtime;

#[allow(unused_imports)]
pub use body::{Format, IncidentSummary, Notification};
#[allow(unused_imports)]
pub use deliver::{DeliveryRound, Sender, deliver_due};

/// Where notifications go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// The name operators know it by (`security-slack`).
    pub name: String,
    pub url: String,
    pub format: Format,
    /// The environment variable holding the signing secret, if the receiver checks one.
    pub secret_env: Option<String>,
}

/// The outbox row for sending `notification` to `webhook`. `dedupe_key` names the
/// notification (`INC-7/stage.advanced/containment`); it is made per webhook here, so
/// enqueuing the same notification again for the same webhook does nothing.
pub fn outbox_message(
    webhook: &Webhook,
    notification: &Notification,
    incident: Option<IncidentId>,
    dedupe_key: Option<&str>,
) -> NewMessage {
    NewMessage {
        webhook: webhook.name.clone(),
        url: webhook.url.clone(),
        format: webhook.format.as_str().to_string(),
        secret_env: webhook.secret_env.clone(),
        body: notification.body(webhook.format),
        event: notification.event.clone(),
        incident,
        created_at: crate::now_rfc3339(),
        next_attempt_at: deliver::now_unix(),
        dedupe_key: dedupe_key.map(|k| format!("{}:{k}", webhook.name)),
    }
}

/// Enqueues `messages` (durably, before anything is sent), then tries to deliver everything
/// due, these included. A receiver that is down is not an error: its messages stay in the
/// outbox for the next `notify deliver`. Errors are the database's only.
///
/// Call it outside `rt`'s async context (not from inside `rt.block_on`): the HTTP client
/// blocks.
pub fn enqueue_and_deliver(
    store: &Store,
    rt: &Runtime,
    messages: &[NewMessage],
) -> anyhow::Result<DeliveryRound> {
    rt.block_on(store.enqueue(messages))?;
    deliver_due(store, rt, false)
}
