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
    writer.flush().await.map_err(|e| Error::new(ErrorKind::Io(e)))?;
    Ok(written)
}

/// Writes the body to a new file at `path` (replacing one that exists). A failed download
/// removes the partial file.
pub async fn save_to(body: ByteStream, path: impl AsRef<Path>) -> Result<u64, Error> {
    let path = path.as_ref();
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(|e| Error::new(ErrorKind::Io(e)))?;
    match write_to(body, &mut file).await {
        Ok(n) => Ok(n),
        Err(e) => {
            drop(file);
            let _ = tokio::fs::remove_file(path).await;
            Err(e)
        }
    }
}
