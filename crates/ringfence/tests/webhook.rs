//! Webhook notifications end to end, through the real binary and a real HTTP receiver on
//! loopback: a receiver that is down and then comes up gets the notification exactly once,
//! signed; one that answers 500 is retried with a growing backoff and never dropped.

mod util;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use util::receiver::{Receiver, Seen, free_port};
use util::{Ringfence, run};

const SECRET_VAR: &str = "RF_TEST_WEBHOOK_SECRET";
const SECRET: &str = "correct horse battery staple";

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// The receiver's check, done with the RustCrypto `hmac` crate rather than ringfence's own.
fn signature_verifies(seen: &Seen, secret: &str) -> bool {
    let (Some(ts), Some(sig)) = (
        seen.headers.get("x-ringfence-timestamp"),
        seen.headers.get("x-ringfence-signature"),
    ) else {
        return false;
    };
    let Some(hex) = sig.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(bytes) = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<Vec<u8>, _>>()
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(&seen.body);
    mac.verify_slice(&bytes).is_ok()
}

fn unix(rfc3339: &str) -> i64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{e}: {rfc3339}"))
        .unix_timestamp()
}

fn notify(rf: &Ringfence, args: &[&str]) -> (i32, String, String) {
    run(rf.cmd().env(SECRET_VAR, SECRET).arg("notify").args(args))
}

#[test]
fn a_receiver_that_is_down_loses_nothing_on_sqlite() {
    a_receiver_that_is_down_loses_nothing(Ringfence::new());
}

#[test]
fn a_receiver_that_is_down_loses_nothing_on_postgres() {
    if let Some(rf) = Ringfence::postgres() {
        a_receiver_that_is_down_loses_nothing(rf);
    }
}

fn a_receiver_that_is_down_loses_nothing(rf: Ringfence) {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/services/T0/secret-path");
    let enqueue = [
        "enqueue",
        "--webhook-url",
        &url,
        "--webhook",
        "soc",
        "--text",
        "debug@4.4.2 is malicious",
        "--event",
        "incident.opened",
        "--secret-env",
        SECRET_VAR,
        "--dedupe-key",
        "INC-1/opened",
    ];
    let (code, out, err) = notify(&rf, &enqueue);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("enqueued #1"), "{out}");
    let (code, out, _) = notify(&rf, &enqueue);
    assert_eq!(code, 0);
    assert!(out.contains("already enqueued"), "playbooks re-run: {out}");

    // Nothing listens: the send fails and the message stays.
    let (code, out, err) = notify(&rf, &["deliver", "--json"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        !out.contains("secret-path"),
        "the URL's path is not shown: {out}"
    );
    let round = json(&out);
    assert_eq!(
        (round["delivered"].as_u64(), round["failed"].as_u64()),
        (Some(0), Some(1))
    );
    let attempt = &round["attempts"][0];
    assert_eq!(attempt["attempts"], 1);
    assert_eq!(attempt["status"], Value::Null);
    let error = attempt["error"].as_str().unwrap();
    assert!(error.to_lowercase().contains("connect"), "{error}");

    let (code, out, _) = notify(&rf, &["status", "--json"]);
    assert_eq!(code, 1, "a failing message makes status exit 1: {out}");
    let status = json(&out);
    assert_eq!(status["outbox"]["pending"], 1);
    assert_eq!(status["outbox"]["failing"], 1);
    assert_eq!(status["pending"][0]["attempts"], 1);
    assert!(status["pending"][0]["last_error"].as_str().is_some());

    // The receiver comes up. A plain `deliver` respects the 30 s backoff...
    let receiver = Receiver::start(port, 204);
    let (code, out, err) = notify(&rf, &["deliver"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 delivered, 0 failed"), "{out}");
    assert!(receiver.seen().is_empty());

    // ...`deliver --all` retries now.
    let (code, out, err) = notify(&rf, &["deliver", "--all", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let round = json(&out);
    assert_eq!(
        (round["delivered"].as_u64(), round["failed"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(round["attempts"][0]["attempts"], 2);
    assert_eq!(round["attempts"][0]["status"], 204);

    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/services/T0/secret-path");
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.headers["x-ringfence-event"], "incident.opened");
    assert_eq!(request.headers["x-ringfence-delivery"], "1");
    assert!(signature_verifies(request, SECRET), "{:?}", request.headers);
    assert!(!signature_verifies(request, "another secret"));
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["event"], "incident.opened");
    assert_eq!(body["text"], "debug@4.4.2 is malicious");
    assert_eq!(body["incident"], Value::Null);
    assert!(body["at"].as_str().is_some_and(|a| unix(a) > 0));

    // Delivered exactly once: nothing is left to send, even with --all.
    let (code, out, _) = notify(&rf, &["deliver", "--all"]);
    assert_eq!(code, 0);
    assert!(out.contains("0 delivered, 0 failed"), "{out}");
    assert_eq!(receiver.seen().len(), 1);
    let (code, out, _) = notify(&rf, &["status", "--json"]);
    assert_eq!(code, 0, "{out}");
    let status = json(&out);
    assert_eq!(status["outbox"]["pending"], 0);
    assert_eq!(status["outbox"]["delivered"], 1);
}

#[test]
fn a_receiver_answering_500_is_retried_and_never_dropped() {
    let rf = Ringfence::new();
    let receiver = Receiver::start_any(500);
    let port = receiver.port();
    let url = format!("http://127.0.0.1:{port}/hook");

    // Enqueue and deliver at once, as playbooks do.
    let (code, out, err) = notify(
        &rf,
        &[
            "enqueue",
            "--webhook-url",
            &url,
            "--text",
            "first",
            "--secret-env",
            SECRET_VAR,
            "--deliver",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("0 delivered, 1 failed"), "{out}");
    assert_eq!(receiver.seen().len(), 1);

    let next_attempt = |rf: &Ringfence| {
        let (_, out, _) = notify(rf, &["status", "--json"]);
        let status = json(&out);
        let m = status["pending"][0].clone();
        (
            m["attempts"].as_i64().unwrap(),
            m["last_status"].as_i64(),
            m["last_error"].as_str().unwrap_or("").to_string(),
            unix(m["next_attempt_at"].as_str().unwrap()),
        )
    };
    let (attempts, last_status, last_error, first_next) = next_attempt(&rf);
    assert_eq!((attempts, last_status), (1, Some(500)));
    assert!(
        last_error.contains("500") && last_error.contains("upstream exploded"),
        "{last_error}"
    );

    let (code, _, _) = notify(&rf, &["deliver", "--all"]);
    assert_eq!(code, 1);
    let (attempts, _, _, second_next) = next_attempt(&rf);
    assert_eq!(attempts, 2);
    assert!(
        second_next > first_next,
        "the wait grows: {first_next} then {second_next}"
    );

    // `status` shows the failure to people too.
    let (code, out, _) = notify(&rf, &["status"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("failing #1") && out.contains("HTTP 500"),
        "{out}"
    );
    assert!(out.contains("1 pending (1 failing), 0 delivered"), "{out}");

    // A 404 is retried too, with a note on what to check.
    receiver.answer_with(404);
    let (code, _, _) = notify(&rf, &["deliver", "--all"]);
    assert_eq!(code, 1);
    let (attempts, last_status, last_error, _) = next_attempt(&rf);
    assert_eq!((attempts, last_status), (3, Some(404)));
    assert!(
        last_error.contains("retried anyway, never dropped"),
        "{last_error}"
    );

    receiver.answer_with(200);
    let (code, out, _) = notify(&rf, &["deliver", "--all"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 delivered, 0 failed"), "{out}");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 4, "every attempt reached the receiver");
    assert!(seen.iter().all(|s| signature_verifies(s, SECRET)));
    assert!(
        seen.windows(2).all(|w| w[0].body == w[1].body),
        "every retry sends the same bytes"
    );
}

#[test]
fn a_missing_secret_keeps_the_message_unsent() {
    let rf = Ringfence::new();
    let receiver = Receiver::start_any(200);
    let port = receiver.port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let (code, _, _) = notify(
        &rf,
        &[
            "enqueue",
            "--webhook-url",
            &url,
            "--text",
            "x",
            "--secret-env",
            "RF_TEST_NO_SUCH_SECRET",
        ],
    );
    assert_eq!(code, 0);
    let (code, out, _) = notify(&rf, &["deliver"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("RF_TEST_NO_SUCH_SECRET is not set"), "{out}");
    assert!(receiver.seen().is_empty(), "never sent unsigned");
}

/// `url-env`: the outbox keeps the variable's name; the URL is read when sending.
#[test]
fn a_url_from_the_environment_is_read_when_sending_and_never_stored() {
    let rf = Ringfence::new();
    let receiver = Receiver::start_any(200);
    let url = format!(
        "http://127.0.0.1:{}/services/T0/B0/slack-secret",
        receiver.port()
    );
    let var = "RF_TEST_SLACK_URL";
    let (code, out, err) = notify(
        &rf,
        &[
            "enqueue",
            "--webhook-url",
            &format!("env:{var}"),
            "--text",
            "x",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");

    // Not set where the deliverer runs: kept, with the reason.
    let (code, out, _) = run(rf.cmd().env_remove(var).args(["notify", "deliver"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("RF_TEST_SLACK_URL is not set"), "{out}");
    assert!(receiver.seen().is_empty());
    let (_, out, _) = notify(&rf, &["status", "--json"]);
    assert_eq!(
        json(&out)["pending"][0]["url"],
        "env:RF_TEST_SLACK_URL",
        "{out}"
    );
    // No row of the outbox holds the URL (rows matched by a no-op update).
    let holding = rf.execute_sql("UPDATE outbox SET url = url WHERE url LIKE '%slack-secret%'");
    assert_eq!(holding, 0);
    assert_eq!(
        rf.execute_sql("UPDATE outbox SET url = url WHERE url LIKE 'env:%'"),
        1
    );

    let (code, out, err) = run(rf.cmd().env(var, &url).args(["notify", "deliver", "--all"]));
    assert_eq!(code, 0, "{out}{err}");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/services/T0/B0/slack-secret");
}

#[test]
fn incident_fields_go_into_the_slack_body() {
    let rf = Ringfence::new();
    let (code, out, err) = run(rf.cmd().args([
        "incident",
        "open",
        "--title",
        "debug <compromise> & co",
        "--severity",
        "sev1",
        "--commander",
        "alice",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    let receiver = Receiver::start_any(200);
    let port = receiver.port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let (code, out, err) = notify(
        &rf,
        &[
            "enqueue",
            "--webhook-url",
            &url,
            "--format",
            "slack",
            "--incident",
            "INC-1",
            "--event",
            "incident.opened",
            "--text",
            "<!channel> opened",
            "--deliver",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    assert!(
        !seen[0].headers.contains_key("x-ringfence-signature"),
        "no secret, no signature"
    );
    let body: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(body["text"], "&lt;!channel&gt; opened");
    let section = body["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(section.contains("*INC-1*"), "{section}");
    assert!(section.contains("severity sev1"), "{section}");
    assert!(section.contains("commander alice"), "{section}");
}

#[test]
fn notify_test_pings_a_webhook_synchronously() {
    let rf = Ringfence::new();
    let receiver = Receiver::start_any(200);
    let port = receiver.port();
    let url = format!("http://127.0.0.1:{port}/ping");
    let (code, out, err) = notify(&rf, &["test", "--url", &url, "--secret-env", SECRET_VAR]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("answered 200"), "{out}");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    assert!(signature_verifies(&seen[0], SECRET));
    let body: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(body["event"], "test");

    receiver.answer_with(500);
    let (code, out, _) = notify(&rf, &["test", "--url", &url, "--format", "slack", "--json"]);
    assert_eq!(code, 1, "{out}");
    let outcome = json(&out);
    assert_eq!(outcome["ok"], false);
    assert_eq!(outcome["status"], 500);
    let body: Value = serde_json::from_slice(&receiver.seen()[1].body).unwrap();
    assert!(body["blocks"].is_array(), "{body}");

    // Nothing was put in the outbox.
    let (_, out, _) = notify(&rf, &["status", "--json"]);
    assert_eq!(json(&out)["outbox"]["delivered"], 0);
}
