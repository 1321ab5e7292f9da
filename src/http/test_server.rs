//! A real HTTP/1.1 server on 127.0.0.1 for tests: it answers each request with the next scripted [`Reply`]
//! (the last one repeats), with the reply routed to the request's path ([`Server::routes`]), or with what a
//! function of the request answers ([`Server::handler`]: a stateful service such as GitHub's settings API),
//! records what it was asked (method, path, headers, body), and stops by itself (when dropped, or after a
//! minute).
//!
//! Standard library only, so that the integration tests include this same file (`#[path]`) instead of a
//! look-alike.
#![allow(
    dead_code,
    reason = "shared by the unit and the integration tests, each using a part"
)]
#![allow(
    clippy::missing_panics_doc,
    reason = "test helper: a broken test server must panic"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a server lives at most, so that a forgotten one never outlives its test run.
const LIFETIME: Duration = Duration::from_secs(60);

/// One scripted answer.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete answer.
    Answer {
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// The JSON form when the request's `Accept` asks for PEP 691 JSON, else the HTML form (as the public index does).
    Negotiate { json: Vec<u8>, html: Vec<u8> },
    /// `302 Found` to this location.
    Redirect(String),
    /// Read the request, then never answer (until the server stops).
    Silent,
    /// Read the request, then close the connection without a word.
    Hangup,
    /// `200` with a body of this many bytes, streamed.
    Huge(u64),
    /// A complete answer with extra headers (`x-ratelimit-remaining`...).
    Headers {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
}

impl Reply {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Answer {
            status: 200,
            content_type: Some(content_type.to_string()),
            body: body.into(),
        }
    }

    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Answer {
            status,
            content_type: None,
            body: body.into(),
        }
    }

    /// The captured index responses for `project` (`tests/fixtures/index/<project>.simple.{json,html}`), served
    /// by content negotiation.
    pub fn fixture(project: &str) -> Reply {
        Reply::Negotiate {
            json: fixture(&format!("{project}.simple.json")),
            html: fixture(&format!("{project}.simple.html")),
        }
    }

    /// `status` with extra headers and a JSON body.
    pub fn with_headers(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Reply {
        Reply::Headers {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
                .collect(),
            body: body.into(),
        }
    }

    /// Only the HTML form of a fixture, whatever was asked (an index without PEP 691).
    pub fn fixture_html(project: &str) -> Reply {
        Reply::ok("text/html", fixture(&format!("{project}.simple.html")))
    }
}

/// The bytes of a file in `tests/fixtures/index/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "index",
        name,
    ]
    .iter()
    .collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// What the server was asked.
#[derive(Clone, Debug)]
pub struct Seen {
    /// `GET`, `POST`, `PUT`...
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The request's body (read by its `Content-Length`).
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A function answering each request (it may keep state behind a lock).
pub type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// How the server picks a reply: in order, by the request's path, or by a function of the request.
#[derive(Clone)]
enum Script {
    Sequence(Vec<Reply>),
    /// The reply of the longest route that prefixes the path (query included); 404 when none does.
    Routes(Vec<(String, Reply)>),
    Handler(Handler),
}

impl Script {
    fn pick(&self, count: usize, request: &Seen) -> Reply {
        let path = request.path.as_str();
        match self {
            Script::Handler(handler) => handler(request),
            Script::Sequence(replies) => replies[count.min(replies.len() - 1)].clone(),
            Script::Routes(routes) => routes
                .iter()
                .filter(|(prefix, _)| path.starts_with(prefix.as_str()))
                .max_by_key(|(prefix, _)| prefix.len())
                .map_or_else(
                    || Reply::status(404, format!("no route for {path}")),
                    |(_, reply)| reply.clone(),
                ),
        }
    }
}

pub struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(replies: Vec<Reply>) -> Server {
        assert!(
            !replies.is_empty(),
            "a test server needs at least one reply"
        );
        Server::serve(Script::Sequence(replies))
    }

    /// A server answering each request with what `handler` returns for it.
    pub fn handler(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        Server::serve(Script::Handler(Arc::new(handler)))
    }

    /// A server answering by path: each request gets the reply of the longest `(prefix, reply)` whose prefix
    /// starts its path (query included), 404 when none does.
    pub fn routes(routes: Vec<(&str, Reply)>) -> Server {
        Server::serve(Script::Routes(
            routes
                .into_iter()
                .map(|(prefix, reply)| (prefix.to_string(), reply))
                .collect(),
        ))
    }

    fn serve(script: Script) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (seen, stop) = (Arc::clone(&seen), Arc::clone(&stop));
            thread::spawn(move || accept_loop(&listener, &script, &seen, &stop))
        };
        Server {
            port,
            seen,
            stop,
            accept: Some(accept),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT<path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("request log").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.accept.take() {
            let _ = handle.join();
        }
    }
}

/// A URL on 127.0.0.1 where nothing listens (the port was just free).
pub fn refused_url(path: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}{path}")
}

fn accept_loop(
    listener: &TcpListener,
    script: &Script,
    seen: &Arc<Mutex<Vec<Seen>>>,
    stop: &Arc<AtomicBool>,
) {
    let born = Instant::now();
    let mut count = 0;
    while !stop.load(Ordering::SeqCst) && born.elapsed() < LIFETIME {
        match listener.accept() {
            Ok((stream, _)) => {
                let script = script.clone();
                let this = count;
                count += 1;
                let (seen, stop) = (Arc::clone(seen), Arc::clone(stop));
                thread::spawn(move || {
                    let _ = serve(stream, &script, this, &seen, &stop, born);
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return,
        }
    }
}

fn serve(
    stream: TcpStream,
    script: &Script,
    count: usize,
    seen: &Mutex<Vec<Seen>>,
    stop: &AtomicBool,
    born: Instant,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut words = request_line.split_whitespace();
    let method = words.next().unwrap_or("").to_string();
    let path = words.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length.min(16 << 20)];
    reader.read_exact(&mut body)?;
    let request = Seen {
        method,
        path,
        headers,
        body,
    };
    let reply = &script.pick(count, &request);
    let wants_json = request
        .header("accept")
        .is_some_and(|a| a.contains("application/vnd.pypi.simple.v1+json"));
    seen.lock().expect("request log").push(request);
    let mut out = stream;
    match reply {
        Reply::Answer {
            status,
            content_type,
            body,
        } => {
            let content_type = content_type.as_deref().map(|c| ("Content-Type", c));
            answer(&mut out, *status, content_type.as_slice(), body)
        }
        Reply::Negotiate { json, html } => {
            if wants_json {
                answer(
                    &mut out,
                    200,
                    &[("Content-Type", "application/vnd.pypi.simple.v1+json")],
                    json,
                )
            } else {
                answer(&mut out, 200, &[("Content-Type", "text/html")], html)
            }
        }
        Reply::Redirect(location) => write!(
            out,
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Reply::Silent => {
            while !stop.load(Ordering::SeqCst) && born.elapsed() < LIFETIME {
                thread::sleep(Duration::from_millis(20));
            }
            Ok(())
        }
        Reply::Hangup => return Ok(()),
        Reply::Headers {
            status,
            headers,
            body,
        } => {
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            answer(&mut out, *status, &headers, body)
        }
        Reply::Huge(size) => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
            )?;
            let chunk = vec![b'a'; 64 * 1024];
            let mut left = *size;
            while left > 0 {
                let n = usize::try_from(left.min(chunk.len() as u64)).unwrap_or(chunk.len());
                out.write_all(&chunk[..n])?;
                left -= n as u64;
            }
            Ok(())
        }
    }?;
    out.flush()?;
    // Let the client read everything before the socket closes; a quick close can turn into a reset.
    let _ = out.shutdown(std::net::Shutdown::Write);
    let _ = reader.read_to_end(&mut Vec::new());
    Ok(())
}

fn answer(
    out: &mut TcpStream,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<()> {
    write!(out, "HTTP/1.1 {status} {}\r\n", reason(status))?;
    for (name, value) in headers {
        write!(out, "{name}: {value}\r\n")?;
    }
    write!(
        out,
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(body)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        302 => "Found",
        303 => "See Other",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// An HTTP CONNECT proxy on 127.0.0.1 (what `HTTPS_PROXY` names): it tunnels each connection to the
/// requested target and records the targets.
pub struct ConnectProxy {
    port: u16,
    targets: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl ConnectProxy {
    pub fn start() -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let targets = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (targets, stop) = (Arc::clone(&targets), Arc::clone(&stop));
            thread::spawn(move || {
                let born = Instant::now();
                while !stop.load(Ordering::SeqCst) && born.elapsed() < LIFETIME {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let targets = Arc::clone(&targets);
                            thread::spawn(move || {
                                let _ = tunnel(&stream, &targets);
                            });
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            thread::sleep(Duration::from_millis(5));
                        }
                        Err(_) => return,
                    }
                }
            })
        };
        ConnectProxy {
            port,
            targets,
            stop,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The `host:port` of every CONNECT request.
    pub fn targets(&self) -> Vec<String> {
        self.targets.lock().expect("target log").clone()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.accept.take() {
            let _ = handle.join();
        }
    }
}

fn tunnel(client: &TcpStream, targets: &Mutex<Vec<String>>) -> std::io::Result<()> {
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("").to_string(),
    );
    let mut client_out = client.try_clone()?;
    if method != "CONNECT" {
        return write!(
            client_out,
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"
        );
    }
    targets.lock().expect("target log").push(target.clone());
    let upstream = TcpStream::connect(&target)?;
    upstream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(client_out, "HTTP/1.1 200 Connection established\r\n\r\n")?;
    let mut upstream_in = upstream.try_clone()?;
    let mut upstream_out = upstream;
    let up = thread::spawn(move || {
        let _ = std::io::copy(&mut reader, &mut upstream_in);
        let _ = upstream_in.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut upstream_out, &mut client_out);
    let _ = client_out.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
    Ok(())
}
