// tapenet io: TrueType text with stb_truetype (implementation linked from Debian's libstb).
#include "io/font.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>

#include <stb/stb_truetype.h>

namespace tn {

struct Font::Impl {
    std::vector<unsigned char> bytes;  // stbtt_fontinfo points into these
    stbtt_fontinfo info{};
};

namespace {

void warn_missing_font_once(const std::string& path) {
    static std::once_flag warned;
    std::call_once(warned, [&] {
        std::cerr << "tapenet: warning: cannot load font '" << path
                  << "' (install fonts-dejavu-core); figures are drawn without text\n";
    });
}

// Decodes UTF-8 into code points; a malformed byte becomes U+FFFD and decoding goes on.
std::vector<int> decode_utf8(std::string_view s) {
    std::vector<int> out;
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        int cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
        bool ok = len > 0 && i + static_cast<size_t>(len) <= s.size();
        for (int k = 1; ok && k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
            ok = (c >> 6) == 0x2;
            cp = (cp << 6) | (c & 0x3F);
        }
        out.push_back(ok ? cp : 0xFFFD);
        i += ok ? static_cast<size_t>(len) : 1;
    }
    return out;
}

}  // namespace

Font Font::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    auto impl = std::make_shared<Impl>();
    if (in) impl->bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    const int offset = impl->bytes.empty() ? -1 : stbtt_GetFontOffsetForIndex(impl->bytes.data(), 0);
    if (offset < 0 || !stbtt_InitFont(&impl->info, impl->bytes.data(), offset)) {
        warn_missing_font_once(path);
        return Font();
    }
    Font font;
    font.impl_ = std::move(impl);
    return font;
}

const Font& Font::default_font() {
    static const Font font = load(kDefaultFontPath);
    return font;
}

TextMask Font::render(std::string_view utf8, float px) const {
    const std::vector<int> codepoints = decode_utf8(utf8);
    TextMask mask;
    if (!impl_) {  // no font: an empty box of about the size the text would have
        mask.height = static_cast<int>(std::ceil(px));
        mask.ascent = static_cast<int>(std::lround(px * 0.76f));
        mask.width = static_cast<int>(std::ceil(0.6f * px * static_cast<float>(codepoints.size())));
        mask.alpha.assign(static_cast<size_t>(mask.width) * static_cast<size_t>(mask.height), 0);
        return mask;
    }
    const stbtt_fontinfo* info = &impl_->info;
    const float scale = stbtt_ScaleForPixelHeight(info, px);
    int ascent = 0, descent = 0, line_gap = 0;
    stbtt_GetFontVMetrics(info, &ascent, &descent, &line_gap);
    mask.ascent = static_cast<int>(std::ceil(ascent * scale));
    mask.height = mask.ascent + static_cast<int>(std::ceil(-descent * scale));

    // Pen positions first (advance widths + kerning, in unscaled font units), then the pixels.
    std::vector<int> glyphs;
    std::vector<float> pen_x;
    float pen = 0.0f;
    for (size_t i = 0; i < codepoints.size(); ++i) {
        const int glyph = stbtt_FindGlyphIndex(info, codepoints[i]);
        if (i > 0) pen += scale * static_cast<float>(stbtt_GetGlyphKernAdvance(info, glyphs.back(), glyph));
        int advance = 0, left_bearing = 0;
        stbtt_GetGlyphHMetrics(info, glyph, &advance, &left_bearing);
        glyphs.push_back(glyph);
        pen_x.push_back(pen);
        pen += scale * static_cast<float>(advance);
    }
    mask.width = static_cast<int>(std::ceil(pen)) + 1;
    mask.alpha.assign(static_cast<size_t>(mask.width) * static_cast<size_t>(mask.height), 0);

    std::vector<unsigned char> glyph_pixels;
    for (size_t i = 0; i < glyphs.size(); ++i) {
        const float origin = std::floor(pen_x[i]);
        const float shift = pen_x[i] - origin;  // sub-pixel position of this glyph
        int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        stbtt_GetGlyphBitmapBoxSubpixel(info, glyphs[i], scale, scale, shift, 0.0f, &x0, &y0, &x1, &y1);
        const int w = x1 - x0, h = y1 - y0;
        if (w <= 0 || h <= 0) continue;  // a space
        glyph_pixels.assign(static_cast<size_t>(w) * static_cast<size_t>(h), 0);
        stbtt_MakeGlyphBitmapSubpixel(info, glyph_pixels.data(), w, h, w, scale, scale, shift, 0.0f, glyphs[i]);
        for (int gy = 0; gy < h; ++gy) {
            const int my = mask.ascent + y0 + gy;
            if (my < 0 || my >= mask.height) continue;
            for (int gx = 0; gx < w; ++gx) {
                const int mx = static_cast<int>(origin) + x0 + gx;
                if (mx < 0 || mx >= mask.width) continue;
                uint8_t& dst = mask.alpha[static_cast<size_t>(my) * mask.width + mx];
                dst = static_cast<uint8_t>(std::min(255, dst + glyph_pixels[static_cast<size_t>(gy) * w + gx]));
            }
        }
    }
    return mask;
}

void draw_text(Image& image, const TextMask& mask, int x, int y, Rgb color, bool rotate_ccw) {
    for (int my = 0; my < mask.height; ++my) {
        for (int mx = 0; mx < mask.width; ++mx) {
            const uint8_t a = mask.alpha[static_cast<size_t>(my) * mask.width + mx];
            if (a == 0) continue;
            // Counter-clockwise: the mask's left edge ends up at the bottom, its top at the left.
            const int px = rotate_ccw ? x + my : x + mx;
            const int py = rotate_ccw ? y + (mask.width - 1 - mx) : y + my;
            image.blend(px, py, color, static_cast<float>(a) / 255.0f);
        }
    }
}

}  // namespace tn
