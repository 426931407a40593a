// tapenet io: attention heatmaps, the figure users look at first.
//
// One image holds one or more panels stacked vertically (e.g. "attention", "ground truth"). Each
// panel is a (rows = samples, cols = time steps) matrix drawn as square cells with thin gridlines,
// column tick numbers (or per-column text), row numbers, optional per-row text on the right, its
// own colorbar with ticks, and axis labels; the image has a title on top.
//
//   tn::HeatmapPanel attn = tn::HeatmapPanel::from_tensor("attention", weights);   // (B, T)
//   tn::HeatmapPanel truth = tn::HeatmapPanel::from_tensor("ground truth", mask);
//   tn::HeatmapStyle style;
//   style.title = "Epoch 007 / 20";
//   tn::write_png(tn::render_heatmap({attn, truth}, style), "out/epoch_007.png");
//
// Values are mapped with the panel's [vmin, vmax] (default 0..1) onto the style's colormap; NaN
// cells are gray (kNanColor). See docs/heatmaps.md, and io/gif.h for animations.
#pragma once

#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/colormap.h"
#include "io/font.h"
#include "io/image.h"

namespace tn {

struct HeatmapPanel {
    std::string label;                    // drawn above the matrix ("" for none)
    std::vector<float> values;            // rows * cols, row-major
    int rows = 0, cols = 0;
    float vmin = 0.0f, vmax = 1.0f;       // the colorbar's range; values outside are clamped
    std::vector<std::string> col_labels;  // empty, or one per column, shown instead of the indices
    std::vector<std::string> row_labels;  // empty, or one per row, written right of the row

    // A copy of a 2-D tensor's values; throws ShapeError for any other rank.
    static HeatmapPanel from_tensor(std::string label, const Tensor& values);
    // Sets vmin/vmax to the smallest and largest finite value (keeps 0..1 if there is none).
    HeatmapPanel& fit_range();
};

struct HeatmapStyle {
    std::string title;                     // "" for none
    std::string colormap = "viridis";      // viridis, hot or jet
    int cell_px = 20;                      // side of one cell in pixels, 4..200
    std::string x_label = "sequence axis";  // under every panel ("" for none)
    std::string y_label = "sample axis";    // left of every panel, rotated ("" for none)
    bool grid = true;                       // white lines between cells (only when cell_px >= 8)
    const Font* font = nullptr;             // nullptr: Font::default_font() (DejaVu Sans)
};

struct Rect {
    int x = 0, y = 0, w = 0, h = 0;
};

// Where everything goes. A matrix rect includes its 1-pixel frame: w = cols * cell_px + 1, and
// cell (r, c) covers x in [x + c*cell_px, x + (c+1)*cell_px], y likewise, its edges being lines.
struct HeatmapLayout {
    int width = 0, height = 0;
    Rect title;                    // the title's text box (empty without a title)
    std::vector<Rect> matrices;    // one per panel
    std::vector<Rect> colorbars;   // one per panel, the color strip without its ticks
};

// Validates the panels (ShapeError: rows/cols/values/labels disagree; ValueError: bad range, cell
// size or colormap) and computes the layout without drawing.
HeatmapLayout layout_heatmap(const std::vector<HeatmapPanel>& panels, const HeatmapStyle& style);

Image render_heatmap(const std::vector<HeatmapPanel>& panels, const HeatmapStyle& style);
// One panel from a 2-D tensor (ShapeError otherwise), range 0..1.
Image render_heatmap(const Tensor& values, const HeatmapStyle& style);

}  // namespace tn
