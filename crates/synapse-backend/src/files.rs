//! Local-file helpers shared by the upload flows: MIME types by extension and a streaming
//! hash of a file byte range.

use std::path::PathBuf;

use md5::Digest;
use synapse_transport::Error;

/// MIME type from a file name's extension, as Python's `mimetypes` guesses the common ones;
/// `None` when unknown.
pub(crate) fn mime_for_name(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" | "jpe" => "image/jpeg",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "tif" | "tiff" => "image/tiff",
        "ico" => "image/vnd.microsoft.icon",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "xml" => "text/xml",
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "tar" => "application/x-tar",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "avi" => "video/x-msvideo",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "wav" => "audio/x-wav",
        "flac" => "audio/flac",
        "ogg" => "audio/ogg",
        _ => return None,
    })
}

/// Feeds `len` bytes of `path` from `offset` into `hasher` on a blocking thread, 256 KiB at
/// a time (nothing of the file is kept in memory). A file shorter than the range is an error.
pub(crate) async fn hash_range<D>(
    path: PathBuf,
    offset: u64,
    len: u64,
    mut hasher: D,
) -> Result<D, Error>
where
    D: Digest + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Seek, SeekFrom};
        let io = |e| Error::io(Some(path.clone()), e);
        let mut file = std::fs::File::open(&path).map_err(io)?;
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut buf = vec![0u8; 256 * 1024];
        let mut left = len;
        while left > 0 {
            let want = left.min(buf.len() as u64) as usize;
            let n = file.read(&mut buf[..want]).map_err(io)?;
            if n == 0 {
                return Err(io(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the file shrank during the upload",
                )));
            }
            hasher.update(&buf[..n]);
            left -= n as u64;
        }
        Ok(hasher)
    })
    .await
    .map_err(|e| Error::Transport {
        message: format!("hashing task failed: {e}"),
        source: None,
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_a_range_and_refuses_a_short_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("f.bin");
        std::fs::write(&path, b"xxhelloyy").expect("write");
        let h = hash_range(path.clone(), 2, 5, md5::Md5::new())
            .await
            .expect("hash");
        assert_eq!(h.finalize()[..], md5::Md5::digest(b"hello")[..]);
        assert!(hash_range(path, 5, 10, sha1::Sha1::new()).await.is_err());
        assert_eq!(mime_for_name("A.JPG"), Some("image/jpeg"));
        assert_eq!(mime_for_name("scan.pcd"), None);
    }
}
