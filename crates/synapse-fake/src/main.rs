//! `synapse-fake`: runs the embedded fake Synapse backend and agent until interrupted.

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let fake = synapse_fake::FakeServer::start().await?;
    println!("synapse-fake listening");
    println!(
        "  backend: {}  (Synapse-Access-Token: Token {})",
        fake.url(),
        fake.access_token()
    );
    println!(
        "  agent:   {}  (Authorization: {})",
        fake.agent_url(),
        fake.agent_token()
    );
    println!("press Ctrl-C to stop");
    std::future::pending::<()>().await;
    Ok(())
}
