//! The fixture registry's server: a listener thread on 127.0.0.1, one thread per
//! connection, a request log and a queue of injected faults.

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use time::OffsetDateTime;
use url::Url;

use super::documents::{self, Served};
use super::http::{self, Request, Response};
use super::package::FixturePackage;

/// A failure to inject into upcoming requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and a JSON error body.
    Status(u16),
    /// Wait this long before answering normally (a slow registry).
    Delay(Duration),
    /// Close the connection without answering (a reset or crashed server).
    Disconnect,
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub method: String,
    /// The request target as sent (absolute-form when the client used us as a proxy).
    pub target: String,
    /// Percent-decoded path (`/@scope/name` for `/@scope%2fname`).
    pub path: String,
    /// Header names are lowercase.
    pub headers: Vec<(String, String)>,
}

impl LoggedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct InjectedFault {
    path_contains: Option<String>,
    fault: Fault,
    remaining: usize,
}

struct State {
    /// name → version → served version.
    packages: BTreeMap<String, BTreeMap<String, Served>>,
    dist_tags: BTreeMap<String, BTreeMap<String, String>>,
    tarball_base: Url,
    redirect_tarballs_to: Option<Url>,
    log: Mutex<Vec<LoggedRequest>>,
    faults: Mutex<VecDeque<InjectedFault>>,
}

#[derive(Default)]
pub struct FixtureRegistryBuilder {
    packages: Vec<FixturePackage>,
    dist_tags: Vec<(String, String, String)>,
    tarball_base: Option<Url>,
    redirect_tarballs_to: Option<Url>,
}

impl FixtureRegistryBuilder {
    pub fn package(mut self, package: FixturePackage) -> Self {
        self.packages.push(package);
        self
    }

    pub fn packages(mut self, packages: impl IntoIterator<Item = FixturePackage>) -> Self {
        self.packages.extend(packages);
        self
    }

    /// Serves every `*.tgz` in `dir` (name and version from each one's `package.json`).
    pub fn tarballs_from_dir(mut self, dir: &Path) -> io::Result<Self> {
        let mut paths: Vec<_> = fs::read_dir(dir)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "tgz"))
            .collect();
        paths.sort();
        for path in paths {
            let package = FixturePackage::from_tarball(fs::read(&path)?)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            self.packages.push(package);
        }
        Ok(self)
    }

    /// Sets a dist-tag (by default `latest` is the highest non-prerelease version).
    pub fn dist_tag(mut self, name: &str, tag: &str, version: &str) -> Self {
        self.dist_tags
            .push((name.to_string(), tag.to_string(), version.to_string()));
        self
    }

    /// Packuments point tarball URLs at this base instead of this server (another host:
    /// serve the same packages there too).
    pub fn tarball_base(mut self, base: Url) -> Self {
        self.tarball_base = Some(base);
        self
    }

    /// Tarball requests are answered with a `302` to the same path under `base`.
    pub fn redirect_tarballs_to(mut self, base: Url) -> Self {
        self.redirect_tarballs_to = Some(base);
        self
    }

    pub fn start(self) -> io::Result<FixtureRegistry> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let own = Url::parse(&format!("http://{addr}/")).map_err(io::Error::other)?;
        let mut packages: BTreeMap<String, BTreeMap<String, Served>> = BTreeMap::new();
        // Deterministic publish times a day apart, in the order packages were added.
        let epoch = OffsetDateTime::from_unix_timestamp(1_704_067_200).map_err(io::Error::other)?;
        for (index, package) in self.packages.into_iter().enumerate() {
            let published = package
                .published
                .unwrap_or(epoch + time::Duration::days(index as i64));
            let tarball = package.tarball()?;
            let served = Served::new(package, tarball, published);
            packages
                .entry(served.package.name.clone())
                .or_default()
                .insert(served.package.version.clone(), served);
        }
        let mut dist_tags: BTreeMap<String, BTreeMap<String, String>> = packages
            .iter()
            .filter_map(|(name, versions)| {
                let latest = default_latest(versions.keys())?;
                Some((
                    name.clone(),
                    BTreeMap::from([("latest".to_string(), latest)]),
                ))
            })
            .collect();
        for (name, tag, version) in self.dist_tags {
            dist_tags.entry(name).or_default().insert(tag, version);
        }
        let state = Arc::new(State {
            packages,
            dist_tags,
            tarball_base: self.tarball_base.unwrap_or_else(|| own.clone()),
            redirect_tarballs_to: self.redirect_tarballs_to,
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(VecDeque::new()),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let state = Arc::clone(&state);
            let stop = Arc::clone(&stop);
            thread::spawn(move || accept_loop(&listener, &state, &stop))
        };
        Ok(FixtureRegistry {
            addr,
            url: own,
            state,
            stop,
            thread: Some(thread),
        })
    }
}

/// A running fixture registry; stopped when dropped.
pub struct FixtureRegistry {
    addr: SocketAddr,
    url: Url,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FixtureRegistry {
    pub fn builder() -> FixtureRegistryBuilder {
        FixtureRegistryBuilder::default()
    }

    /// Starts a registry serving `packages`.
    pub fn serve(
        packages: impl IntoIterator<Item = FixturePackage>,
    ) -> io::Result<FixtureRegistry> {
        FixtureRegistry::builder().packages(packages).start()
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> &Url {
        &self.url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The tarball URL the packument gives for this version.
    pub fn tarball_url(&self, name: &str, version: &str) -> String {
        documents::tarball_url(&self.state.tarball_base, name, version)
    }

    /// The bytes served for this version's tarball.
    pub fn tarball(&self, name: &str, version: &str) -> Option<Vec<u8>> {
        Some(self.served(name, version)?.tarball.clone())
    }

    /// The real SRI sha512 of the tarball (what a correct packument would advertise).
    pub fn integrity(&self, name: &str, version: &str) -> Option<String> {
        Some(self.served(name, version)?.integrity.clone())
    }

    /// What the packument advertises (differs from `integrity` for `wrong_integrity`).
    pub fn advertised_integrity(&self, name: &str, version: &str) -> Option<String> {
        Some(self.served(name, version)?.advertised_integrity.clone())
    }

    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.state.log).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.state.log).clear();
    }

    /// Applies `fault` to the next `times` requests.
    pub fn inject(&self, fault: Fault, times: usize) {
        self.push_fault(None, fault, times);
    }

    /// Applies `fault` to the next `times` requests whose decoded path contains `fragment`.
    pub fn inject_for(&self, fragment: &str, fault: Fault, times: usize) {
        self.push_fault(Some(fragment.to_string()), fault, times);
    }

    /// Answers the next `times` requests with `status`.
    pub fn fail_next(&self, times: usize, status: u16) {
        self.inject(Fault::Status(status), times);
    }

    /// Stops listening; later connections are refused.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn push_fault(&self, path_contains: Option<String>, fault: Fault, remaining: usize) {
        lock(&self.state.faults).push_back(InjectedFault {
            path_contains,
            fault,
            remaining,
        });
    }

    fn served(&self, name: &str, version: &str) -> Option<&Served> {
        self.state.packages.get(name)?.get(version)
    }

    fn shutdown(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.stop.store(true, Ordering::SeqCst);
            // Wake the blocking accept.
            let _ = TcpStream::connect(self.addr);
            let _ = thread.join();
        }
    }
}

impl Drop for FixtureRegistry {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Highest non-prerelease version, else highest.
fn default_latest<'a>(versions: impl Iterator<Item = &'a String>) -> Option<String> {
    let parsed: Vec<(nodejs_semver::Version, &String)> = versions
        .filter_map(|v| Some((nodejs_semver::Version::parse(v).ok()?, v)))
        .collect();
    let stable = parsed
        .iter()
        .filter(|(v, _)| !v.is_prerelease())
        .max_by(|a, b| a.0.cmp(&b.0));
    stable
        .or_else(|| parsed.iter().max_by(|a, b| a.0.cmp(&b.0)))
        .map(|(_, text)| (*text).clone())
}

fn accept_loop(listener: &TcpListener, state: &Arc<State>, stop: &AtomicBool) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let state = Arc::clone(state);
        thread::spawn(move || handle(stream, &state));
    }
}

fn handle(mut stream: TcpStream, state: &State) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = match http::read_request(&mut stream) {
        Ok(Some(request)) => request,
        Ok(None) => return,
        Err(e) => {
            if e.kind() == io::ErrorKind::InvalidData {
                let _ = http::write_response(
                    &mut stream,
                    &Response::json_error(400, "bad request"),
                    false,
                );
            }
            return;
        }
    };
    lock(&state.log).push(LoggedRequest {
        method: request.method.clone(),
        target: request.target.clone(),
        path: request.path.clone(),
        headers: request.headers.clone(),
    });
    match take_fault(state, &request.path) {
        Some(Fault::Status(status)) => {
            let response = Response::json_error(status, "injected failure");
            let _ = http::write_response(&mut stream, &response, false);
            return;
        }
        Some(Fault::Disconnect) => {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
        Some(Fault::Delay(wait)) => thread::sleep(wait),
        None => {}
    }
    let response = route(state, &request);
    let _ = http::write_response(&mut stream, &response, request.method == "HEAD");
}

fn take_fault(state: &State, path: &str) -> Option<Fault> {
    let mut faults = lock(&state.faults);
    let index = faults.iter().position(|f| {
        f.remaining > 0
            && f.path_contains
                .as_deref()
                .is_none_or(|frag| path.contains(frag))
    })?;
    let entry = &mut faults[index];
    entry.remaining -= 1;
    let fault = entry.fault.clone();
    if entry.remaining == 0 {
        faults.remove(index);
    }
    Some(fault)
}

fn route(state: &State, request: &Request) -> Response {
    if request.method != "GET" && request.method != "HEAD" {
        return Response::json_error(405, "method not allowed");
    }
    let path = request.path.trim_start_matches('/');
    if let Some((name, file)) = path.split_once("/-/") {
        if let Some(base) = &state.redirect_tarballs_to {
            let mut response = Response::new(302, "text/plain", Vec::new());
            response
                .headers
                .push(("Location".to_string(), format!("{base}{path}")));
            return response;
        }
        let bare = name.rsplit('/').next().unwrap_or(name);
        let served = state.packages.get(name).and_then(|versions| {
            versions
                .iter()
                .find(|(version, _)| file == format!("{bare}-{version}.tgz"))
                .map(|(_, served)| served)
        });
        return match served {
            Some(served) => Response::new(200, "application/octet-stream", served.tarball.clone()),
            None => Response::json_error(404, "Not found"),
        };
    }
    let Some(versions) = state.packages.get(path) else {
        return Response::json_error(404, "Not found");
    };
    let abbreviated = request
        .headers
        .iter()
        .any(|(k, v)| k == "accept" && v.contains("application/vnd.npm.install-v1+json"));
    let empty = BTreeMap::new();
    let tags = state.dist_tags.get(path).unwrap_or(&empty);
    let body = documents::packument(path, versions, tags, &state.tarball_base, abbreviated);
    let content_type = if abbreviated {
        "application/vnd.npm.install-v1+json"
    } else {
        "application/json"
    };
    Response::new(200, content_type, body)
}
