//! A plugin's release archive: the plugin directory as a zip, without what is ignored.
//!
//! The files are those under the plugin's root, minus: what its `.gitignore` files ignore
//! (also outside a git repository), what its `.synapseignore` files ignore (which may
//! re-include with `!pattern`), and the Python SDK's default excludes ([`DEFAULT_EXCLUDES`]:
//! caches, virtual environments, version control, editor files, build output, logs), which
//! nothing re-includes. Hidden files are kept; symbolic links are not followed (a link is
//! left out, whatever it points to); ignore files above the root, the global gitignore and
//! `.git/info/exclude` are not read, so the archive depends only on the plugin's tree. The archive itself is never part of it.
//!
//! The zip is deterministic: entries sorted by their `/`-separated relative path, files
//! only, deflated, each with the same timestamp (1980-01-01) and a mode of 0644 or 0755
//! (executable), so the same tree always gives the same bytes and the same MD5.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use ignore::overrides::{Override, OverrideBuilder};
use md5::{Digest, Md5};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::exit::CliError;
use crate::plugin_dir::PluginDir;

/// The name of the plugin's own ignore files (gitignore syntax).
pub const IGNORE_FILE: &str = ".synapseignore";

/// Never packaged, at any depth (the Python SDK's defaults, in gitignore syntax).
pub const DEFAULT_EXCLUDES: [&str; 33] = [
    // Python
    "__pycache__",
    "*.pyc",
    "*.pyo",
    "*.pyd",
    ".python-version",
    "*.egg-info",
    "*.egg",
    // Virtual environments
    ".venv",
    "venv",
    ".env",
    "env",
    // Version control
    ".git",
    ".gitignore",
    ".gitattributes",
    ".svn",
    ".hg",
    // Editors
    ".idea",
    ".vscode",
    "*.swp",
    "*.swo",
    ".DS_Store",
    "Thumbs.db",
    // Build output
    "dist",
    "build",
    "node_modules",
    // Caches
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".cache",
    ".tox",
    // Coverage
    ".coverage",
    "htmlcov",
    // Logs
    "*.log",
];

/// A plugin release archive written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    /// Where it was written.
    pub path: PathBuf,
    /// Its entries: `/`-separated paths relative to the plugin's root, sorted.
    pub files: Vec<String>,
    /// Its size in bytes.
    pub size: u64,
    /// Its MD5, lowercase hex.
    pub md5: String,
}

/// Packages the plugin directory into a zip at `output`.
pub fn build(plugin: &PluginDir, output: &Path) -> Result<Archive, CliError> {
    let root = plugin.root();
    let files = collect(root, output, plugin.code())?;
    write_zip(root, &files, output)?;
    let (size, md5) = digest(output)?;
    Ok(Archive {
        path: output.to_owned(),
        files: files.into_iter().map(|(name, _)| name).collect(),
        size,
        md5,
    })
}

/// The default excludes, as overrides (every glob an ignore glob) rooted at `root`, plus
/// the archives `plugin package` writes by default (`<code>-*.zip` at the root), so that a
/// package made earlier is not shipped inside the next one.
fn default_excludes(root: &Path, code: Option<&str>) -> Result<Override, CliError> {
    let mut builder = OverrideBuilder::new(root);
    let own = code.map(|code| format!("/{code}-*.zip"));
    for pattern in DEFAULT_EXCLUDES.iter().copied().chain(own.as_deref()) {
        builder
            .add(&format!("!{pattern}"))
            .map_err(|e| CliError::usage(format!("default exclude {pattern}: {e}")))?;
    }
    builder
        .build()
        .map_err(|e| CliError::usage(format!("default excludes: {e}")))
}

/// An absolute, symlink-free form of `path` (which may not exist yet).
fn canonical(path: &Path) -> PathBuf {
    if let Ok(path) = path.canonicalize() {
        return path;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (parent.canonicalize(), path.file_name()) {
        (Ok(parent), Some(name)) => parent.join(name),
        _ => path.to_owned(),
    }
}

/// The files to package: `(entry name, path on disk)`, sorted by entry name.
fn collect(
    root: &Path,
    output: &Path,
    code: Option<&str>,
) -> Result<Vec<(String, PathBuf)>, CliError> {
    let output = canonical(output);
    let mut walk = WalkBuilder::new(root);
    walk.standard_filters(false)
        .hidden(false)
        .parents(false)
        .ignore(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .follow_links(false)
        .add_custom_ignore_filename(IGNORE_FILE)
        .overrides(default_excludes(root, code)?);
    let mut files = Vec::new();
    for entry in walk.build() {
        let entry = entry.map_err(|e| CliError::usage(format!("cannot read the plugin: {e}")))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        if canonical(path) == output {
            continue;
        }
        let relative = path.strip_prefix(root).map_err(|_| {
            CliError::usage(format!("{}: outside the plugin directory", path.display()))
        })?;
        let name = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        files.push((name, path.to_owned()));
    }
    files.sort();
    Ok(files)
}

/// The mode an entry is stored with: 0755 for an executable file, else 0644.
fn mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0) {
            return 0o755;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    0o644
}

/// Writes the zip of `files` (taken under `root`) to `output`.
fn write_zip(root: &Path, files: &[(String, PathBuf)], output: &Path) -> Result<(), CliError> {
    let write_err = |e: &dyn std::fmt::Display| {
        CliError::usage(format!("{}: cannot be written: {e}", output.display()))
    };
    let file = File::create(output).map_err(|e| write_err(&e))?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::DEFAULT);
    for (name, path) in files {
        let mut source = File::open(path).map_err(|e| {
            CliError::usage(format!(
                "{}: cannot be read: {e}",
                root.join(name).display()
            ))
        })?;
        zip.start_file(name.as_str(), options.unix_permissions(mode(path)))
            .map_err(|e| write_err(&e))?;
        std::io::copy(&mut source, &mut zip).map_err(|e| {
            CliError::usage(format!(
                "{} into {}: {e}",
                root.join(name).display(),
                output.display()
            ))
        })?;
    }
    let mut writer = zip.finish().map_err(|e| write_err(&e))?;
    writer.flush().map_err(|e| write_err(&e))?;
    writer.get_ref().sync_all().map_err(|e| write_err(&e))?;
    Ok(())
}

/// The size and MD5 (lowercase hex) of the file at `path`.
fn digest(path: &Path) -> Result<(u64, String), CliError> {
    let read_err =
        |e: std::io::Error| CliError::usage(format!("{}: cannot be read: {e}", path.display()));
    let mut file = File::open(path).map_err(read_err)?;
    let mut hasher = Md5::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(read_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    Ok((size, hex))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, name: &str, text: &str) {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn plugin(root: &Path) -> PluginDir {
        write(
            root,
            "config.yaml",
            "code: hello\nversion: 1.0.0\nactions:\n  train:\n    entrypoint: plugin.train:Train\n",
        );
        PluginDir::open(root).expect("open")
    }

    fn entries(path: &Path) -> Vec<String> {
        let mut zip = zip::ZipArchive::new(File::open(path).expect("open")).expect("zip");
        (0..zip.len())
            .map(|i| {
                let entry = zip.by_index(i).expect("entry");
                String::from_utf8(entry.name_raw().to_vec()).expect("utf-8")
            })
            .collect()
    }

    #[test]
    fn ignore_files_and_the_default_excludes_are_honoured() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("plugin");
        let plugin = plugin(&root);
        write(&root, "plugin/train.py", "print('train')\n");
        write(&root, "plugin/__pycache__/train.cpython-312.pyc", "x");
        write(&root, "plugin/util.pyc", "x");
        write(&root, ".venv/lib/site.py", "x");
        write(&root, ".git/HEAD", "ref");
        write(&root, ".gitignore", "secret.txt\n/data/\n*.tmp\n");
        write(&root, "secret.txt", "s");
        write(&root, "data/big.bin", "b");
        write(&root, "sub/data/kept.txt", "k");
        write(&root, "sub/scratch.tmp", "t");
        write(&root, ".synapseignore", "*.md\n!README.md\nweights/\n");
        write(&root, "NOTES.md", "n");
        write(&root, "README.md", "r");
        write(&root, "weights/model.pt", "w");
        write(&root, "run.log", "l");
        write(&root, ".hidden.yaml", "h");
        write(&root, "node_modules/x/index.js", "x");
        let out = dir.path().join("out.zip");
        let archive = build(&plugin, &out).expect("build");
        let expected = [
            ".hidden.yaml",
            ".synapseignore",
            "README.md",
            "config.yaml",
            "plugin/train.py",
            "sub/data/kept.txt",
        ];
        assert_eq!(archive.files, expected);
        assert_eq!(entries(&out), expected);
        assert_eq!(archive.size, std::fs::metadata(&out).expect("meta").len());
        assert_eq!(archive.md5.len(), 32);
        assert!(
            archive
                .md5
                .chars()
                .all(|c| matches!(c, '0'..='9' | 'a'..='f'))
        );
    }

    #[test]
    fn the_same_tree_gives_the_same_bytes_and_the_archive_is_not_packed_into_itself() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let plugin = plugin(root);
        write(root, "b.py", "b\n");
        write(root, "a/z.py", &"z".repeat(10_000));
        let out = root.join("hello-1.0.0.zip");
        let first = build(&plugin, &out).expect("first");
        let first_bytes = std::fs::read(&out).expect("read");
        std::thread::sleep(std::time::Duration::from_millis(1100));
        // Touch the files: timestamps must not reach the archive.
        write(root, "b.py", "b\n");
        let second = build(&plugin, &out).expect("second");
        assert_eq!(first, second);
        assert_eq!(std::fs::read(&out).expect("read"), first_bytes);
        assert_eq!(second.files, ["a/z.py", "b.py", "config.yaml"]);
    }

    #[test]
    fn an_earlier_package_of_the_plugin_is_not_shipped_in_the_next() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let plugin = plugin(root);
        write(root, "hello-0.9.0.zip", "an older package");
        write(root, "sub/hello-0.9.0.zip", "data, kept");
        write(root, "other-1.0.zip", "kept");
        let out = dir.path().join("elsewhere.zip");
        let built = build(&plugin, &out).expect("build");
        assert_eq!(
            built.files,
            ["config.yaml", "other-1.0.zip", "sub/hello-0.9.0.zip"]
        );
    }

    #[test]
    fn an_unwritable_output_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let plugin = plugin(dir.path());
        let out = dir.path().join("missing-dir").join("out.zip");
        let err = build(&plugin, &out).expect_err("no directory");
        assert!(err.to_string().contains("missing-dir"), "{err}");
    }
}
