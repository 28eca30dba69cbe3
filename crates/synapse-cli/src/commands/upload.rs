//! `synapse upload FILE [--resume]`: the chunked upload, with a progress bar on the bytes
//! the server has acknowledged.
//!
//! After each acknowledged chunk the upload's checkpoint is written to
//! `~/.synapse/uploads/<md5 of the file's absolute path>.json` (atomically, mode 0600). When
//! the upload stops (Ctrl-C, or a failure the retries did not survive) the checkpoint stays,
//! and `synapse upload FILE --resume` continues from it; a finished upload removes it.

use std::path::{Path, PathBuf};

use md5::{Digest, Md5};
use serde_json::json;
use synapse_backend::models::UploadCheckpoint;
use synapse_backend::{ChunkedUploadOptions, Error as SdkError};

use crate::cli::UploadArgs;
use crate::context::Ctx;
use crate::exit::CliError;
use crate::output::escape;

const MIB: u64 = 1024 * 1024;

/// Runs `synapse upload`.
pub async fn run(ctx: &Ctx, args: UploadArgs) -> Result<(), CliError> {
    let client = ctx.backend()?;
    let file = std::path::absolute(&args.file)
        .map_err(|e| CliError::usage(format!("{}: {e}", args.file.display())))?;
    let size = std::fs::metadata(&file)
        .map_err(|e| CliError::usage(format!("{}: {e}", file.display())))?
        .len();
    let store = checkpoint_path(ctx.file.path(), &file);

    let mut options = ChunkedUploadOptions::default()
        .chunk_size(args.chunk_mib * MIB)
        .max_recoveries(args.retries);
    if args.resume {
        let checkpoint = read_checkpoint(&store)?.ok_or_else(|| {
            CliError::usage(format!(
                "no interrupted upload of {} to resume (no {})",
                file.display(),
                store.display()
            ))
        })?;
        options = options.resume(checkpoint);
    }
    let bar = ctx.out.bytes_bar(size, "uploading");
    if let Some(bar) = bar.clone() {
        options = options.progress(move |done, _total| bar.set_position(done));
    }
    let saver = store.clone();
    options = options.on_checkpoint(move |checkpoint| {
        // A failed write only loses the ability to resume; the upload goes on.
        if let Err(e) = write_checkpoint(&saver, checkpoint) {
            eprintln!(
                "warning: cannot save the upload checkpoint to {}: {e}",
                saver.display()
            );
        }
    });

    let upload = client.create_chunked_upload(file.clone()).options(options);
    let result = tokio::select! {
        result = upload.send() => result,
        _ = tokio::signal::ctrl_c() => {
            if let Some(bar) = &bar { bar.abandon(); }
            let at = read_checkpoint(&store).ok().flatten().map(|c| c.offset).unwrap_or(0);
            return Err(CliError::Interrupted(format!(
                "upload interrupted at {at} of {size} bytes; continue with `synapse upload {} --resume`",
                escape(&args.file.display().to_string())
            )));
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(done) => {
            let _ = std::fs::remove_file(&store);
            let out = &ctx.out;
            if out.is_json() {
                out.json(&json!({
                    "id": done.id,
                    "md5": done.md5,
                    "size": done.size,
                    "path": file,
                    "recoveries": done.recoveries,
                }));
            } else {
                out.line(format!("Uploaded {} ({} bytes)", file.display(), done.size));
                out.line(format!("id   {}", done.id));
                out.line(format!("md5  {}", done.md5));
            }
            Ok(())
        }
        Err(SdkError::UploadInterrupted { checkpoint, source }) => {
            write_checkpoint(&store, &checkpoint)
                .map_err(|e| CliError::usage(format!("{}: {e}", store.display())))?;
            eprintln!(
                "upload stopped at {} of {} bytes; continue with `synapse upload {} --resume`",
                checkpoint.offset,
                checkpoint.size,
                escape(&args.file.display().to_string())
            );
            Err(CliError::Sdk(SdkError::UploadInterrupted {
                checkpoint,
                source,
            }))
        }
        Err(other) => Err(other.into()),
    }
}

/// Where the checkpoint of `file`'s upload is kept: beside the config file, under
/// `uploads/`, named by the MD5 of the file's absolute path.
fn checkpoint_path(config: &Path, file: &Path) -> PathBuf {
    let digest = Md5::digest(file.as_os_str().as_encoded_bytes());
    let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    config
        .parent()
        .unwrap_or(Path::new("."))
        .join("uploads")
        .join(format!("{name}.json"))
}

fn read_checkpoint(store: &Path) -> Result<Option<UploadCheckpoint>, CliError> {
    match std::fs::read(store) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            CliError::usage(format!(
                "{}: not an upload checkpoint: {e}",
                store.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CliError::usage(format!("{}: {e}", store.display()))),
    }
}

fn write_checkpoint(store: &Path, checkpoint: &UploadCheckpoint) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(checkpoint).map_err(std::io::Error::other)?;
    crate::config::write_private(store, &bytes)
}
