//! Terminal manners: the upload's progress bar renders under a pseudo-terminal, and not
//! when stderr is a pipe or NO_COLOR is set.

mod support;

use std::io::{Read, Write};
use std::time::Duration;

use support::Env;

/// Runs `synapse` with stdin, stdout and stderr on a new pseudo-terminal, typing each
/// answer once its prompt has appeared; returns what the terminal showed and the exit code.
async fn run_on_pty(
    env: &Env,
    args: &[&str],
    extra_env: &[(&str, &str)],
    answers: &[(&str, &str)],
) -> (String, i32) {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("openpt");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let name = ptsname(&master, Vec::new()).expect("ptsname");
    let size = rustix::termios::Winsize {
        ws_row: 40,
        ws_col: 120,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    rustix::termios::tcsetwinsize(&master, size).expect("winsize");
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().expect("pty name"))
        .expect("open slave");
    let mut cmd = env.command();
    cmd.args(args)
        .envs(extra_env.iter().copied())
        .stdin(slave.try_clone().expect("dup"))
        .stdout(slave.try_clone().expect("dup"))
        .stderr(slave);
    let mut child = cmd.spawn().expect("spawn");
    drop(cmd); // the parent's copies of the terminal's other end
    let mut master = std::fs::File::from(master);
    let mut typist = master.try_clone().expect("dup master");
    let answers: Vec<(String, String)> = answers
        .iter()
        .map(|(p, a)| ((*p).to_owned(), format!("{a}\n")))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        let mut pending = answers.into_iter().peekable();
        // Reading ends with EIO once the child has exited and closed the terminal.
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            let shown = String::from_utf8_lossy(&seen).into_owned();
            if let Some((prompt, answer)) = pending.next_if(|(p, _)| shown.contains(p.as_str())) {
                if prompt.contains("(not shown)") {
                    wait_for_echo_off(&typist);
                }
                typist.write_all(answer.as_bytes()).expect("type");
            }
        }
        let status = child.wait().expect("wait");
        (
            String::from_utf8_lossy(&seen).into_owned(),
            status.code().expect("code"),
        )
    })
    .await
    .expect("join")
}

/// Waits (up to 10 s) until the program has turned the terminal's echo off, as a person
/// typing a secret would find it.
fn wait_for_echo_off(terminal: &std::fs::File) {
    use rustix::termios::{LocalModes, tcgetattr};
    let start = std::time::Instant::now();
    while tcgetattr(terminal)
        .expect("tcgetattr")
        .local_modes
        .contains(LocalModes::ECHO)
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "echo was never turned off"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn slow_file(env: &Env, dir: &std::path::Path) -> String {
    env.slow_chunk_puts(200);
    let path = dir.join("data.bin");
    std::fs::write(&path, vec![7u8; 3 * 1024 * 1024]).expect("write");
    path.to_str().expect("path").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_progress_bar_renders_on_a_terminal_only() {
    let env = Env::start().await;
    env.write_python_config();
    let dir = tempfile::tempdir().expect("dir");
    let file = slow_file(&env, dir.path());

    let (screen, code) = run_on_pty(&env, &["upload", &file, "--chunk-mib", "1"], &[], &[]).await;
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("uploading ["),
        "no progress bar on the terminal: {screen:?}"
    );
    assert!(screen.contains("MiB"), "the bar counts bytes: {screen:?}");
    assert!(screen.contains("Uploaded"), "{screen:?}");

    // The same upload with stderr on a pipe: no bar, no escape sequences.
    let output = env.run(&["upload", &file, "--chunk-mib", "1"]).await;
    assert_eq!(output.status.code(), Some(0));
    let err = support::stderr(&output);
    assert!(!err.contains("uploading"), "{err:?}");
    assert!(
        !support::stdout(&output).contains('\u{1b}'),
        "colour on a pipe"
    );

    // On a terminal with NO_COLOR: no bar either.
    let (screen, code) = run_on_pty(
        &env,
        &["upload", &file, "--chunk-mib", "1"],
        &[("NO_COLOR", "1")],
        &[],
    )
    .await;
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("uploading ["), "{screen:?}");
    assert!(!screen.contains('\u{1b}'), "{screen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_on_a_terminal_asks_for_the_host_and_reads_the_token_without_echo() {
    let env = Env::start().await;
    let host = env.fake.url();
    let token = env.fake.access_token().to_owned();
    let (screen, code) = run_on_pty(
        &env,
        &["login", "--verify"],
        &[],
        &[
            ("Synapse API host", host.as_str()),
            ("Access token (not shown): ", token.as_str()),
        ],
    )
    .await;
    assert_eq!(code, 0, "{screen:?}");
    assert!(
        screen.contains(&host),
        "the host is echoed as typed: {screen:?}"
    );
    assert!(!screen.contains(&token), "the token was echoed: {screen:?}");
    assert!(screen.contains("Logged in."), "{screen:?}");
    let config = env.read_config();
    assert_eq!(config["host"], host.as_str());
    assert_eq!(config["access_token"], token.as_str());
}
