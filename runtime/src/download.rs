//! Downloads (PST/ZIP/MSG exports, reports) streamed to any writer with constant memory:
//! each chunk is written as it arrives and dropped.

use std::path::Path;

use futures::StreamExt;
use progenitor_client::ByteStream;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::error::{Error, ErrorKind};

/// Writes the body to `writer` chunk by chunk and flushes it; returns the bytes written.
pub async fn write_to<W: AsyncWrite + Unpin + ?Sized>(
    body: ByteStream,
    writer: &mut W,
) -> Result<u64, Error> {
    let mut stream = body.into_inner();
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        writer
            .write_all(&chunk)
            .await
            .map_err(|e| Error::new(ErrorKind::Io(e)))?;
        written += chunk.len() as u64;
    }
    writer
        .flush()
        .await
        .map_err(|e| Error::new(ErrorKind::Io(e)))?;
    Ok(written)
}

/// Writes the body to `path`, replacing a file there only once the whole body has arrived.
///
/// The body goes to a temporary file beside `path` (same folder, so the final rename is
/// atomic); on success it is renamed over `path`. A failed download, or a future dropped
/// before it finished (a timeout, a `select!`), removes the temporary file and leaves an
/// existing file at `path` untouched.
///
/// An empty body is an error that leaves `path` as it was: a file operation that answers
/// 202 or 204 without a body has sent no file, and must not replace one. On Unix the file
/// is created readable and writable by its owner only (`0600`): exports hold mailboxes.
pub async fn save_to(body: ByteStream, path: impl AsRef<Path>) -> Result<u64, Error> {
    save(body, path.as_ref(), Replace::Yes).await
}

/// [`save_to`], except that a file at `path` is never replaced: one there when the download
/// completes (created meanwhile by someone else) is an error, and the download is removed.
/// The final step is a hard link, which fails when the name exists, so no check can race
/// with another writer.
pub async fn save_new(body: ByteStream, path: impl AsRef<Path>) -> Result<u64, Error> {
    save(body, path.as_ref(), Replace::No).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Replace {
    Yes,
    No,
}

async fn save(body: ByteStream, path: &Path, replace: Replace) -> Result<u64, Error> {
    let io = |e| Error::new(ErrorKind::Io(e));
    let name = path.file_name().ok_or_else(|| {
        io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} names no file", path.display()),
        ))
    })?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{:016x}.part", fastrand::u64(..)));
    save_via(body, path, &path.with_file_name(temp_name), replace).await
}

/// [`save_to`] through the temporary file `temp_path`, which must not exist yet.
async fn save_via(
    body: ByteStream,
    path: &Path,
    temp_path: &Path,
    replace: Replace,
) -> Result<u64, Error> {
    let io = |e| Error::new(ErrorKind::Io(e));
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(temp_path).await.map_err(io)?;
    // Only now is there a file of ours to remove: a name that existed already (create_new
    // failed) is someone else's.
    let temp = TempFile(temp_path.to_path_buf());
    let written = write_to(body, &mut file).await?;
    if written == 0 {
        drop(file);
        return Err(Error::decode(
            bytes::Bytes::new(),
            "",
            format!(
                "the server sent no file (an empty body); {} was left as it was",
                path.display()
            ),
        ));
    }
    file.sync_all().await.map_err(io)?;
    drop(file);
    if replace == Replace::Yes {
        tokio::fs::rename(&temp.0, path).await.map_err(io)?;
        temp.keep();
    } else {
        // The temporary file is removed when `temp` drops, linked or not.
        tokio::fs::hard_link(&temp.0, path).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                io(std::io::Error::new(
                    e.kind(),
                    format!(
                        "{} appeared while downloading: left as it is, the download discarded",
                        path.display()
                    ),
                ))
            } else {
                io(e)
            }
        })?;
    }
    tracing::debug!(bytes = written, path = %path.display(), "download saved");
    Ok(written)
}

/// A temporary file removed when dropped, unless kept.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn keep(self) {
        std::mem::forget(self);
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn body(chunks: Vec<Result<Bytes, reqwest::Error>>) -> ByteStream {
        ByteStream::new(Box::pin(futures::stream::iter(chunks)))
    }

    async fn broken() -> reqwest::Error {
        reqwest::Client::new()
            .get("http://[::1]:1/")
            .send()
            .await
            .unwrap_err()
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[tokio::test]
    async fn a_failed_download_keeps_the_previous_file_and_leaves_nothing_behind() {
        let dir = std::env::temp_dir().join(format!("veeam-dl-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("export.pst");
        std::fs::write(&target, b"previous good export").unwrap();
        let e = save_to(
            body(vec![
                Ok(Bytes::from_static(b"new part")),
                Err(broken().await),
            ]),
            &target,
        )
        .await;
        assert!(e.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"previous good export");
        assert_eq!(leftovers(&dir), ["export.pst"]);
        let n = save_to(
            body(vec![
                Ok(Bytes::from_static(b"new ")),
                Ok(Bytes::from_static(b"export")),
            ]),
            &target,
        )
        .await
        .unwrap();
        assert_eq!(
            (n, std::fs::read(&target).unwrap()),
            (10, b"new export".to_vec())
        );
        assert_eq!(leftovers(&dir), ["export.pst"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn an_empty_body_never_replaces_a_file_and_new_files_are_private() {
        let dir = std::env::temp_dir().join(format!("veeam-dl-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("export.pst");
        std::fs::write(&target, b"previous good export").unwrap();
        let e = save_to(body(vec![]), &target).await.unwrap_err();
        assert!(e.to_string().contains("no file"), "{e}");
        assert_eq!(std::fs::read(&target).unwrap(), b"previous good export");
        assert_eq!(leftovers(&dir), ["export.pst"]);
        let fresh = dir.join("new.pst");
        save_to(body(vec![]), &fresh).await.unwrap_err();
        assert!(!fresh.exists());
        save_to(body(vec![Ok(Bytes::from_static(b"mail"))]), &fresh)
            .await
            .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_temporary_name_taken_by_another_file_is_left_alone() {
        let dir = std::env::temp_dir().join(format!("veeam-dl-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("export.pst");
        let taken = dir.join(".export.pst.0000000000000001.part");
        std::fs::write(&taken, b"not ours").unwrap();
        let e = save_via(
            body(vec![Ok(Bytes::from_static(b"x"))]),
            &target,
            &taken,
            Replace::Yes,
        )
        .await
        .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Io(_)), "{e}");
        assert_eq!(std::fs::read(&taken).unwrap(), b"not ours");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_dropped_download_leaves_nothing_behind() {
        let dir = std::env::temp_dir().join(format!("veeam-dl-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("report.csv");
        std::fs::write(&target, b"old").unwrap();
        // A body that sends one chunk and then never ends.
        let endless = futures::stream::iter(vec![Ok(Bytes::from_static(b"partial"))])
            .chain(futures::stream::pending());
        let slow = ByteStream::new(Box::pin(endless));
        let r = tokio::time::timeout(
            std::time::Duration::from_millis(100),
            save_to(slow, &target),
        )
        .await;
        assert!(r.is_err(), "timed out");
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        assert_eq!(leftovers(&dir), ["report.csv"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn save_new_never_replaces_a_file_and_leaves_nothing_behind() {
        let dir = std::env::temp_dir().join(format!("veeam-dl-new-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("export.pst");
        let n = save_new(body(vec![Ok(Bytes::from_static(b"export"))]), &target)
            .await
            .unwrap();
        assert_eq!(
            (n, std::fs::read(&target).unwrap()),
            (6, b"export".to_vec())
        );
        // A file there when the download completes (someone else's) stays as it is.
        let e = save_new(body(vec![Ok(Bytes::from_static(b"again"))]), &target)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("appeared while downloading"), "{e}");
        assert_eq!(std::fs::read(&target).unwrap(), b"export");
        assert_eq!(leftovers(&dir), ["export.pst"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
