//! `synapse login`: saves a host and an access token to the config file.

use std::io::{BufRead, IsTerminal, Write};

use crate::cli::LoginArgs;
use crate::config::{ConfigFile, DEFAULT_HOST};
use crate::context::{Ctx, Globals};
use crate::exit::CliError;
use crate::output::Out;

/// Runs `synapse login`.
pub async fn run(globals: &Globals, args: LoginArgs) -> Result<(), CliError> {
    let out = Out::detect(globals.json);
    let path = match &globals.config {
        Some(path) => path.clone(),
        None => ConfigFile::default_path()?,
    };
    let interactive = std::io::stdin().is_terminal() && !args.token_stdin;
    let mut file = match ConfigFile::load(&path) {
        Ok(file) => file,
        Err(error @ CliError::Config { .. }) if path.exists() => {
            // Never written over without asking: on a terminal, ask (keeping a backup);
            // otherwise stop with the error naming the file and key.
            if !interactive || !confirm(&format!("{error}\nReplace it (a copy is kept as .bak)?"))?
            {
                return Err(error);
            }
            let (file, backup) = ConfigFile::replace_broken(&path)?;
            eprintln!("kept the old file as {}", backup.display());
            file
        }
        Err(error) => return Err(error),
    };

    let host = match globals.host.clone().filter(|h| !h.is_empty()) {
        Some(host) => host,
        None if interactive => {
            let current = file.get("host").unwrap_or(DEFAULT_HOST).to_owned();
            let answer = ask(&format!("Synapse API host [{current}]: "))?;
            if answer.is_empty() { current } else { answer }
        }
        None => std::env::var("SYNAPSE_HOST")
            .ok()
            .filter(|h| !h.is_empty())
            .or_else(|| file.get("host").map(str::to_owned))
            .unwrap_or_else(|| DEFAULT_HOST.to_owned()),
    };
    synapse_backend::BackendClient::builder(host.clone())
        .without_env()
        .build()
        .map_err(|e| CliError::usage(format!("--host: {e}")))?;

    let token = if args.token_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::usage(format!("cannot read the token from stdin: {e}")))?;
        line.trim().to_owned()
    } else if let Some(token) = globals.token.clone() {
        token
    } else if interactive {
        // Read from stdin (a terminal here) with echo off; the prompt goes to stderr.
        let hidden = rpassword::ConfigBuilder::new()
            .input_file_path("/dev/stdin")
            .output_writer(std::io::stderr())
            .password_feedback_hide()
            .build();
        rpassword::prompt_password_with_config("Access token (not shown): ", hidden)
            .map_err(|e| CliError::usage(format!("cannot read the token: {e}")))?
            .trim()
            .to_owned()
    } else {
        return Err(CliError::usage(
            "no token: pass --token-stdin and write it to stdin, or run on a terminal to be asked",
        ));
    };
    if token.is_empty() {
        return Err(CliError::usage("the token is empty"));
    }

    if args.verify {
        let mut check = globals.clone();
        check.host = Some(host.clone());
        check.token = Some(token.clone());
        let ctx = Ctx::resolve(&check, file.clone());
        ctx.backend()?.list_agents().await?;
    }

    file.set("host", host.clone());
    file.set("access_token", token);
    file.save()?;
    if out.is_json() {
        out.json(&serde_json::json!({
            "logged_in": true,
            "host": host,
            "config": file.path(),
        }));
    } else {
        out.line(out.good("Logged in."));
        out.line(out.dim(&format!("Saved to {}", file.path().display())));
    }
    Ok(())
}

/// Asks a question on stderr and reads one line of answer from stdin.
pub fn ask(question: &str) -> Result<String, CliError> {
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "{question}");
    let _ = stderr.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format!("cannot read the answer: {e}")))?;
    Ok(line.trim().to_owned())
}

/// Asks a yes/no question on the terminal; no is the default.
pub fn confirm(question: &str) -> Result<bool, CliError> {
    let answer = ask(&format!("{question} [y/N] "))?;
    Ok(matches!(answer.as_str(), "y" | "Y" | "yes" | "Yes"))
}
