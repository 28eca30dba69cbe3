//! Pre-flight content guard: a local file is checked before it is
//! uploaded, and an unsafe one is refused with nothing sent.
//!
//! Categories, as the Python SDK's `content_guard.py`:
//! - **script injection** in text: `<script>` tags, `on…=` event handlers inside tags,
//!   `javascript:` URLs, `data:text/html`, `<iframe>`/`<frame>`;
//! - **type mismatch**: a common image, video, audio, PDF or ZIP extension whose magic bytes
//!   say otherwise (e.g. a `.jpg` without the JPEG signature);
//! - **executables**: PE (`MZ`), ELF, Mach-O magics, a `#!` shebang, or an executable /
//!   installer extension (`.exe`, `.dll`, `.so`, `.sh`, `.bat`, `.ps1`, `.msi`, `.deb`, …);
//! - **sensitive files**: names (`.env`, `id_rsa*`, `*.pem`, `*.key`, `credentials*`) and
//!   contents (`-----BEGIN … PRIVATE KEY-----`, AWS access key ids, GitHub and Slack tokens).
//!
//! Reading is bounded: only the first [`SCAN_LIMIT`] bytes are read, whatever the file size.
//! A [`Finding`] names the rule, a label and the byte offset — never the matched bytes, so an
//! error message cannot leak a secret.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use synapse_transport::Error;

/// How many bytes of a file the guard reads at most (4 MiB): magic bytes come from the head,
/// text checks run over this prefix only.
pub const SCAN_LIMIT: u64 = 4 * 1024 * 1024;

/// At most this many findings are kept per file.
const MAX_FINDINGS: usize = 16;

/// The category of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// Active content in a text file (script tags, event handlers, `javascript:` URLs, …).
    ScriptInjection,
    /// The extension promises a media/document/archive type the magic bytes contradict.
    TypeMismatch,
    /// An executable binary, a script with a shebang, or an executable extension.
    Executable,
    /// A file that likely holds credentials (by name or by content).
    SensitiveFile,
}

impl Rule {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::ScriptInjection => "script_injection",
            Rule::TypeMismatch => "type_mismatch",
            Rule::Executable => "executable",
            Rule::SensitiveFile => "sensitive_file",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason a file is refused. Never contains the matched bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The category.
    pub rule: Rule,
    /// What matched, in words (e.g. `"<script> tag"`, `"AWS access key id"`).
    pub label: &'static str,
    /// Byte offset of the match in the file; `None` for a finding about the file name.
    pub offset: Option<u64>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "{}: {} at byte {offset}", self.rule, self.label),
            None => write!(f, "{}: {} (file name)", self.rule, self.label),
        }
    }
}

/// A file the guard refused, with every finding (at most 16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeFile {
    /// The file (or, for bytes checked in memory, its name).
    pub path: PathBuf,
    /// Why it was refused (never empty).
    pub findings: Vec<Finding>,
}

impl fmt::Display for UnsafeFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unsafe file {} refused: ", self.path.display())?;
        for (i, finding) in self.findings.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{finding}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnsafeFile {}

impl From<UnsafeFile> for Error {
    /// An [`Error::InvalidInput`] naming the file and the findings (nothing was sent).
    fn from(e: UnsafeFile) -> Self {
        Error::InvalidInput {
            message: e.to_string(),
            source: Some(Box::new(e)),
        }
    }
}

/// Checks a file on disk, reading at most [`SCAN_LIMIT`] bytes. `Ok(Ok(()))` is a clean
/// file; `Ok(Err(_))` a refused one; `Err(_)` an unreadable one.
///
/// ```
/// # fn demo() -> std::io::Result<()> {
/// let dir = std::env::temp_dir().join("synapse-guard-doc");
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("page.html");
/// std::fs::write(&path, "<p>hi</p><script>alert(1)</script>")?;
/// let unsafe_file = synapse_backend::content_guard::check_file(&path)?.unwrap_err();
/// assert_eq!(unsafe_file.findings[0].label, "<script> tag");
/// # Ok(()) }
/// # demo().expect("doc");
/// ```
pub fn check_file(path: &Path) -> std::io::Result<Result<(), UnsafeFile>> {
    let file = std::fs::File::open(path)?;
    let mut head = Vec::new();
    file.take(SCAN_LIMIT).read_to_end(&mut head)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(verdict(path.to_owned(), scan(&name, &head)))
}

/// Checks bytes held in memory under the file name `name` (only the first [`SCAN_LIMIT`]
/// bytes are scanned).
pub fn check_bytes(name: &str, data: &[u8]) -> Result<(), UnsafeFile> {
    let len = data.len().min(SCAN_LIMIT as usize);
    verdict(PathBuf::from(name), scan(name, &data[..len]))
}

/// Checks a file for [`create_data_file`](crate::BackendClient::create_data_file): a refused
/// or unreadable file is an [`Error`].
pub(crate) async fn guard_file(path: &Path) -> Result<(), Error> {
    let owned = path.to_owned();
    let result = tokio::task::spawn_blocking(move || check_file(&owned))
        .await
        .map_err(|e| Error::invalid_input(format!("content guard failed: {e}")))?;
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(unsafe_file)) => Err(unsafe_file.into()),
        Err(e) => Err(Error::io(Some(path.to_owned()), e)),
    }
}

fn verdict(path: PathBuf, findings: Vec<Finding>) -> Result<(), UnsafeFile> {
    if findings.is_empty() {
        Ok(())
    } else {
        Err(UnsafeFile { path, findings })
    }
}

/// Every finding for a file called `name` whose first bytes are `head`.
fn scan(name: &str, head: &[u8]) -> Vec<Finding> {
    let mut out = Vec::new();
    let lower_name = name.to_ascii_lowercase();
    let ext = lower_name
        .rsplit_once('.')
        .map(|(stem, ext)| if stem.is_empty() { "" } else { ext })
        .unwrap_or("");
    name_findings(&lower_name, ext, &mut out);
    let media = media_kind(ext);
    if let Some((label, _)) = media.filter(|(_, ok)| !ok(head)) {
        out.push(Finding {
            rule: Rule::TypeMismatch,
            label,
            offset: Some(0),
        });
    }
    if let Some(label) = executable_magic(head) {
        out.push(Finding {
            rule: Rule::Executable,
            label,
            offset: Some(0),
        });
    }
    // Text checks only where the content looks like text and is not a verified media file.
    let is_verified_media = media.is_some_and(|(_, ok)| ok(head));
    if !is_verified_media && looks_like_text(head) {
        script_findings(head, &mut out);
        secret_findings(head, &mut out);
    }
    out.truncate(MAX_FINDINGS);
    out
}

const EXECUTABLE_EXTENSIONS: &[&str] = &[
    "exe", "dll", "so", "dylib", "sh", "bash", "zsh", "csh", "bat", "cmd", "com", "scr", "ps1",
    "psm1", "vbs", "vbe", "wsf", "msi", "msp", "dmg", "pkg", "app", "deb", "rpm", "apk", "jar",
    "elf", "run", "command",
];

fn name_findings(name: &str, ext: &str, out: &mut Vec<Finding>) {
    if EXECUTABLE_EXTENSIONS.contains(&ext) {
        out.push(Finding {
            rule: Rule::Executable,
            label: "executable or installer extension",
            offset: None,
        });
    }
    let sensitive = if name == ".env" || name.starts_with(".env.") {
        Some("environment file (.env)")
    } else if ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"]
        .iter()
        .any(|k| name.starts_with(k))
    {
        Some("SSH private key file name")
    } else if matches!(ext, "pem" | "key" | "p12" | "pfx") {
        Some("key or certificate file extension")
    } else if name.starts_with("credentials") {
        Some("credentials file name")
    } else {
        None
    };
    if let Some(label) = sensitive {
        out.push(Finding {
            rule: Rule::SensitiveFile,
            label,
            offset: None,
        });
    }
}

type MagicCheck = fn(&[u8]) -> bool;

/// The expected type of a media/document/archive extension and its magic-byte check.
fn media_kind(ext: &str) -> Option<(&'static str, MagicCheck)> {
    let check: (&'static str, MagicCheck) = match ext {
        "jpg" | "jpeg" | "jpe" => ("extension says JPEG, content is not", |h| {
            h.starts_with(&[0xFF, 0xD8, 0xFF])
        }),
        "png" => ("extension says PNG, content is not", |h| {
            h.starts_with(b"\x89PNG\r\n\x1a\n")
        }),
        "gif" => ("extension says GIF, content is not", |h| {
            h.starts_with(b"GIF87a") || h.starts_with(b"GIF89a")
        }),
        "bmp" => ("extension says BMP, content is not", |h| {
            h.starts_with(b"BM")
        }),
        "webp" => ("extension says WebP, content is not", |h| {
            h.starts_with(b"RIFF") && h.get(8..12) == Some(b"WEBP")
        }),
        "tif" | "tiff" => ("extension says TIFF, content is not", |h| {
            h.starts_with(b"II*\0") || h.starts_with(b"MM\0*")
        }),
        "mp4" | "m4v" | "m4a" => ("extension says MP4, content is not", |h| {
            h.get(4..8) == Some(b"ftyp")
        }),
        "mov" => ("extension says QuickTime, content is not", |h| {
            matches!(
                h.get(4..8),
                Some(b"ftyp" | b"moov" | b"mdat" | b"wide" | b"free" | b"skip")
            )
        }),
        "webm" | "mkv" => ("extension says Matroska/WebM, content is not", |h| {
            h.starts_with(&[0x1A, 0x45, 0xDF, 0xA3])
        }),
        "avi" => ("extension says AVI, content is not", |h| {
            h.starts_with(b"RIFF") && h.get(8..12) == Some(b"AVI ")
        }),
        "wav" => ("extension says WAV, content is not", |h| {
            h.starts_with(b"RIFF") && h.get(8..12) == Some(b"WAVE")
        }),
        "mp3" => ("extension says MP3, content is not", |h| {
            h.starts_with(b"ID3") || (h.len() >= 2 && h[0] == 0xFF && h[1] & 0xE0 == 0xE0)
        }),
        "flac" => ("extension says FLAC, content is not", |h| {
            h.starts_with(b"fLaC")
        }),
        "ogg" | "oga" | "ogv" => ("extension says Ogg, content is not", |h| {
            h.starts_with(b"OggS")
        }),
        "pdf" => ("extension says PDF, content is not", |h| {
            find(&h[..h.len().min(1024)], b"%PDF-").is_some()
        }),
        "zip" => ("extension says ZIP, content is not", |h| {
            h.starts_with(b"PK\x03\x04")
                || h.starts_with(b"PK\x05\x06")
                || h.starts_with(b"PK\x07\x08")
        }),
        _ => return None,
    };
    Some(check)
}

fn executable_magic(head: &[u8]) -> Option<&'static str> {
    const MACHO: [[u8; 4]; 5] = [
        [0xFE, 0xED, 0xFA, 0xCE],
        [0xFE, 0xED, 0xFA, 0xCF],
        [0xCE, 0xFA, 0xED, 0xFE],
        [0xCF, 0xFA, 0xED, 0xFE],
        [0xCA, 0xFE, 0xBA, 0xBE],
    ];
    if head.starts_with(b"MZ") && head.len() >= 64 && !looks_like_text(head) {
        Some("Windows PE executable (MZ header)")
    } else if head.starts_with(b"\x7fELF") {
        Some("ELF executable")
    } else if MACHO.iter().any(|m| head.starts_with(m)) {
        Some("Mach-O executable")
    } else if head.starts_with(b"#!") {
        Some("script with a shebang (#!)")
    } else {
        None
    }
}

/// Text if the first 8 KiB hold no NUL byte.
fn looks_like_text(head: &[u8]) -> bool {
    !head[..head.len().min(8192)].contains(&0)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    find_from(hay, needle, 0)
}

fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from >= hay.len() || hay.len() - from < needle.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// First occurrence of `needle` (ASCII lower case) in `lower` followed by a byte accepted by
/// `next_ok` (`None` = end of input).
fn find_tag(lower: &[u8], needle: &[u8], next_ok: fn(Option<u8>) -> bool) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = find_from(lower, needle, from) {
        if next_ok(lower.get(at + needle.len()).copied()) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn tag_end(next: Option<u8>) -> bool {
    matches!(
        next,
        None | Some(b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
    )
}

fn script_findings(head: &[u8], out: &mut Vec<Finding>) {
    let lower = head.to_ascii_lowercase();
    let mut push = |label: &'static str, at: Option<usize>| {
        if let Some(at) = at {
            out.push(Finding {
                rule: Rule::ScriptInjection,
                label,
                offset: Some(at as u64),
            });
        }
    };
    push("<script> tag", find_tag(&lower, b"<script", tag_end));
    push("inline event handler (on…=)", event_handler(&lower));
    push("javascript: URL", find(&lower, b"javascript:"));
    push("data:text/html URL", find(&lower, b"data:text/html"));
    push("<iframe> tag", find_tag(&lower, b"<iframe", tag_end));
    push(
        "<frame> tag",
        find_tag(&lower, b"<frame", |n| tag_end(n) || n == Some(b's')),
    );
}

/// An `on<letters>=` attribute inside a tag (`<img src=x onerror=…>`).
fn event_handler(lower: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(open) = find_from(lower, b"<", i) {
        let starts_tag = lower.get(open + 1).is_some_and(|b| b.is_ascii_alphabetic());
        i = open + 1;
        if !starts_tag {
            continue;
        }
        let end = find_from(lower, b">", open)
            .unwrap_or(lower.len())
            .min(open + 4096);
        let tag = &lower[open..end];
        let mut j = 1;
        while j + 2 < tag.len() {
            let boundary = matches!(
                tag[j - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'"' | b'\''
            );
            if boundary && tag[j] == b'o' && tag[j + 1] == b'n' {
                let mut k = j + 2;
                while k < tag.len() && tag[k].is_ascii_alphabetic() {
                    k += 1;
                }
                let letters = k - (j + 2);
                while k < tag.len() && matches!(tag[k], b' ' | b'\t' | b'\n' | b'\r') {
                    k += 1;
                }
                if letters >= 3 && tag.get(k) == Some(&b'=') {
                    return Some(open + j);
                }
            }
            j += 1;
        }
    }
    None
}

fn secret_findings(head: &[u8], out: &mut Vec<Finding>) {
    let mut push = |label: &'static str, at: Option<usize>| {
        if let Some(at) = at {
            out.push(Finding {
                rule: Rule::SensitiveFile,
                label,
                offset: Some(at as u64),
            });
        }
    };
    push("PEM private key block", private_key_block(head));
    push(
        "AWS access key id",
        token(
            head,
            b"AKIA",
            |b| b.is_ascii_uppercase() || b.is_ascii_digit(),
            16,
        ),
    );
    push("GitHub token", github_token(head));
    push("Slack token", slack_token(head));
}

/// `-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----`.
fn private_key_block(head: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = find_from(head, b"-----BEGIN ", from) {
        let rest = &head[at + 11..head.len().min(at + 11 + 60)];
        let label_ok = |p: usize| {
            rest[..p]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b' ')
        };
        if find(rest, b"PRIVATE KEY-----").is_some_and(label_ok) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// `prefix` then at least `min` bytes accepted by `class`, not preceded by an alphanumeric.
fn token(head: &[u8], prefix: &[u8], class: fn(&u8) -> bool, min: usize) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = find_from(head, prefix, from) {
        let standalone = at == 0 || !head[at - 1].is_ascii_alphanumeric();
        let run = head[at + prefix.len()..]
            .iter()
            .take_while(|b| class(b))
            .count();
        if standalone && run >= min {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn github_token(head: &[u8]) -> Option<usize> {
    let alnum = |b: &u8| b.is_ascii_alphanumeric();
    [b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_"]
        .iter()
        .filter_map(|p| token(head, *p, alnum, 36))
        .chain(token(
            head,
            b"github_pat_",
            |b| b.is_ascii_alphanumeric() || *b == b'_',
            22,
        ))
        .min()
}

fn slack_token(head: &[u8]) -> Option<usize> {
    let class = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-';
    [b"xoxb-", b"xoxa-", b"xoxp-", b"xoxr-", b"xoxs-"]
        .iter()
        .filter_map(|p| token(head, *p, class, 10))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(name: &str, data: &[u8]) -> Vec<(Rule, &'static str)> {
        scan(name, data)
            .into_iter()
            .map(|f| (f.rule, f.label))
            .collect()
    }

    fn has(name: &str, data: &[u8], rule: Rule) -> bool {
        scan(name, data).iter().any(|f| f.rule == rule)
    }

    #[test]
    fn clean_files_pass() {
        assert_eq!(check_bytes("a.txt", b"hello, world\n"), Ok(()));
        assert_eq!(
            check_bytes("notes.csv", b"id,name\n1,one\n2,on=two\n"),
            Ok(())
        );
        assert_eq!(
            check_bytes(
                "page.html",
                b"<p class=\"x\">Click <a href=\"https://e.x\">here</a></p>"
            ),
            Ok(())
        );
        assert_eq!(
            check_bytes("a.jpg", b"\xff\xd8\xff\xe0\0\x10JFIF\0"),
            Ok(())
        );
        assert_eq!(
            check_bytes("a.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Ok(())
        );
        assert_eq!(check_bytes("d.pdf", b"%PDF-1.7\n%\xe2\xe3"), Ok(()));
        assert_eq!(check_bytes("a.zip", b"PK\x03\x04\x14\0"), Ok(()));
        assert_eq!(check_bytes("v.mp4", b"\0\0\0\x18ftypmp42"), Ok(()));
        assert_eq!(check_bytes("s.wav", b"RIFF\x24\0\0\0WAVEfmt "), Ok(()));
        assert_eq!(
            check_bytes("m.json", br#"{"key": "AKIA-short", "x": 1}"#),
            Ok(())
        );
        assert_eq!(check_bytes("empty.txt", b""), Ok(()));
    }

    #[test]
    fn script_injection_in_text() {
        let found = rules(
            "p.html",
            b"<div>x</div><SCRIPT src=x></script><img src=x onerror=alert(1)>\
              <a href=\"JavaScript:alert(1)\">l</a><object data=\"data:text/html;base64,AA\">\
              <iframe src=x></iframe><frameset></frameset>",
        );
        let labels: Vec<_> = found.iter().map(|(_, l)| *l).collect();
        assert!(found.iter().all(|(r, _)| *r == Rule::ScriptInjection));
        assert_eq!(
            labels,
            [
                "<script> tag",
                "inline event handler (on…=)",
                "javascript: URL",
                "data:text/html URL",
                "<iframe> tag",
                "<frame> tag"
            ]
        );
        let f = &scan("p.svg", b"<svg>\n<script>x</script>")[0];
        assert_eq!(f.offset, Some(6));
        // `on` outside a tag or as a plain word is fine.
        assert!(!has(
            "t.txt",
            b"turn on = off; <b>on</b> <p data-on=1>",
            Rule::ScriptInjection
        ));
    }

    #[test]
    fn type_mismatch_by_magic_bytes() {
        for name in [
            "a.jpg", "a.png", "a.gif", "a.mp4", "a.wav", "a.pdf", "a.zip", "a.webm",
        ] {
            let found = scan(name, b"just some text");
            assert!(
                found
                    .iter()
                    .any(|f| f.rule == Rule::TypeMismatch && f.offset == Some(0)),
                "{name}: {found:?}"
            );
        }
        assert!(has("photo.JPG", b"\x89PNG\r\n\x1a\n", Rule::TypeMismatch));
        assert!(!has("photo.jpeg", b"\xff\xd8\xff\xdb", Rule::TypeMismatch));
    }

    #[test]
    fn executables_by_magic_shebang_and_extension() {
        let mut pe = b"MZ".to_vec();
        pe.resize(128, 0);
        assert!(has("setup.txt", &pe, Rule::Executable));
        // Text that merely starts with "MZ" is not a PE file.
        assert!(!has(
            "notes.txt",
            "MZ ".repeat(40).as_bytes(),
            Rule::Executable
        ));
        assert!(has("a.dat", b"\x7fELF\x02\x01\x01", Rule::Executable));
        assert!(has(
            "a.dat",
            &[0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1],
            Rule::Executable
        ));
        assert!(has("run.txt", b"#!/bin/sh\nrm -rf /\n", Rule::Executable));
        for name in [
            "a.exe", "b.DLL", "c.so", "d.sh", "e.bat", "f.cmd", "g.ps1", "h.msi", "i.dmg", "j.deb",
            "k.rpm",
        ] {
            assert!(has(name, b"x", Rule::Executable), "{name}");
        }
        // An ELF renamed to .jpg is both a mismatch and an executable.
        let found = rules("cat.jpg", b"\x7fELF\x02\x01\x01\0");
        assert!(found.contains(&(Rule::TypeMismatch, "extension says JPEG, content is not")));
        assert!(found.contains(&(Rule::Executable, "ELF executable")));
    }

    #[test]
    fn sensitive_names_and_contents_never_echo_the_secret() {
        for name in [
            ".env",
            ".env.local",
            "id_rsa",
            "id_rsa.pub",
            "server.pem",
            "tls.key",
            "credentials.json",
        ] {
            assert!(has(name, b"x=1", Rule::SensitiveFile), "{name}");
        }
        assert!(!has("environment.txt", b"x=1", Rule::SensitiveFile));
        let secret = "AKIAABCDEFGHIJKLMNOP";
        let ghp = format!("ghp_{}", "a1B2".repeat(9));
        let slack = "xoxb-123456789012-abcdefABCDEF";
        let body = format!(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n\
             aws={secret}\ntoken: {ghp}\nslack {slack}\n"
        );
        let err = check_bytes("notes.txt", body.as_bytes()).expect_err("refused");
        let labels: Vec<_> = err.findings.iter().map(|f| f.label).collect();
        assert_eq!(
            labels,
            [
                "PEM private key block",
                "AWS access key id",
                "GitHub token",
                "Slack token"
            ]
        );
        assert_eq!(err.findings[0].offset, Some(0));
        assert_eq!(err.findings[1].offset, body.find(secret).map(|p| p as u64));
        let message = Error::from(err).to_string();
        assert!(message.contains("notes.txt"), "{message}");
        assert!(
            message.contains("sensitive_file: AWS access key id at byte"),
            "{message}"
        );
        for s in [secret, ghp.as_str(), slack, "MIIE"] {
            assert!(!message.contains(s), "the message leaks {s}: {message}");
        }
        // Public key blocks and short look-alikes are fine.
        assert!(!has(
            "k.txt",
            b"-----BEGIN PUBLIC KEY-----\nAKIA1234\nghp_short",
            Rule::SensitiveFile
        ));
    }

    #[test]
    fn check_file_reads_a_bounded_prefix() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("big.txt");
        let mut data = vec![b'a'; (SCAN_LIMIT + 10) as usize];
        data.extend_from_slice(b"<script>");
        std::fs::write(&path, &data).expect("write");
        assert_eq!(check_file(&path).expect("read"), Ok(()));
        let bad = dir.path().join("x.html");
        std::fs::write(&bad, b"<script>").expect("write");
        let err = check_file(&bad).expect("read").expect_err("refused");
        assert_eq!(err.path, bad);
        assert!(check_file(&dir.path().join("missing")).is_err());
    }
}
