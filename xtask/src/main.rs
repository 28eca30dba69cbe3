//! Project automation (`cargo xtask <command>`). The `schemas` command arrives with the
//! JSON Schema issue.

fn main() {
    let command = std::env::args().nth(1).unwrap_or_default();
    eprintln!("xtask: unknown command {command:?} (no commands yet)");
    std::process::exit(2);
}
