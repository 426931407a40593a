// tapenet io: colormaps, a value in [0, 1] -> an RGB color.
//
//   tn::Colormap cmap = tn::Colormap::named("viridis");   // or "hot", "jet"
//   tn::Rgb c = cmap(0.0f);                                // (68, 1, 84)
//   tn::Rgb d = cmap(tn::Colormap::normalize(x, vmin, vmax));
//
// Each colormap is matplotlib's 256-entry lookup table: viridis is the published table of
// van der Walt, Smith & Firing (CC0); hot and jet are matplotlib's piecewise-linear definitions
// sampled at i/255. As in matplotlib, t picks entry floor(t * 256) (clamped to 0..255), with no
// interpolation between entries, so a figure's colors match a matplotlib figure of the same data.
// Float channels become bytes by rounding (viridis(1) = #fde725 = (253, 231, 37)).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "io/image.h"

namespace tn {

// Cells whose value is NaN: a neutral gray that none of the colormaps contains.
inline constexpr Rgb kNanColor{153, 153, 153};  // also a GIF palette gray (17 * 9)

class Colormap {
public:
    static constexpr int kSize = 256;
    using Table = std::array<Rgb, kSize>;

    // Throws ValueError for an unknown name, listing the known ones.
    static Colormap named(const std::string& name);
    static std::vector<std::string> names();  // {"viridis", "hot", "jet"}

    // Maps v from [vmin, vmax] to [0, 1] (clamped; 0 when vmax == vmin; NaN stays NaN).
    static float normalize(float v, float vmin, float vmax);

    const std::string& name() const { return name_; }
    // t in [0, 1] (clamped; +-inf clamp too); NaN gives kNanColor.
    Rgb operator()(float t) const;
    // Entry i of the 256-entry table.
    Rgb entry(int i) const { return (*table_)[static_cast<size_t>(i)]; }

private:
    Colormap(std::string name, const Table* table) : name_(std::move(name)), table_(table) {}
    std::string name_;
    const Table* table_;
};

}  // namespace tn
