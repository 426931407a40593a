// tapenet io: the RGB canvas and PNG writing (stb_image_write, linked from Debian's libstb).
#include "io/image.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <stb/stb_image_write.h>

#include "core/error.h"

namespace tn {

namespace {
constexpr int64_t kMaxPixels = int64_t{1} << 28;  // 256 Mpixel: far beyond any figure, catches garbage sizes
}

Image::Image(int width, int height, Rgb fill) : width_(width), height_(height) {
    if (width < 0 || height < 0 || int64_t{width} * height > kMaxPixels)
        value_error("Image", "bad size " + std::to_string(width) + "x" + std::to_string(height));
    rgb_.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
    for (size_t i = 0; i < rgb_.size(); i += 3) {
        rgb_[i] = fill.r;
        rgb_[i + 1] = fill.g;
        rgb_[i + 2] = fill.b;
    }
}

Rgb Image::get(int x, int y) const {
    if (!contains(x, y))
        value_error("Image::get", "pixel (" + std::to_string(x) + ", " + std::to_string(y) + ") outside " +
                                      std::to_string(width_) + "x" + std::to_string(height_));
    const size_t i = (static_cast<size_t>(y) * width_ + x) * 3;
    return {rgb_[i], rgb_[i + 1], rgb_[i + 2]};
}

void Image::set(int x, int y, Rgb c) {
    if (!contains(x, y)) return;
    const size_t i = (static_cast<size_t>(y) * width_ + x) * 3;
    rgb_[i] = c.r;
    rgb_[i + 1] = c.g;
    rgb_[i + 2] = c.b;
}

void Image::blend(int x, int y, Rgb c, float alpha) {
    if (!contains(x, y) || !(alpha > 0.0f)) return;
    alpha = std::min(alpha, 1.0f);
    const size_t i = (static_cast<size_t>(y) * width_ + x) * 3;
    const uint8_t src[3] = {c.r, c.g, c.b};
    for (int k = 0; k < 3; ++k)
        rgb_[i + k] = static_cast<uint8_t>(std::lround(rgb_[i + k] + alpha * (src[k] - rgb_[i + k])));
}

void Image::fill_rect(int x, int y, int w, int h, Rgb c) {
    const int x0 = std::max(x, 0), y0 = std::max(y, 0);
    const int x1 = std::min(x + w, width_), y1 = std::min(y + h, height_);
    for (int yy = y0; yy < y1; ++yy)
        for (int xx = x0; xx < x1; ++xx) set(xx, yy, c);
}

void Image::outline_rect(int x, int y, int w, int h, Rgb c) {
    if (w <= 0 || h <= 0) return;
    fill_rect(x, y, w, 1, c);
    fill_rect(x, y + h - 1, w, 1, c);
    fill_rect(x, y, 1, h, c);
    fill_rect(x + w - 1, y, 1, h, c);
}

void check_output_directory(const std::string& op, const std::string& path) {
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
        throw std::runtime_error(op + ": cannot write '" + path + "': directory '" + dir.string() +
                                 "' does not exist");
}

void write_png(const Image& image, const std::string& path) {
    if (image.width() == 0 || image.height() == 0) value_error("write_png", "empty image for " + path);
    check_output_directory("write_png", path);
    const int ok = stbi_write_png(path.c_str(), image.width(), image.height(), 3, image.bytes().data(),
                                  image.width() * 3);
    if (!ok) throw std::runtime_error("write_png: cannot write '" + path + "'");
}

}  // namespace tn
