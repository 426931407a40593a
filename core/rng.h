// tapenet core: the seeded random number generator.
//
// Every random draw in tapenet (initializers, dropout masks, shuffling, example data) comes from
// an Rng passed in explicitly, so the same seed gives bit-identical results. The generator is
// splitmix64-seeded xoshiro256**; the float conversions are written out here rather than taken
// from <random>'s distributions, whose output differs between standard libraries.
#pragma once

#include <array>
#include <cstdint>

namespace tn {

class Rng {
public:
    explicit Rng(uint64_t seed = 0);
    uint64_t next_u64();
    float uniform();                          // [0, 1), 24 random bits
    float uniform(float lo, float hi);        // [lo, hi)
    double uniform_double();                  // [0, 1), 53 random bits
    float normal();                           // standard normal (Box-Muller, double precision)
    uint64_t below(uint64_t n);               // integer in [0, n), unbiased
    // A new generator whose stream is independent of this one (for a layer's own dropout, ...).
    Rng split();

    // The whole state as six words (xoshiro's four, whether a spare normal is cached, the spare's
    // bits), for checkpoints: set_state(state()) continues with exactly the same draws.
    std::array<uint64_t, 6> state() const;
    void set_state(const std::array<uint64_t, 6>& state);  // throws tn::ValueError on an impossible state

private:
    uint64_t s_[4];
    bool has_spare_ = false;
    double spare_ = 0.0;
};

}  // namespace tn
