//! Data collections, against the embedded fake backend: read a collection's file
//! specifications, upload local files into it as data units (each file becomes a data file,
//! then the units that reference them are created in batches), and list the units it holds.
//!
//! ```sh
//! cargo run -p synapse-backend --example data_collection_upload
//! ```

mod common;

use std::path::{Path, PathBuf};

use common::ensure;
use futures_util::TryStreamExt;
use serde_json::json;
use synapse_backend::models::DataUnit;
use synapse_backend::{DataUnitUpload, UploadCollectionOptions};

#[tokio::main]
async fn main() -> common::Result {
    let (_fake, client) = common::start().await?;

    // 1. The collections we can see, and one collection's file specifications: their names
    //    are the keys of a unit's files.
    let collections = client.list_data_collections().await?;
    let first = collections.results.first().ok_or("no data collection")?;
    let collection_id = first.id.ok_or("the collection has no id")?;
    let collection = client.get_data_collection(collection_id).await?;
    println!(
        "1. {} collection(s); collection {collection_id} ({}) takes these files:",
        collections.total(),
        collection.name.as_deref().unwrap_or("?")
    );
    let specs = collection.file_specifications.unwrap_or_default();
    for spec in &specs {
        println!(
            "   file `{}`: {}{}",
            spec.name.as_deref().unwrap_or("?"),
            spec.file_type.as_ref().map(|t| t.as_str()).unwrap_or("?"),
            if spec.is_required == Some(true) {
                ", required"
            } else {
                ""
            }
        );
    }
    let spec_name = |primary: bool| {
        specs
            .iter()
            .find(|s| s.is_primary == Some(primary))
            .and_then(|s| s.name.clone())
            .ok_or("the collection lacks a file specification")
    };
    let (image, sensors) = (spec_name(true)?, spec_name(false)?);

    // 2. Three units: a camera frame each, sensor readings for two of them, in the data
    //    group `2026-06` › `front-camera`; and a fourth whose image is missing.
    let dir = tempfile::tempdir()?;
    let mut units = Vec::new();
    for frame in 1..=3 {
        let mut unit = DataUnitUpload::new()
            .file(&image, write_frame(dir.path(), frame)?)
            .meta(common::object(json!({"frame": frame, "camera": "front"})))
            .groups(["2026-06", "front-camera"]);
        if frame != 2 {
            let readings = dir.path().join(format!("frame-{frame}.json"));
            std::fs::write(&readings, json!({"speed_kmh": 40 + frame}).to_string())?;
            unit = unit.file(&sensors, readings);
        }
        units.push(unit);
    }
    units.push(DataUnitUpload::new().file(&image, dir.path().join("frame-4.jpg")));
    println!(
        "2. {} units to upload; the last one's image is missing",
        units.len()
    );

    // 3. Upload: every unit's files (four units at a time), then the units, two per
    //    request. A unit whose file fails is reported; the others still go in.
    let report = client
        .upload_data_collection(collection_id, units)
        .options(
            UploadCollectionOptions::default()
                .max_workers(4)
                .batch_size(2)
                .progress(|done, total| println!("   {done} of {total} units' files sent")),
        )
        .await;
    for item in &report.items {
        match &item.upload {
            Ok(payload) => println!(
                "3. unit {}: {} file(s) uploaded, unit created by request {}",
                item.index,
                payload.files.len(),
                item.batch.map_or(0, |b| b + 1)
            ),
            Err(e) => println!("3. unit {}: not uploaded: {e}", item.index),
        }
    }
    let failed: Vec<usize> = report.failed_items().map(|(index, _)| index).collect();
    ensure(
        failed == [3],
        "only the unit with the missing file should fail",
    )?;
    let created = report.unit_ids();
    ensure(created.len() == 3, "three units should have been created")?;
    ensure(
        report.batches.len() == 2,
        "three units go in two requests of two",
    )?;

    // 4. The units the collection now holds, every page as a stream. `expand=files` (a
    //    query parameter the SDK passes as is) embeds each unit's files.
    let listed: Vec<DataUnit> = client
        .list_data_units()
        .data_collection(collection_id)
        .query("expand", "files")
        .items()
        .try_collect()
        .await?;
    println!("4. the collection holds {} units", listed.len());
    for unit in &listed {
        let files = unit
            .files
            .as_ref()
            .map(|f| f.to_value())
            .unwrap_or_default();
        let names: Vec<&String> = files
            .as_object()
            .map(|f| f.keys().collect())
            .unwrap_or_default();
        println!(
            "   unit {}: files {names:?}, meta {}, group {}",
            unit.id.map(|i| i.to_string()).unwrap_or_default(),
            unit.meta
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_default(),
            unit.group_id.map(|g| g.to_string()).unwrap_or_default()
        );
    }
    let listed_ids: Vec<_> = listed.iter().filter_map(|u| u.id).collect();
    ensure(
        listed_ids == created,
        "the listed units should be the created ones",
    )?;

    // 5. The server stores each uploaded file under its checksum; the units reference them.
    let checksums: Vec<String> = report
        .items
        .iter()
        .filter_map(|i| i.upload.as_ref().ok())
        .flat_map(|p| p.files.iter().map(|(_, f)| f.checksum.clone()))
        .collect();
    let known = client.verify_data_files_checksums(&checksums).await?;
    let existing = known.existing_checksums.unwrap_or_default();
    println!(
        "5. {} of {} checksums known to the server",
        existing.len(),
        checksums.len()
    );
    ensure(
        existing == checksums,
        "every uploaded file should be stored",
    )?;
    let unit = client.get_data_unit(created[0]).expand("files").await?;
    let files = unit.files.map(|f| f.to_value()).unwrap_or_default();
    println!("   unit {}: {}", created[0], files[&image]["url"]);
    ensure(
        files[&image]["checksum"].as_str() == checksums.first().map(String::as_str),
        "the unit should reference its uploaded image",
    )?;
    println!("done");
    Ok(())
}

/// Writes a small stand-in JPEG (the SDK checks that a `.jpg` starts like one).
fn write_frame(dir: &Path, frame: u8) -> std::io::Result<PathBuf> {
    let path = dir.join(format!("frame-{frame}.jpg"));
    let mut bytes = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec();
    bytes.extend((0..4096u32).map(|i| (i as u8).wrapping_mul(frame)));
    bytes.extend(b"\xff\xd9");
    std::fs::write(&path, &bytes)?;
    Ok(path)
}
