#include "io/crc32.h"

#include <array>
#include <cstdio>

namespace tn {

namespace {

// Byte-at-a-time table: entry b is the CRC register after shifting the byte b through the
// polynomial division (8 steps of "shift right, XOR the polynomial when a 1 falls out").
constexpr std::array<uint32_t, 256> make_table() {
    std::array<uint32_t, 256> table{};
    for (uint32_t b = 0; b < 256; ++b) {
        uint32_t r = b;
        for (int bit = 0; bit < 8; ++bit) r = (r & 1u) ? (r >> 1) ^ 0xEDB88320u : r >> 1;
        table[b] = r;
    }
    return table;
}

constexpr std::array<uint32_t, 256> kTable = make_table();

}  // namespace

uint32_t crc32(const void* data, std::size_t size, uint32_t crc) {
    const auto* p = static_cast<const unsigned char*>(data);
    uint32_t r = ~crc;  // the pre- and post-conditioning XOR with 0xFFFFFFFF
    for (std::size_t i = 0; i < size; ++i) r = kTable[(r ^ p[i]) & 0xFFu] ^ (r >> 8);
    return ~r;
}

std::string crc32_hex(uint32_t crc) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(crc));
    return buf;
}

}  // namespace tn
