//! `reelroom` binary: with no subcommand it reads configuration from the environment and
//! serves; `generate`, `train` and `eval` run the video model (see `commands`);
//! `avatar-fixture` writes a test selfie video for browser tests.

mod avatar_fixture;
mod commands;

use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    // dlib's BLAS (OpenBLAS) would start a thread per core for each avatar extraction and
    // compete with the generation workers; one is enough for 128-D embeddings. Set before any
    // thread exists.
    if std::env::var_os("OPENBLAS_NUM_THREADS").is_none() {
        std::env::set_var("OPENBLAS_NUM_THREADS", "1");
    }
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| {
            EnvFilter::new("info,actix_server=warn,rtc=warn,rtc_ice=error,rtc_dtls=error,webrtc=warn")
        }))
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") => return commands::generate(&args[2..]),
        Some("train") => return commands::train(&args[2..]),
        Some("eval") => return commands::eval(&args[2..]),
        Some("avatar-fixture") => return avatar_fixture::run(&args[2..]),
        Some(other) if !other.starts_with('-') => {
            anyhow::bail!("unknown subcommand {other:?} (generate, train, eval, avatar-fixture)")
        }
        _ => {}
    }
    let config = reelroom::config::Config::from_env().map_err(anyhow::Error::msg)?;
    actix_web::rt::System::new().block_on(reelroom::server::run(config))
}
