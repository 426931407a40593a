// tapenet io: an RGB canvas and PNG output.
//
//   tn::Image img(200, 100);                       // white, 8-bit RGB, row-major, top-left origin
//   img.fill_rect(10, 10, 20, 20, {68, 1, 84});
//   tn::write_png(img, "out/picture.png");         // throws std::runtime_error naming the path
//
// Used by io/heatmap (the figures) and io/gif (their animation).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tn {

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
    bool operator==(const Rgb&) const = default;
};

inline constexpr Rgb kWhite{255, 255, 255};
inline constexpr Rgb kBlack{0, 0, 0};

class Image {
public:
    Image() = default;
    Image(int width, int height, Rgb fill = kWhite);  // throws ValueError on a negative or huge size

    int width() const { return width_; }
    int height() const { return height_; }
    bool contains(int x, int y) const { return x >= 0 && y >= 0 && x < width_ && y < height_; }

    // Pixel access; get() throws ValueError outside the canvas, the drawing calls below clip silently.
    Rgb get(int x, int y) const;
    void set(int x, int y, Rgb c);
    // Mixes `c` over the pixel with opacity alpha in [0, 1] (used for anti-aliased text).
    void blend(int x, int y, Rgb c, float alpha);
    void fill_rect(int x, int y, int w, int h, Rgb c);
    // A 1-pixel rectangle outline whose outer edge is (x, y, w, h).
    void outline_rect(int x, int y, int w, int h, Rgb c);

    // Interleaved R, G, B bytes, width*height*3 of them.
    const std::vector<uint8_t>& bytes() const { return rgb_; }

private:
    int width_ = 0, height_ = 0;
    std::vector<uint8_t> rgb_;
};

// Writes an 8-bit RGB PNG (via stb_image_write). Throws std::runtime_error naming the path when the
// directory does not exist or the file cannot be written, ValueError on an empty image.
void write_png(const Image& image, const std::string& path);

// Throws std::runtime_error("<op>: cannot write '<path>': directory '<dir>' does not exist") when
// the file's directory is missing (shared by the PNG and GIF writers).
void check_output_directory(const std::string& op, const std::string& path);

}  // namespace tn
