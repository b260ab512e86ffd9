//! Errors of the engine.

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("model weights not found at {0}")]
    WeightsNotFound(String),
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("png: {0}")]
    Png(#[from] png::EncodingError),
    #[error("bad checkpoint metadata: {0}")]
    Meta(#[from] serde_json::Error),
}
