//! A bare HTTP/1.1 server for what wiremock cannot do: connections reset or cut mid-body,
//! bodies of hundreds of MiB made on the fly, and TLS.

#![allow(dead_code)]

pub mod capture;
pub mod tls;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A server on 127.0.0.1; `handle(connection number, stream)` runs per connection.
pub struct RawServer {
    pub port: u16,
    pub connections: Arc<AtomicUsize>,
}

impl RawServer {
    pub async fn start<F, Fut>(handle: F) -> RawServer
    where
        F: Fn(usize, TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let count = connections.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let n = count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(handle(n, stream));
            }
        });
        RawServer { port, connections }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Reads a request's head (up to the blank line) and returns it.
pub async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// Writes a complete response with a JSON body.
pub async fn respond_json<S: AsyncWrite + Unpin>(stream: &mut S, status: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Closes the connection with a TCP reset.
pub fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

/// Peak resident memory of this process so far (VmHWM), in bytes.
pub fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM");
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

/// Current resident memory (VmRSS), in bytes.
pub fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("VmRSS");
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

/// Reads a request's head and its body (by `content-length`; none without one).
pub async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> (String, Vec<u8>) {
    let head = read_head(stream).await;
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = stream.read_exact(&mut body).await;
    (head, body)
}

/// A server on another loopback port that records every request it receives (head and
/// body, as text) and answers each with `answer` (a JSON body, 200): to prove what did, or
/// did not, reach a host the client should not talk to.
pub struct Recorder {
    pub server: RawServer,
    pub received: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Recorder {
    pub async fn start(answer: &'static str) -> Recorder {
        let received = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = received.clone();
        let server = RawServer::start(move |_, mut stream| {
            let log = log.clone();
            async move {
                let (head, body) = read_request(&mut stream).await;
                log.lock()
                    .unwrap()
                    .push(format!("{head}{}", String::from_utf8_lossy(&body)));
                respond_json(&mut stream, "200 OK", answer).await;
            }
        })
        .await;
        Recorder { server, received }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Everything received so far, requests one after another.
    pub fn text(&self) -> String {
        self.received.lock().unwrap().join("\n")
    }
}

/// Every item of VB for Azure's restore-point walk against `server` (its profile reads
/// `totalCount`): the ids served, and the error that ended the walk, if one did.
pub async fn walk_azure(server: &wiremock::MockServer) -> (Vec<String>, Option<vbazure::Error>) {
    use futures::StreamExt;
    let client = vbazure::Client::builder(server.uri()).build().unwrap();
    let mut stream = std::pin::pin!(client
        .virtual_machine_restore_point_get_restore_point_page()
        .stream());
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(p) => ids.push(p.id.to_string()),
            Err(e) => return (ids, Some(e)),
        }
    }
    (ids, None)
}
