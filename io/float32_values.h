// tapenet io: numbers read from data files (.npy, .csv, JSON) as float32, the one dtype of
// tapenet's tensors, refusing what float32 would silently change.
//
//   if (std::string why = tn::float32_problem(v); !why.empty()) format_error(file, "element 3 is " + why);
//
// Integers must lie in [-2^24, 2^24], where float32 holds every integer exactly (token ids, class
// indices). A float64 rounds to the nearest float32; a finite one beyond float32's range (about
// 3.4e38) is refused instead of becoming infinite. NaN and the infinities pass as they are.
#pragma once

#include <cstdint>
#include <string>

namespace tn {

inline constexpr int64_t kMaxExactFloat32Integer = int64_t{1} << 24;

// "" when the value converts to float32 as described above, else what is wrong with it, e.g.
// "the integer 16777217, which float32 cannot hold exactly (...)".
std::string float32_problem(int64_t integer);
std::string float32_problem(double value);

}  // namespace tn
