// Heatmaps, colormaps, PNG and GIF output (io/). The written files are decoded with independent
// readers (stb_image for PNG, giflib's DGifSlurp for GIF) and checked pixel by pixel against
// colors worked out from the published colormap definitions.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <gif_lib.h>
#include <stb/stb_image.h>
#include <unistd.h>

#include "core/error.h"
#include "io/colormap.h"
#include "io/font.h"
#include "io/gif.h"
#include "io/heatmap.h"
#include "io/image.h"
#include "tests/test_util.h"

using tn::testing::TempDir;

using namespace tn;

template <>
struct doctest::StringMaker<Rgb> {
    static String convert(const Rgb& c) {
        return ("(" + std::to_string(c.r) + ", " + std::to_string(c.g) + ", " + std::to_string(c.b) + ")").c_str();
    }
};

namespace {

// A PNG decoded by stb_image into RGB bytes.
struct Decoded {
    int width = 0, height = 0;
    std::vector<unsigned char> rgb;
    Rgb at(int x, int y) const {
        const size_t i = (static_cast<size_t>(y) * width + x) * 3;
        return {rgb[i], rgb[i + 1], rgb[i + 2]};
    }
};

Decoded decode_png(const std::string& path) {
    Decoded d;
    int channels = 0;
    unsigned char* pixels = stbi_load(path.c_str(), &d.width, &d.height, &channels, 3);
    REQUIRE_MESSAGE(pixels != nullptr, "stbi_load failed on " << path);
    d.rgb.assign(pixels, pixels + static_cast<size_t>(d.width) * d.height * 3);
    stbi_image_free(pixels);
    return d;
}

// The centre pixel of cell (r, c) of a matrix rect laid out with cell_px.
std::pair<int, int> cell_centre(const Rect& m, int cell_px, int r, int c) {
    return {m.x + c * cell_px + cell_px / 2, m.y + r * cell_px + cell_px / 2};
}

int dark_pixels(const Decoded& d, const Rect& r) {
    int n = 0;
    for (int y = r.y; y < r.y + r.h; ++y)
        for (int x = r.x; x < r.x + r.w; ++x) {
            const Rgb c = d.at(x, y);
            if (c.r + c.g + c.b < 3 * 100) ++n;
        }
    return n;
}

HeatmapPanel panel(std::string label, int rows, int cols, std::vector<float> values) {
    HeatmapPanel p;
    p.label = std::move(label);
    p.rows = rows;
    p.cols = cols;
    p.values = std::move(values);
    return p;
}

}  // namespace

TEST_CASE("heatmap colormap: endpoints and known entries of viridis, hot and jet") {
    const Colormap viridis = Colormap::named("viridis");
    // matplotlib's viridis: #440154 at 0, #21918c in the middle (entry 128), #fde725 at 1.
    CHECK(viridis(0.0f) == Rgb{68, 1, 84});
    CHECK(viridis(0.5f) == Rgb{33, 145, 140});
    CHECK(viridis(1.0f) == Rgb{253, 231, 37});
    CHECK(viridis.entry(64) == Rgb{59, 82, 139});  // #3b528b
    // hot: red starts at 0.0416 (0.0416 * 255 = 10.6 -> 11), ends white.
    const Colormap hot = Colormap::named("hot");
    CHECK(hot(0.0f) == Rgb{11, 0, 0});
    CHECK(hot(1.0f) == Rgb{255, 255, 255});
    // jet: dark blue (0, 0, 0.5) to dark red (0.5, 0, 0); at entry 128 (x = 128/255) red is
    // (x - 0.35) / 0.31 = 0.4902 -> 125, green 1, blue 1 - (x - 0.34) / 0.31 = 0.4775 -> 122.
    const Colormap jet = Colormap::named("jet");
    CHECK(jet(0.0f) == Rgb{0, 0, 128});
    CHECK(jet(1.0f) == Rgb{128, 0, 0});
    CHECK(jet(0.5f) == Rgb{125, 255, 122});

    // The lookup rule: entry floor(t * 256), clamped; NaN is gray; infinities clamp.
    CHECK(viridis(127.9f / 256) == viridis.entry(127));
    CHECK(viridis(128.0f / 256) == viridis.entry(128));
    CHECK(viridis(-3.0f) == viridis.entry(0));
    CHECK(viridis(INFINITY) == viridis.entry(255));
    CHECK(viridis(NAN) == kNanColor);
    CHECK(Colormap::normalize(0.25f, 0.0f, 0.5f) == doctest::Approx(0.5f));
    CHECK(Colormap::normalize(7.0f, 2.0f, 2.0f) == 0.0f);
    CHECK(Colormap::normalize(-INFINITY, 0.0f, 1.0f) == 0.0f);
    CHECK(std::isnan(Colormap::normalize(NAN, 0.0f, 1.0f)));
    CHECK_THROWS_AS(Colormap::named("parula"), ValueError);
}

TEST_CASE("heatmap PNG: size as laid out, cells in the colormap's exact colors") {
    TempDir dir("heatmap_png");
    // Panel 0, 0..1: cell (0,0) = 0, (0,1) = 1, (1,2) = NaN, (2,3) = 0.5.
    std::vector<float> a(12, 0.25f);
    a[0] = 0.0f;
    a[1] = 1.0f;
    a[6] = NAN;
    a[11] = 0.5f;
    // Panel 1, range -2..2: 0 sits in the middle of the map, -5 clamps to the bottom.
    HeatmapPanel b = panel("ground truth", 2, 4, {0, -5, 2, 1, 0, 0, 0, 0});
    b.vmin = -2;
    b.vmax = 2;
    HeatmapStyle style;
    style.title = "Epoch 007 / 20";
    const std::vector<HeatmapPanel> panels = {panel("attention", 3, 4, a), b};
    const HeatmapLayout layout = layout_heatmap(panels, style);
    const std::string path = (dir / "figure.png");
    write_png(render_heatmap(panels, style), path);
    const Decoded png = decode_png(path);

    CHECK(png.width == layout.width);
    CHECK(png.height == layout.height);
    REQUIRE(layout.matrices.size() == 2);
    const Rect& m0 = layout.matrices[0];
    const Rect& m1 = layout.matrices[1];
    CHECK(m0.w == 4 * 20 + 1);
    CHECK(m0.h == 3 * 20 + 1);
    CHECK(m1.h == 2 * 20 + 1);
    CHECK(m1.y > m0.y + m0.h + 30);  // stacked below, with the x axis between
    CHECK(m0.x + m0.w <= layout.colorbars[0].x);
    CHECK(layout.width < 600);       // a 4-column figure stays compact
    CHECK(layout.height < 500);

    auto at = [&](const Rect& m, int r, int c) {
        const auto [x, y] = cell_centre(m, 20, r, c);
        return png.at(x, y);
    };
    CHECK(at(m0, 0, 0) == Rgb{68, 1, 84});
    CHECK(at(m0, 0, 1) == Rgb{253, 231, 37});
    CHECK(at(m0, 1, 2) == kNanColor);
    CHECK(at(m0, 2, 3) == Rgb{33, 145, 140});
    CHECK(at(m1, 0, 0) == Rgb{33, 145, 140});   // 0 in -2..2
    CHECK(at(m1, 0, 1) == Rgb{68, 1, 84});      // -5 clamps to vmin
    CHECK(at(m1, 0, 2) == Rgb{253, 231, 37});   // 2 = vmax
    // Every pixel of a cell's interior has its color; the lines are a white grid and a black frame.
    const Rgb first = Rgb{68, 1, 84};
    for (int y = m0.y + 1; y < m0.y + 20; ++y)
        for (int x = m0.x + 1; x < m0.x + 20; ++x) REQUIRE(png.at(x, y) == first);
    CHECK(png.at(m0.x + 20, m0.y + 10) == kWhite);
    CHECK(png.at(m0.x, m0.y + 10) == kBlack);
    CHECK(png.at(m0.x + m0.w - 1, m0.y + 10) == kBlack);
    // The colorbar runs from vmax (top) to vmin (bottom).
    const Rect& bar = layout.colorbars[0];
    CHECK(png.at(bar.x + bar.w / 2, bar.y + 1) == Rgb{253, 231, 37});
    CHECK(png.at(bar.x + bar.w / 2, bar.y + bar.h - 2) == Rgb{68, 1, 84});
    // A 61-px matrix gets the 100-px minimum bar with ticks 0.0, 0.5, 1.0: marks right of the bar at
    // its bottom, middle (row 99 - round(0.5 * 99) = 49) and top rows, nothing in between.
    CHECK(bar.h == 100);
    const int mark_x = bar.x + bar.w + 1;
    CHECK(png.at(mark_x, bar.y + 99) == kBlack);
    CHECK(png.at(mark_x, bar.y + 49) == kBlack);
    CHECK(png.at(mark_x, bar.y) == kBlack);
    CHECK(png.at(mark_x, bar.y + 25) == kWhite);
    CHECK(png.at(mark_x, bar.y + 75) == kWhite);
    CHECK(dark_pixels(png, {mark_x + 4, bar.y + 40, 30, 20}) > 10);  // the "0.5"

    // Text: the title box has dark pixels, and nothing is cut off at the edges (a white border).
    REQUIRE(layout.title.w > 0);
    CHECK(layout.title.x >= 0);
    CHECK(layout.title.x + layout.title.w <= layout.width);
    CHECK(dark_pixels(png, layout.title) > 40);
    const int border = 6;
    CHECK(dark_pixels(png, {0, 0, png.width, border}) == 0);
    CHECK(dark_pixels(png, {0, png.height - border, png.width, border}) == 0);
    CHECK(dark_pixels(png, {0, 0, border, png.height}) == 0);
    CHECK(dark_pixels(png, {png.width - border, 0, border, png.height}) == 0);
    // Axis text under each matrix ("sequence axis" and the column numbers).
    CHECK(dark_pixels(png, {m0.x, m0.y + m0.h + 2, m0.w, 40}) > 40);
}

TEST_CASE("heatmap labels: column letters and per-row text on the right") {
    TempDir dir("heatmap_labels");
    HeatmapPanel p = panel("letters", 2, 3, {0.1f, 0.9f, 0.2f, 0.3f, 0.4f, 0.5f});
    HeatmapStyle style;
    const int plain_width = layout_heatmap({p}, style).width;
    p.col_labels = {"A", "n", "n"};
    p.row_labels = {"p=0.93", "p=0.07"};
    const HeatmapLayout layout = layout_heatmap({p}, style);
    CHECK(layout.width > plain_width + 30);  // room for "p=0.93"
    write_png(render_heatmap({p}, style), (dir / "labels.png"));
    const Decoded png = decode_png((dir / "labels.png"));
    const Rect& m = layout.matrices[0];
    // Row text sits between the matrix and the colorbar, on the row's band.
    const Rect row0{m.x + m.w + 2, m.y + 1, layout.colorbars[0].x - (m.x + m.w + 2), 19};
    CHECK(dark_pixels(png, row0) > 20);

    p.row_labels = {"only one"};
    CHECK_THROWS_AS(layout_heatmap({p}, style), ShapeError);
    p.row_labels.clear();
    p.col_labels = {"A"};
    CHECK_THROWS_AS(layout_heatmap({p}, style), ShapeError);
}

TEST_CASE("heatmap without a font: the image is still written, with no text") {
    TempDir dir("heatmap_nofont");
    const Font missing = Font::load((dir.path / "no_such_font.ttf").string());  // warns once on stderr
    CHECK_FALSE(missing.loaded());
    HeatmapStyle style;
    style.title = "Epoch 001 / 20";
    style.font = &missing;
    const HeatmapPanel p = panel("attention", 2, 2, {0, 1, 1, 0});
    const HeatmapLayout layout = layout_heatmap({p}, style);
    write_png(render_heatmap({p}, style), (dir / "nofont.png"));
    const Decoded png = decode_png((dir / "nofont.png"));
    CHECK(png.width == layout.width);
    CHECK(dark_pixels(png, layout.title) == 0);
    const auto [x, y] = cell_centre(layout.matrices[0], 20, 0, 1);
    CHECK(png.at(x, y) == Rgb{253, 231, 37});
}

TEST_CASE("heatmap from a tensor, fit_range, and bad input") {
    const Tensor t = Tensor::from_vector({0, 1, 2, 3, 4, 5}, {2, 3});
    HeatmapPanel p = HeatmapPanel::from_tensor("x", t);
    CHECK(p.rows == 2);
    CHECK(p.cols == 3);
    CHECK(p.values[5] == 5.0f);
    CHECK(render_heatmap(t, HeatmapStyle{}).width() > 3 * 20);
    CHECK_THROWS_AS(HeatmapPanel::from_tensor("x", Tensor::zeros({6})), ShapeError);
    CHECK_THROWS_AS(render_heatmap(Tensor::zeros({1, 2, 3}), HeatmapStyle{}), ShapeError);

    HeatmapPanel q = panel("q", 1, 4, {NAN, -3, 5, INFINITY});
    q.fit_range();
    CHECK(q.vmin == -3.0f);
    CHECK(q.vmax == 5.0f);

    HeatmapStyle style;
    CHECK_THROWS_AS(layout_heatmap({}, style), ValueError);
    CHECK_THROWS_AS(layout_heatmap({panel("short", 2, 2, {1, 2, 3})}, style), ShapeError);
    CHECK_THROWS_AS(layout_heatmap({panel("empty", 0, 2, {})}, style), ShapeError);
    HeatmapPanel reversed = panel("r", 1, 1, {0});
    reversed.vmin = 1;
    reversed.vmax = 0;
    CHECK_THROWS_AS(layout_heatmap({reversed}, style), ValueError);
    style.colormap = "rainbow";
    CHECK_THROWS_AS(layout_heatmap({panel("c", 1, 1, {0})}, style), ValueError);
    style.colormap = "viridis";
    style.cell_px = 0;
    CHECK_THROWS_AS(layout_heatmap({panel("c", 1, 1, {0})}, style), ValueError);
}

TEST_CASE("heatmap PNG: a missing directory is a clear error") {
    const std::string path = "/nonexistent_tapenet_dir/sub/figure.png";
    try {
        write_png(Image(4, 4), path);
        FAIL("write_png did not throw");
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        CHECK(what.find(path) != std::string::npos);
        CHECK(what.find("does not exist") != std::string::npos);
    }
    CHECK_THROWS_AS(write_gif({Image(4, 4)}, "/nonexistent_tapenet_dir/a.gif", 10), std::runtime_error);
}

TEST_CASE("heatmap GIF: frames, size, delay, loop and colors survive giflib's decoder") {
    TempDir dir("heatmap_gif");
    HeatmapStyle style;
    style.colormap = "hot";
    std::vector<Image> frames;
    for (int epoch = 0; epoch < 3; ++epoch) {
        style.title = "Epoch " + std::to_string(epoch + 1) + " / 3";
        // Cell (0, epoch) is 1, the rest 0: the bright cell moves one column per frame.
        std::vector<float> v(3 * 5, 0.0f);
        v[static_cast<size_t>(epoch)] = 1.0f;
        frames.push_back(render_heatmap({panel("attention", 3, 5, v)}, style));
    }
    const HeatmapLayout layout = layout_heatmap({panel("attention", 3, 5, std::vector<float>(15))}, style);
    const std::string path = (dir / "anim.gif");
    write_gif(frames, path, 25, "hot");

    int error = 0;
    GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
    REQUIRE(gif != nullptr);
    REQUIRE(DGifSlurp(gif) == GIF_OK);
    CHECK(gif->ImageCount == 3);
    CHECK(gif->SWidth == frames[0].width());
    CHECK(gif->SHeight == frames[0].height());
    GraphicsControlBlock gcb;
    REQUIRE(DGifSavedExtensionToGCB(gif, 2, &gcb) == GIF_OK);
    CHECK(gcb.DelayTime == 25);
    bool loops = false;
    const SavedImage& first = gif->SavedImages[0];
    for (int i = 0; i < first.ExtensionBlockCount; ++i) {
        const ExtensionBlock& e = first.ExtensionBlocks[i];
        if (e.Function == APPLICATION_EXT_FUNC_CODE && e.ByteCount == 11 &&
            std::string(reinterpret_cast<const char*>(e.Bytes), 11) == "NETSCAPE2.0")
            loops = true;
    }
    CHECK(loops);
    // Colors: hot's endpoints are palette entries, so they come back exactly.
    const Rect& m = layout.matrices[0];
    const ColorMapObject* palette = gif->SColorMap;
    REQUIRE(palette != nullptr);
    REQUIRE(palette->ColorCount == 256);
    auto color = [&](int frame, int r, int c) {
        const auto [x, y] = cell_centre(m, 20, r, c);
        const GifByteType index = gif->SavedImages[frame].RasterBits[static_cast<size_t>(y) * gif->SWidth + x];
        const GifColorType g = palette->Colors[index];
        return Rgb{g.Red, g.Green, g.Blue};
    };
    for (int frame = 0; frame < 3; ++frame) {
        CHECK(color(frame, 0, frame) == Rgb{255, 255, 255});
        CHECK(color(frame, 0, (frame + 1) % 5) == Rgb{11, 0, 0});
        CHECK(color(frame, 2, 4) == Rgb{11, 0, 0});
    }
    DGifCloseFile(gif, &error);

    // A frame of another size, or a bad delay, is refused.
    GifWriter writer((dir / "mixed.gif"), 10);
    writer.add_frame(Image(8, 8));
    CHECK_THROWS_AS(writer.add_frame(Image(9, 8)), ValueError);
    writer.finish();
    CHECK(writer.frame_count() == 1);
    CHECK_THROWS_AS(GifWriter((dir / "bad.gif"), -1), ValueError);
    CHECK_THROWS_AS(write_gif({}, (dir / "none.gif"), 10), ValueError);
}

TEST_CASE("heatmap GIF palette: colormap entries plus grays") {
    const std::vector<Rgb> palette = gif_palette(Colormap::named("viridis"));
    REQUIRE(palette.size() == 256);
    CHECK(palette[0] == Rgb{68, 1, 84});
    CHECK(palette[239] == Rgb{253, 231, 37});
    CHECK(palette[240] == kBlack);
    CHECK(palette[255] == kWhite);
    CHECK(palette[249] == Rgb{153, 153, 153});
}
