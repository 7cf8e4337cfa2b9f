//! Downloads stream with constant memory: 512 MiB from a local server into a writer, with
//! this process's peak resident memory growing by a small fraction of that. (Its own test
//! binary, so no other test's allocations count.)

mod support;

use support::{peak_rss, read_head, RawServer};
use tokio::io::AsyncWriteExt;

const SIZE: u64 = 512 * 1024 * 1024;
const CHUNK: usize = 256 * 1024;

/// Serves `size` bytes of a file (made on the fly, never held whole), or cuts it off half way.
async fn file_server(size: u64, cut: bool) -> RawServer {
    RawServer::start(move |_, mut s| async move {
        read_head(&mut s).await;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {size}\r\nconnection: close\r\n\r\n"
        );
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![0x5au8; CHUNK];
        let mut left = if cut { size / 2 } else { size };
        while left > 0 {
            let n = left.min(CHUNK as u64) as usize;
            if s.write_all(&chunk[..n]).await.is_err() {
                return;
            }
            left -= n as u64;
        }
        let _ = s.shutdown().await;
    })
    .await
}

fn client(url: &str) -> vb365::Client {
    vb365::Client::builder(url)
        .bearer_token("T")
        .build()
        .unwrap()
}

fn id() -> uuid::Uuid {
    "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a".parse().unwrap()
}

#[tokio::test]
async fn a_512_mib_download_streams_in_constant_memory() {
    let server = file_server(SIZE, false).await;
    let client = client(&server.url());
    let before = peak_rss();
    let mut sink = tokio::io::sink();
    let written = client
        .exchange_item_save_item_action()
        .restore_session_id(id())
        .mailbox_id(id())
        .item_id("item")
        .write_to(&mut sink)
        .await
        .unwrap();
    assert_eq!(written, SIZE);
    let grew = peak_rss().saturating_sub(before);
    eprintln!(
        "peak RSS grew by {} KiB for a {} MiB download",
        grew / 1024,
        SIZE >> 20
    );
    // The README's figure: under 16 MiB (about 2.4 MiB measured).
    assert!(grew < 16 * 1024 * 1024, "peak RSS grew by {grew} bytes");
}

#[tokio::test]
async fn a_broken_download_leaves_no_partial_file() {
    let server = file_server(4 * CHUNK as u64, true).await;
    let client = client(&server.url());
    let dir = std::env::temp_dir().join(format!("vb365-download-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mailbox.pst");
    let err = client
        .exchange_item_save_item_action()
        .restore_session_id(id())
        .mailbox_id(id())
        .item_id("item")
        .save_to(&file)
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), vb365::ErrorKind::Transport(_)),
        "{err:?}"
    );
    assert_eq!(err.operation(), Some("exchange_item_save_item_action"));
    assert!(!file.exists(), "partial file removed");
    std::fs::remove_dir_all(&dir).unwrap();
}
