//! Chunked upload, against the embedded fake backend: upload a file in chunks with a
//! progress callback; then make an upload fail midway (the fake drops the connection of a
//! chunk after storing it), resume it from the checkpoint its error carries, and check that
//! both sides agree on the MD5.
//!
//! ```sh
//! cargo run -p synapse-backend --example chunked_upload
//! ```

mod common;

use common::ensure;
use md5::{Digest, Md5};
use synapse_backend::Method;
use synapse_backend::{ChunkedUploadOptions, Error, UploadCheckpoint};
use synapse_fake::{Fault, FaultAction};

const MIB: u64 = 1024 * 1024;

#[tokio::main]
async fn main() -> common::Result {
    let (fake, client) = common::start().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("weights.bin");
    let data: Vec<u8> = (0..(3 * MIB + MIB / 2))
        .map(|i| (i * 31 % 251) as u8)
        .collect();
    std::fs::write(&path, &data)?;
    let md5: String = Md5::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("a file of {} bytes, md5 {md5}", data.len());

    // 1. Upload it in 1 MiB chunks (the default is 50 MiB). The progress callback runs
    //    after each chunk the server acknowledged. The SDK computes the MD5 as it goes,
    //    sends it to finish the upload, and checks the server's answer against it.
    let upload = client
        .create_chunked_upload(&path)
        .options(
            ChunkedUploadOptions::default()
                .chunk_size(MIB)
                .progress(|done, total| println!("   {done:>7} of {total} bytes")),
        )
        .await?;
    println!("1. uploaded as {} (md5 {})", upload.id, upload.md5);
    ensure(upload.md5 == md5, "the SDK's MD5 differs from the file's")?;
    ensure(
        fake.upload_md5(&upload.id.to_string()) == Some(md5.clone()),
        "the server's MD5 differs from the file's",
    )?;

    // 2. Upload it again, but the server drops the connection of the second chunk after
    //    storing it: the client never hears that the chunk arrived. (Every chunk after the
    //    first goes to the upload's own URL, `/chunked_upload/<id>/`; the fake's ids start
    //    with 0.) By default the SDK survives up to five such interruptions by itself: it
    //    reads back what the server holds and carries on. Turned off here, the failure
    //    surfaces as `Error::UploadInterrupted`, with a checkpoint to resume from.
    fake.inject(
        Fault::new(FaultAction::DropAfterRead, 1)
            .method(Method::PUT)
            .path("/chunked_upload/0"),
    );
    let outcome = client
        .create_chunked_upload(&path)
        .options(
            ChunkedUploadOptions::default()
                .chunk_size(MIB)
                .max_recoveries(0),
        )
        .await;
    let checkpoint = match outcome {
        Err(Error::UploadInterrupted { checkpoint, source }) => {
            println!("2. interrupted: {source}");
            *checkpoint
        }
        Err(other) => return Err(format!("expected an interrupted upload, got: {other}").into()),
        Ok(_) => return Err("the upload should have been interrupted".into()),
    };
    println!(
        "   checkpoint: upload {} acknowledged up to byte {} of {}",
        checkpoint.id, checkpoint.offset, checkpoint.size
    );
    ensure(
        checkpoint.offset == MIB,
        "only the first chunk was acknowledged",
    )?;

    // A checkpoint is plain data: saved (here as JSON), it resumes the upload later, in
    // this process or another, as long as the file has not changed.
    let saved = serde_json::to_string(&checkpoint)?;
    let checkpoint: UploadCheckpoint = serde_json::from_str(&saved)?;

    // 3. Resume. The SDK first asks the server where the upload stands — here two chunks,
    //    not the one the checkpoint knew of — and sends only the rest.
    let puts_before = fake.count(&Method::PUT, "/chunked_upload/");
    let resumed = client
        .create_chunked_upload(&path)
        .options(
            ChunkedUploadOptions::default()
                .chunk_size(MIB)
                .resume(checkpoint.clone())
                .progress(|done, total| println!("   {done:>7} of {total} bytes")),
        )
        .await?;
    let chunks_sent = fake.count(&Method::PUT, "/chunked_upload/") - puts_before;
    println!(
        "3. resumed upload {} with {chunks_sent} more chunks (md5 {})",
        resumed.id, resumed.md5
    );
    ensure(
        resumed.id == checkpoint.id,
        "the resumed upload should be the interrupted one",
    )?;
    ensure(
        chunks_sent == 2,
        "only the last two chunks should have been sent",
    )?;

    // 4. Both sides agree on the content.
    ensure(resumed.md5 == md5, "the SDK's MD5 differs from the file's")?;
    ensure(
        fake.upload_md5(&resumed.id.to_string()) == Some(md5.clone()),
        "the server's MD5 differs from the file's",
    )?;
    println!("4. md5 verified on both sides: {md5}");
    Ok(())
}
