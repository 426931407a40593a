// tapenet io: animated GIFs of heatmaps (giflib), e.g. one frame per training epoch.
//
//   tn::GifWriter gif("out/attention.gif", /*delay_cs=*/20, "viridis");
//   for (int epoch = 0; epoch < epochs; ++epoch) {
//       ... train ...
//       gif.add_frame(tn::render_heatmap(panels, style));   // every frame the same size
//   }
//   gif.finish();                                           // or tn::write_gif(frames, path, 20)
//
// Frames are streamed to disk as they come, so a long run does not keep them in memory. The GIF
// loops forever and shows each frame for delay_cs hundredths of a second. Its one palette is
// 240 entries of the colormap plus 16 grays (black and white among them), which covers every
// color a heatmap uses; each pixel becomes its nearest palette entry.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "io/colormap.h"
#include "io/image.h"

struct GifFileType;

namespace tn {

// The 256 palette colors: colormap entries round(i * 255 / 239) for i = 0..239, then grays 17*k.
std::vector<Rgb> gif_palette(const Colormap& colormap);

class GifWriter {
public:
    // Opens the file (std::runtime_error naming the path if that fails); delay_cs in 0..65535.
    GifWriter(const std::string& path, int delay_cs, const std::string& colormap = "viridis");
    ~GifWriter();  // finishes the file if finish() was not called, ignoring errors
    GifWriter(const GifWriter&) = delete;
    GifWriter& operator=(const GifWriter&) = delete;

    // The first frame fixes the size; a frame of another size throws ValueError.
    void add_frame(const Image& frame);
    // Writes the trailer and closes the file; throws on an I/O error or when no frame was added.
    void finish();
    int frame_count() const { return frame_count_; }

private:
    uint8_t palette_index(Rgb c);

    std::string path_;
    int delay_cs_;
    std::vector<Rgb> palette_;
    std::unordered_map<uint32_t, uint8_t> nearest_;  // 0xRRGGBB -> palette index, filled as colors appear
    GifFileType* gif_ = nullptr;
    int width_ = 0, height_ = 0, frame_count_ = 0;
};

// All frames at once (they must share one size): opens, adds each, finishes.
void write_gif(const std::vector<Image>& frames, const std::string& path, int delay_cs,
               const std::string& colormap = "viridis");

}  // namespace tn
