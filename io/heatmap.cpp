// tapenet io: the heatmap figure. Layout first (plan), then drawing from the plan, so that
// layout_heatmap() and render_heatmap() cannot disagree.
#include "io/heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace tn {

namespace {

// Text line heights (ascent + descent) in pixels: about matplotlib's 12 / 10 pt at 100 dpi.
constexpr float kTitlePx = 22.0f, kLabelPx = 17.0f, kTickPx = 15.0f;
constexpr int kMargin = 14;        // around the whole figure
constexpr int kTickLen = 4;        // tick marks outside the matrix and the colorbar
constexpr int kTickGap = 3;        // between a tick mark and its number
constexpr int kPanelGap = 24;      // between stacked panels
constexpr int kColorbarGap = 24;   // between a matrix (or its row labels) and its colorbar
constexpr int kColorbarWidth = 16;
constexpr int kColorbarMinHeight = 100;
constexpr Rgb kInk = kBlack;       // text, frames and ticks
constexpr Rgb kGridColor = kWhite;

// A piece of text placed on the figure; `rotated` means read bottom-to-top (see draw_text).
struct PlacedText {
    TextMask mask;
    int x = 0, y = 0;
    bool rotated = false;
};

struct PanelPlan {
    Rect matrix, colorbar;
    std::vector<int> col_ticks, row_ticks;  // indices that get a tick mark
    std::vector<double> bar_ticks;          // colorbar values that get a tick mark
};

struct Plan {
    HeatmapLayout layout;
    std::vector<PanelPlan> panels;
    std::vector<PlacedText> texts;
};

std::string format_number(double v, int decimals) {
    char buf[64];
    if (std::abs(v) >= 1e6 || decimals > 6) std::snprintf(buf, sizeof buf, "%g", v + 0.0);
    else std::snprintf(buf, sizeof buf, "%.*f", decimals, v + 0.0);  // + 0.0 turns -0 into 0
    return buf;
}

// "Nice" colorbar ticks: multiples of 1, 2, 2.5 or 5 x 10^k inside [lo, hi], at most max_count of
// them, with the number of decimals the step needs. A zero-width range gets the one value.
std::pair<std::vector<double>, int> nice_ticks(double lo, double hi, int max_count) {
    const double range = hi - lo;
    if (!(range > 0)) return {{lo}, std::abs(lo) >= 1 || lo == 0 ? 1 : 3};
    const double raw = range / std::max(1, max_count - 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * magnitude;
    for (double m : {1.0, 2.0, 2.5, 5.0}) {
        if (m * magnitude >= raw * (1 - 1e-6)) {  // tolerances: the range comes from floats
            step = m * magnitude;
            break;
        }
    }
    int decimals = 0;
    while (decimals < 8) {
        const double scaled = step * std::pow(10.0, decimals);
        if (std::abs(scaled - std::round(scaled)) < 1e-6 * scaled) break;
        ++decimals;
    }
    std::vector<double> ticks;
    for (double k = std::ceil(lo / step - 1e-6); k * step <= hi + 1e-6 * step; k += 1) ticks.push_back(k * step);
    if (ticks.size() < 2) {  // a narrow range between two multiples: label its ends instead
        ticks = {lo, hi};
        while (decimals < 6 && format_number(lo, decimals) == format_number(hi, decimals)) ++decimals;
    }
    return {ticks, decimals};
}

// Which of n indices get a number: every k-th with k in 1, 2, 5, 10, 20, 50, ... the smallest
// such that a number needs at most k cells.
std::vector<int> index_ticks(int n, int cell_px, int needed_px) {
    int step = 1;
    for (int decade = 1; step * cell_px < needed_px; decade *= 10) {
        for (int m : {1, 2, 5}) {
            step = m * decade;
            if (step * cell_px >= needed_px) break;
        }
    }
    std::vector<int> ticks;
    for (int i = 0; i < n; i += step) ticks.push_back(i);
    return ticks;
}

void validate(const std::vector<HeatmapPanel>& panels, const HeatmapStyle& style) {
    const std::string op = "render_heatmap";
    if (panels.empty()) value_error(op, "no panels to draw");
    if (style.cell_px < 4 || style.cell_px > 200)
        value_error(op, "cell_px must be in 4..200, got " + std::to_string(style.cell_px));
    Colormap::named(style.colormap);  // throws for an unknown name
    for (size_t i = 0; i < panels.size(); ++i) {
        const HeatmapPanel& p = panels[i];
        const std::string who = op + ": panel " + std::to_string(i) + " '" + p.label + "'";
        if (p.rows <= 0 || p.cols <= 0)
            throw ShapeError(who + ": rows and cols must be positive, got " + std::to_string(p.rows) + "x" +
                             std::to_string(p.cols));
        if (p.rows > 4096 || p.cols > 4096)
            throw ShapeError(who + ": " + std::to_string(p.rows) + "x" + std::to_string(p.cols) +
                             " is too large to draw (at most 4096 per side)");
        if (p.values.size() != static_cast<size_t>(p.rows) * static_cast<size_t>(p.cols))
            throw ShapeError(who + ": " + std::to_string(p.values.size()) + " values for " +
                             std::to_string(p.rows) + "x" + std::to_string(p.cols));
        if (!p.col_labels.empty() && p.col_labels.size() != static_cast<size_t>(p.cols))
            throw ShapeError(who + ": " + std::to_string(p.col_labels.size()) + " column labels for " +
                             std::to_string(p.cols) + " columns");
        if (!p.row_labels.empty() && p.row_labels.size() != static_cast<size_t>(p.rows))
            throw ShapeError(who + ": " + std::to_string(p.row_labels.size()) + " row labels for " +
                             std::to_string(p.rows) + " rows");
        if (!std::isfinite(p.vmin) || !std::isfinite(p.vmax) || p.vmin > p.vmax)
            throw ValueError(who + ": need finite vmin <= vmax, got " + std::to_string(p.vmin) + ", " +
                             std::to_string(p.vmax));
    }
}

Plan make_plan(const std::vector<HeatmapPanel>& panels, const HeatmapStyle& style) {
    validate(panels, style);
    const Font& font = style.font ? *style.font : Font::default_font();
    const int cell = style.cell_px;
    const int tick_h = font.render("0", kTickPx).height;
    Plan plan;

    // ---- pass 1: measure everything that sets the column widths ----
    const TextMask y_label = font.render(style.y_label, kLabelPx);
    const int y_label_w = style.y_label.empty() ? 0 : y_label.height + 6;  // rotated: its height is a width
    const int x_label_w = style.x_label.empty() ? 0 : font.text_width(style.x_label, kLabelPx);
    // The "axes" column holds the matrices, centred, and is wide enough for each panel's label,
    // the x label and column labels that overhang a small matrix.
    int row_numbers_w = 0, axes_w = 0, bar_labels_w = 0;
    std::vector<int> row_labels_w(panels.size(), 0);
    std::vector<std::vector<TextMask>> row_label_masks(panels.size());
    std::vector<std::vector<std::string>> bar_texts(panels.size());
    for (size_t i = 0; i < panels.size(); ++i) {
        const HeatmapPanel& p = panels[i];
        PanelPlan pp;
        pp.row_ticks = index_ticks(p.rows, cell, tick_h + 2);
        for (int r : pp.row_ticks) row_numbers_w = std::max(row_numbers_w, font.text_width(std::to_string(r), kTickPx));
        int overhang = 0;  // how far the widest column text reaches beyond its cell on one side
        if (p.col_labels.empty()) {
            pp.col_ticks = index_ticks(p.cols, cell, font.text_width(std::to_string(p.cols - 1), kTickPx) + 2);
        } else {
            for (int c = 0; c < p.cols; ++c) {
                pp.col_ticks.push_back(c);
                overhang = std::max(overhang, (font.text_width(p.col_labels[static_cast<size_t>(c)], kTickPx) - cell) / 2);
            }
        }
        for (const std::string& s : p.row_labels) {
            row_label_masks[i].push_back(font.render(s, kTickPx));
            row_labels_w[i] = std::max(row_labels_w[i], row_label_masks[i].back().width);
        }
        const int label_w = p.label.empty() ? 0 : font.text_width(p.label, kLabelPx);
        axes_w = std::max({axes_w, p.cols * cell + 1 + 2 * overhang, label_w, x_label_w});
        // The colorbar is at least kColorbarMinHeight tall; its tick count follows its height.
        const int bar_h = std::max(p.rows * cell + 1, kColorbarMinHeight);
        auto [ticks, decimals] = nice_ticks(p.vmin, p.vmax, std::clamp(bar_h / (tick_h + 6), 2, 11));
        pp.bar_ticks = ticks;
        for (double v : ticks) {
            bar_texts[i].push_back(format_number(v, decimals));
            bar_labels_w = std::max(bar_labels_w, font.text_width(bar_texts[i].back(), kTickPx));
        }
        plan.panels.push_back(pp);
    }
    const int axes_x = kMargin + y_label_w + row_numbers_w + kTickGap + kTickLen;
    int right = axes_x + axes_w;  // the right end of the matrices, their row labels and axis text
    std::vector<int> matrix_x(panels.size());
    for (size_t i = 0; i < panels.size(); ++i) {
        const int matrix_w = panels[i].cols * cell + 1;
        matrix_x[i] = axes_x + (axes_w - matrix_w) / 2;
        if (row_labels_w[i] > 0) right = std::max(right, matrix_x[i] + matrix_w + 6 + row_labels_w[i]);
    }
    const int bar_x = right + kColorbarGap;
    int width = bar_x + kColorbarWidth + kTickLen + kTickGap + bar_labels_w + kMargin;

    // ---- pass 2: top to bottom ----
    int y = kMargin;
    TextMask title;
    if (!style.title.empty()) {
        title = font.render(style.title, kTitlePx);
        width = std::max(width, title.width + 2 * kMargin);
        plan.layout.title = {0, y, title.width, title.height};  // x is set once the width is known
        y += title.height + 10;
    }
    for (size_t i = 0; i < panels.size(); ++i) {
        const HeatmapPanel& p = panels[i];
        PanelPlan& pp = plan.panels[i];
        const int panel_top = y;
        pp.matrix = {matrix_x[i], y, p.cols * cell + 1, p.rows * cell + 1};
        if (!p.label.empty()) {
            TextMask label = font.render(p.label, kLabelPx);
            const int label_x = std::max(kMargin, pp.matrix.x + (pp.matrix.w - label.width) / 2);
            width = std::max(width, label_x + label.width + kMargin);
            pp.matrix.y += label.height + 4;
            plan.texts.push_back({std::move(label), label_x, y, false});
        }
        const Rect& m = pp.matrix;
        int bottom = m.y + m.h;

        // Column ticks and their numbers (or the panel's column labels) under the matrix.
        const int col_text_y = m.y + m.h + kTickLen + 1;
        for (int c : pp.col_ticks) {
            TextMask t = font.render(p.col_labels.empty() ? std::to_string(c) : p.col_labels[static_cast<size_t>(c)],
                                     kTickPx);
            const int cx = m.x + c * cell + cell / 2;
            bottom = std::max(bottom, col_text_y + t.height);
            plan.texts.push_back({std::move(t), 0, col_text_y, false});
            plan.texts.back().x = cx - plan.texts.back().mask.width / 2;
        }
        if (!style.x_label.empty()) {
            TextMask t = font.render(style.x_label, kLabelPx);
            const int tx = m.x + (m.w - t.width) / 2;
            width = std::max(width, tx + t.width + kMargin);
            plan.texts.push_back({std::move(t), tx, bottom + 2, false});
            bottom += 2 + plan.texts.back().mask.height;
        }
        // Row numbers left of the matrix, row labels right of it, both centred on their row.
        for (int r : pp.row_ticks) {
            TextMask t = font.render(std::to_string(r), kTickPx);
            const int tx = m.x - kTickLen - kTickGap - t.width;
            const int ty = m.y + r * cell + cell / 2 - t.height / 2;
            plan.texts.push_back({std::move(t), tx, ty, false});
        }
        for (size_t r = 0; r < row_label_masks[i].size(); ++r) {
            TextMask& t = row_label_masks[i][r];
            const int ty = m.y + static_cast<int>(r) * cell + cell / 2 - t.height / 2;
            plan.texts.push_back({std::move(t), m.x + m.w + 6, ty, false});
        }
        // The colorbar, as tall as the matrix (or centred on it when the matrix is short), and its ticks.
        const int bar_h = std::max(m.h, kColorbarMinHeight);
        pp.colorbar = {bar_x, std::max(panel_top + tick_h / 2, m.y + m.h / 2 - bar_h / 2), kColorbarWidth, bar_h};
        const Rect& b = pp.colorbar;
        for (size_t k = 0; k < pp.bar_ticks.size(); ++k) {
            TextMask t = font.render(bar_texts[i][k], kTickPx);
            const double frac = p.vmax > p.vmin ? (pp.bar_ticks[k] - p.vmin) / (p.vmax - p.vmin) : 0.0;
            const int ty = b.y + b.h - 1 - static_cast<int>(std::lround(frac * (b.h - 1))) - t.height / 2;
            bottom = std::max(bottom, ty + t.height);
            plan.texts.push_back({std::move(t), b.x + b.w + kTickLen + kTickGap, ty, false});
        }
        // The y label, rotated, centred on the matrix but never above the panel's top.
        if (!style.y_label.empty()) {
            const int ty = std::max(panel_top, m.y + m.h / 2 - y_label.width / 2);
            bottom = std::max(bottom, ty + y_label.width);
            plan.texts.push_back({y_label, kMargin, ty, true});
        }
        y = bottom + kPanelGap;
    }
    plan.layout.width = width;
    plan.layout.height = y - kPanelGap + kMargin;
    if (!style.title.empty()) {
        plan.layout.title.x = (width - title.width) / 2;
        plan.texts.push_back({std::move(title), plan.layout.title.x, plan.layout.title.y, false});
    }
    for (const PanelPlan& pp : plan.panels) {
        plan.layout.matrices.push_back(pp.matrix);
        plan.layout.colorbars.push_back(pp.colorbar);
    }
    return plan;
}

void draw_panel(Image& img, const HeatmapPanel& p, const PanelPlan& pp, const Colormap& cmap, const HeatmapStyle& style) {
    const int cell = style.cell_px;
    const Rect& m = pp.matrix;
    for (int r = 0; r < p.rows; ++r)
        for (int c = 0; c < p.cols; ++c) {
            const float v = p.values[static_cast<size_t>(r) * p.cols + c];
            img.fill_rect(m.x + c * cell, m.y + r * cell, cell, cell, cmap(Colormap::normalize(v, p.vmin, p.vmax)));
        }
    if (style.grid && cell >= 8) {
        for (int c = 1; c < p.cols; ++c) img.fill_rect(m.x + c * cell, m.y, 1, m.h, kGridColor);
        for (int r = 1; r < p.rows; ++r) img.fill_rect(m.x, m.y + r * cell, m.w, 1, kGridColor);
    }
    img.outline_rect(m.x, m.y, m.w, m.h, kInk);
    for (int c : pp.col_ticks) img.fill_rect(m.x + c * cell + cell / 2, m.y + m.h, 1, kTickLen, kInk);
    for (int r : pp.row_ticks) img.fill_rect(m.x - kTickLen, m.y + r * cell + cell / 2, kTickLen, 1, kInk);

    // Colorbar: vmax in the top row inside the frame, vmin in the bottom one.
    const Rect& b = pp.colorbar;
    for (int yy = 1; yy < b.h - 1; ++yy) {
        const float t = 1.0f - static_cast<float>(yy - 1) / static_cast<float>(std::max(1, b.h - 3));
        img.fill_rect(b.x, b.y + yy, b.w, 1, cmap(t));
    }
    img.outline_rect(b.x, b.y, b.w, b.h, kInk);
    for (double v : pp.bar_ticks) {
        const double frac = p.vmax > p.vmin ? (v - p.vmin) / (p.vmax - p.vmin) : 0.0;
        const int ty = b.y + b.h - 1 - static_cast<int>(std::lround(frac * (b.h - 1)));
        img.fill_rect(b.x + b.w, ty, kTickLen, 1, kInk);
    }
}

}  // namespace

HeatmapPanel HeatmapPanel::from_tensor(std::string label, const Tensor& values) {
    if (!values.defined() || values.ndim() != 2)
        shape_error("HeatmapPanel::from_tensor", "expected a 2-D (rows, cols) tensor, got " +
                                                     (values.defined() ? shape_str(values.shape()) : "undefined"));
    HeatmapPanel p;
    p.label = std::move(label);
    p.rows = static_cast<int>(values.dim(0));
    p.cols = static_cast<int>(values.dim(1));
    p.values = values.to_vector();
    return p;
}

HeatmapPanel& HeatmapPanel::fit_range() {
    bool any = false;
    float lo = 0, hi = 0;
    for (float v : values) {
        if (!std::isfinite(v)) continue;
        lo = any ? std::min(lo, v) : v;
        hi = any ? std::max(hi, v) : v;
        any = true;
    }
    if (any) {
        vmin = lo;
        vmax = hi;
    }
    return *this;
}

HeatmapLayout layout_heatmap(const std::vector<HeatmapPanel>& panels, const HeatmapStyle& style) {
    return make_plan(panels, style).layout;
}

Image render_heatmap(const std::vector<HeatmapPanel>& panels, const HeatmapStyle& style) {
    const Plan plan = make_plan(panels, style);
    const Colormap cmap = Colormap::named(style.colormap);
    Image img(plan.layout.width, plan.layout.height, kWhite);
    for (size_t i = 0; i < panels.size(); ++i) draw_panel(img, panels[i], plan.panels[i], cmap, style);
    for (const PlacedText& t : plan.texts) draw_text(img, t.mask, t.x, t.y, kInk, t.rotated);
    return img;
}

Image render_heatmap(const Tensor& values, const HeatmapStyle& style) {
    return render_heatmap({HeatmapPanel::from_tensor("", values)}, style);
}

}  // namespace tn
