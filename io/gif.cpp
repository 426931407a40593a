// tapenet io: animated GIF output through giflib (the reference GIF library Debian packages;
// stb has no GIF writer).
#include "io/gif.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

#include <gif_lib.h>

#include "core/error.h"

namespace tn {

namespace {

constexpr int kColormapEntries = 240;
constexpr int kGrayEntries = 16;
constexpr int kWhiteIndex = kColormapEntries + kGrayEntries - 1;  // the last gray, 255

uint32_t key(Rgb c) { return (uint32_t{c.r} << 16) | (uint32_t{c.g} << 8) | c.b; }

[[noreturn]] void gif_failure(const std::string& path, const std::string& what, int error_code) {
    const char* reason = GifErrorString(error_code);
    throw std::runtime_error("write_gif: " + what + " '" + path + "'" + (reason ? std::string(": ") + reason : ""));
}

}  // namespace

std::vector<Rgb> gif_palette(const Colormap& colormap) {
    std::vector<Rgb> palette;
    for (int i = 0; i < kColormapEntries; ++i) palette.push_back(colormap.entry((i * 255 + 119) / 239));
    for (int k = 0; k < kGrayEntries; ++k) {
        const auto v = static_cast<uint8_t>(17 * k);
        palette.push_back({v, v, v});
    }
    return palette;
}

GifWriter::GifWriter(const std::string& path, int delay_cs, const std::string& colormap)
    : path_(path), delay_cs_(delay_cs), palette_(gif_palette(Colormap::named(colormap))) {
    if (delay_cs < 0 || delay_cs > 65535) value_error("write_gif", "delay_cs must be in 0..65535, got " + std::to_string(delay_cs));
    // Exact palette colors map to themselves (for duplicates, the first entry wins).
    for (size_t i = palette_.size(); i-- > 0;) nearest_[key(palette_[i])] = static_cast<uint8_t>(i);
    check_output_directory("write_gif", path);
    // Opened here rather than by EGifOpenFileName, which would create the file with mode 0600.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) throw std::runtime_error("write_gif: cannot write '" + path + "': " + std::strerror(errno));
    int error = 0;
    gif_ = EGifOpenFileHandle(fd, &error);  // owns fd from here on
    if (!gif_) {
        ::close(fd);
        gif_failure(path, "cannot write", error);
    }
}

GifWriter::~GifWriter() {
    if (!gif_) return;
    int error = 0;
    EGifCloseFile(gif_, &error);  // frees gif_ even when it fails
    if (frame_count_ == 0) std::remove(path_.c_str());
}

uint8_t GifWriter::palette_index(Rgb c) {
    const auto found = nearest_.find(key(c));
    if (found != nearest_.end()) return found->second;
    int best = 0, best_d = 1 << 30;
    for (size_t i = 0; i < palette_.size(); ++i) {
        const int dr = c.r - palette_[i].r, dg = c.g - palette_[i].g, db = c.b - palette_[i].b;
        const int d = dr * dr + dg * dg + db * db;
        if (d < best_d) {
            best_d = d;
            best = static_cast<int>(i);
        }
    }
    return nearest_[key(c)] = static_cast<uint8_t>(best);
}

void GifWriter::add_frame(const Image& frame) {
    if (!gif_) value_error("write_gif", "'" + path_ + "' is already finished");
    if (frame.width() == 0 || frame.height() == 0 || frame.width() > 65535 || frame.height() > 65535)
        value_error("write_gif", "frame size " + std::to_string(frame.width()) + "x" + std::to_string(frame.height()) +
                                     " is not drawable as a GIF (1..65535 per side)");
    if (frame_count_ == 0) {
        width_ = frame.width();
        height_ = frame.height();
        std::vector<GifColorType> colors;
        for (const Rgb& c : palette_) colors.push_back({c.r, c.g, c.b});
        ColorMapObject* map = GifMakeMapObject(static_cast<int>(colors.size()), colors.data());
        if (!map) throw std::runtime_error("write_gif: out of memory for the palette of '" + path_ + "'");
        EGifSetGifVersion(gif_, true);  // GIF89a: needed for the delay and loop extensions
        const int ok = EGifPutScreenDesc(gif_, width_, height_, 8, kWhiteIndex, map);  // copies the map
        GifFreeMapObject(map);
        if (ok == GIF_ERROR) gif_failure(path_, "cannot write", gif_->Error);
        // The NETSCAPE2.0 application extension: loop count 0 = forever.
        const unsigned char loop[3] = {1, 0, 0};
        if (EGifPutExtensionLeader(gif_, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
            EGifPutExtensionBlock(gif_, 11, "NETSCAPE2.0") == GIF_ERROR || EGifPutExtensionBlock(gif_, 3, loop) == GIF_ERROR ||
            EGifPutExtensionTrailer(gif_) == GIF_ERROR)
            gif_failure(path_, "cannot write", gif_->Error);
    } else if (frame.width() != width_ || frame.height() != height_) {
        value_error("write_gif", "frame " + std::to_string(frame_count_) + " of '" + path_ + "' is " +
                                     std::to_string(frame.width()) + "x" + std::to_string(frame.height()) +
                                     ", the first was " + std::to_string(width_) + "x" + std::to_string(height_));
    }

    GraphicsControlBlock gcb{DISPOSE_DO_NOT, false, delay_cs_, NO_TRANSPARENT_COLOR};
    GifByteType gcb_bytes[4];
    EGifGCBToExtension(&gcb, gcb_bytes);
    if (EGifPutExtension(gif_, GRAPHICS_EXT_FUNC_CODE, 4, gcb_bytes) == GIF_ERROR ||
        EGifPutImageDesc(gif_, 0, 0, width_, height_, false, nullptr) == GIF_ERROR)
        gif_failure(path_, "cannot write", gif_->Error);
    std::vector<GifPixelType> line(static_cast<size_t>(width_));
    const std::vector<uint8_t>& rgb = frame.bytes();
    for (int y = 0; y < height_; ++y) {
        for (int x = 0; x < width_; ++x) {
            const size_t i = (static_cast<size_t>(y) * width_ + x) * 3;
            line[static_cast<size_t>(x)] = palette_index({rgb[i], rgb[i + 1], rgb[i + 2]});
        }
        if (EGifPutLine(gif_, line.data(), width_) == GIF_ERROR) gif_failure(path_, "cannot write", gif_->Error);
    }
    ++frame_count_;
}

void GifWriter::finish() {
    if (!gif_) return;
    const bool empty = frame_count_ == 0;
    int error = 0;
    const int ok = EGifCloseFile(gif_, &error);
    gif_ = nullptr;
    if (empty) {
        std::remove(path_.c_str());  // a GIF without a frame is not a valid file
        value_error("write_gif", "no frames were added to '" + path_ + "'");
    }
    if (ok == GIF_ERROR) gif_failure(path_, "cannot finish", error);
}

void write_gif(const std::vector<Image>& frames, const std::string& path, int delay_cs, const std::string& colormap) {
    if (frames.empty()) value_error("write_gif", "no frames for '" + path + "'");
    GifWriter writer(path, delay_cs, colormap);
    for (const Image& frame : frames) writer.add_frame(frame);
    writer.finish();
}

}  // namespace tn
