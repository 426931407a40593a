// tapenet io: text for figures, rasterized with stb_truetype.
//
//   const tn::Font& font = tn::Font::default_font();          // DejaVu Sans, loaded once
//   tn::TextMask m = font.render("Epoch 007 / 20", 16.0f);     // anti-aliased coverage
//   tn::draw_text(image, m, x, y, tn::kBlack);                 // top-left corner at (x, y)
//
// A missing font file is not an error: the Font is then "empty", render() returns a blank mask
// of a plausible width (so the layout does not change) and a single warning line goes to stderr
// once per process. Figures are still written, only without text.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/image.h"

namespace tn {

inline constexpr const char* kDefaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

// One line of rendered text: coverage 0..255, row-major, `width` x `height`; the baseline is
// `ascent` rows below the top.
struct TextMask {
    int width = 0, height = 0, ascent = 0;
    std::vector<uint8_t> alpha;
};

class Font {
public:
    Font() = default;  // empty: draws nothing
    // Reads a TrueType file; on failure returns an empty Font and warns (once per process).
    static Font load(const std::string& path);
    // DejaVu Sans (package fonts-dejavu-core), loaded on first use and kept for the process.
    static const Font& default_font();

    bool loaded() const { return static_cast<bool>(impl_); }
    // Renders UTF-8 text whose line height (ascent + descent) is `px` pixels.
    TextMask render(std::string_view utf8, float px) const;
    int text_width(std::string_view utf8, float px) const { return render(utf8, px).width; }

private:
    struct Impl;
    std::shared_ptr<const Impl> impl_;
};

// Draws `mask` in `color` with its top-left corner at (x, y), clipped to the image.
// rotate_ccw turns the text 90 degrees counter-clockwise (reading bottom to top, like a y-axis
// label); the drawn box is then mask.height wide and mask.width tall.
void draw_text(Image& image, const TextMask& mask, int x, int y, Rgb color, bool rotate_ccw = false);

}  // namespace tn
