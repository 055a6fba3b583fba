//! A tiny HTTP/1.1 webhook receiver on loopback, so tests see exactly what `ringfence` sends
//! without any network or server crate: it records each request and answers a status the test
//! can change while it runs.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The body of every non-2xx answer, so tests can check that ringfence keeps what the
/// receiver said.
pub const FAILURE_BODY: &str = "upstream exploded";

/// One request as the receiver saw it; header names in lowercase.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

/// Records every request and answers the current status; stops when dropped.
pub struct Receiver {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    status: Arc<AtomicU16>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// A receiver on `port` (for a port chosen earlier, e.g. while nothing listened on it).
    pub fn start(port: u16, status: u16) -> Receiver {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the receiver's port");
        Receiver::serve(listener, status)
    }

    /// A receiver on a port the system picks; see `port()`.
    pub fn start_any(status: u16) -> Receiver {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind a receiver port");
        Receiver::serve(listener, status)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every request answered so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Answers `status` from the next request on.
    pub fn answer_with(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    fn serve(listener: TcpListener, status: u16) -> Receiver {
        let port = listener.local_addr().unwrap().port();
        // Non-blocking, so the thread notices `stop` between connections.
        listener.set_nonblocking(true).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(status));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, answer, halt) = (seen.clone(), status.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !halt.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let status = answer.load(Ordering::SeqCst);
                        if let Some(request) = read_and_answer(stream, status) {
                            log.lock().unwrap().push(request);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Receiver {
            port,
            seen,
            status,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one request (a missing Content-Length means no body) and answers `status`; `None`
/// when the request or the answer broke off.
fn read_and_answer(stream: TcpStream, status: u16) -> Option<Seen> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let mut words = first.split_whitespace();
    let (method, path) = (words.next()?.to_string(), words.next()?.to_string());
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    let length: usize = match headers.get("content-length") {
        Some(l) => l.parse().ok()?,
        None => 0,
    };
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let reply = if (200..300).contains(&status) {
        ""
    } else {
        FAILURE_BODY
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} Test\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    )
    .ok()?;
    stream.flush().ok()?;
    Some(Seen {
        method,
        path,
        headers,
        body,
    })
}

/// A port nothing listens on (until a receiver is started on it).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
