//! A clip's poster: one still (the middle frame, where the scene has settled) as a PNG at display
//! size, shown before a video loads and in profile grids.

use crate::frame::upscale;
use crate::mp4::{frame_bytes, MediaError, DISPLAY_SCALE};

/// The middle frame of `rgb` (frame-major `size × size` RGB) as a PNG, upscaled by
/// [`DISPLAY_SCALE`], labelled "AI-generated" in its pixels.
pub fn poster_png(rgb: &[u8], size: usize) -> Result<Vec<u8>, MediaError> {
    poster_png_marked(rgb, size, &crate::NoMark)
}

/// [`poster_png`] with the still passed through `mark` (the watermark) before the label.
pub fn poster_png_marked(rgb: &[u8], size: usize, mark: &dyn crate::FrameMark) -> Result<Vec<u8>, MediaError> {
    let per = frame_bytes(rgb, size)?;
    let middle = rgb.len() / per / 2;
    let mut big = upscale(&rgb[middle * per..(middle + 1) * per], size, DISPLAY_SCALE);
    let side = (size * DISPLAY_SCALE) as u32;
    mark.mark(&mut big, side as usize, side as usize, middle as u64);
    crate::label::draw_ai_label(&mut big, side as usize, side as usize);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(|e| MediaError::Image(e.to_string()))?;
    writer
        .write_image_data(&big)
        .map_err(|e| MediaError::Image(e.to_string()))?;
    writer.finish().map_err(|e| MediaError::Image(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_poster_is_the_middle_frame_at_display_size() {
        // Three 4×4 frames: black, red, black; the poster is red.
        let size = 4;
        let mut rgb = vec![0u8; 3 * size * size * 3];
        for px in rgb[size * size * 3..2 * size * size * 3].chunks_exact_mut(3) {
            px[0] = 255;
        }
        let png_bytes = poster_png(&rgb, size).expect("poster");
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().expect("png header");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("png frame");
        assert_eq!((info.width, info.height), (16, 16));
        assert_eq!(&buf[..3], &[255, 0, 0]);
        assert!(matches!(poster_png(&[], 4), Err(MediaError::Empty)));
    }
}
