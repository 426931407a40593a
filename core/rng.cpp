#include "core/rng.h"

#include <bit>
#include <cmath>
#include <numbers>

#include "core/error.h"

namespace tn {

static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

Rng::Rng(uint64_t seed) {
    for (auto& s : s_) s = splitmix64(seed);
}

uint64_t Rng::next_u64() {  // xoshiro256** (Blackman & Vigna)
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

float Rng::uniform() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }

float Rng::uniform(float lo, float hi) {
    float u = lo + (hi - lo) * uniform();
    return u < hi ? u : lo;  // guard the rounding of lo + (hi-lo)*u up to hi
}

double Rng::uniform_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

float Rng::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return static_cast<float>(spare_);
    }
    double u1 = uniform_double();
    while (u1 <= 0.0) u1 = uniform_double();
    const double u2 = uniform_double();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * std::numbers::pi * u2);
    has_spare_ = true;
    return static_cast<float>(r * std::cos(2.0 * std::numbers::pi * u2));
}

uint64_t Rng::below(uint64_t n) {
    if (n == 0) return 0;
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // reject the biased tail
    uint64_t x = next_u64();
    while (x >= limit) x = next_u64();
    return x % n;
}

Rng Rng::split() { return Rng(next_u64()); }

std::array<uint64_t, 6> Rng::state() const {
    return {s_[0], s_[1], s_[2], s_[3], has_spare_ ? 1u : 0u, std::bit_cast<uint64_t>(spare_)};
}

void Rng::set_state(const std::array<uint64_t, 6>& state) {
    if ((state[0] | state[1] | state[2] | state[3]) == 0)
        value_error("Rng::set_state", "the four xoshiro words are all zero, a state the generator never reaches");
    if (state[4] > 1) value_error("Rng::set_state", "the spare flag must be 0 or 1, got " + std::to_string(state[4]));
    if (state[4] == 1 && !std::isfinite(std::bit_cast<double>(state[5])))
        value_error("Rng::set_state", "the cached spare normal is not a finite number");
    for (int i = 0; i < 4; ++i) s_[i] = state[i];
    has_spare_ = state[4] == 1;
    spare_ = std::bit_cast<double>(state[5]);
}

}  // namespace tn
