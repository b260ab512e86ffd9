//! The watermark hook: every frame that leaves the server (the live stream, and later finished
//! clips) passes through one [`FrameMark`] just before it is encoded. Until the provenance work
//! lands, the hook is [`NoMark`], which leaves frames as they are.

/// Marks one RGB frame in place before it is encoded.
pub trait FrameMark: Send + Sync + std::fmt::Debug {
    /// `rgb` is `width × height × 3`; `index` counts the stream's frames from 0.
    fn mark(&self, rgb: &mut [u8], width: usize, height: usize, index: u64);
}

/// The identity hook.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoMark;

impl FrameMark for NoMark {
    fn mark(&self, _rgb: &mut [u8], _width: usize, _height: usize, _index: u64) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_mark_leaves_frames_alone() {
        let mut frame = vec![7u8; 4 * 4 * 3];
        NoMark.mark(&mut frame, 4, 4, 0);
        assert!(frame.iter().all(|&v| v == 7));
    }
}
