//! `reelroom` binary: reads configuration from the environment and serves.

use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn")))
        .with_writer(std::io::stderr)
        .init();
    let config = reelroom::config::Config::from_env().map_err(anyhow::Error::msg)?;
    actix_web::rt::System::new().block_on(reelroom::server::run(config))
}
