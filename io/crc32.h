// tapenet io: CRC-32, the checksum of the zlib, PNG and gzip formats (IEEE 802.3 polynomial).
//
//   uint32_t c = tn::crc32(bytes.data(), bytes.size());     // crc32("123456789") == 0xcbf43926
//   c = tn::crc32(more.data(), more.size(), c);             // continue over a second buffer
//
// Reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF: the same number
// zlib.crc32 and Python's binascii.crc32 give, so a weights file can be checked with any of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tn {

// The CRC-32 of `size` bytes at `data`, continuing from `crc` (the CRC of the bytes before them; 0
// for none).
uint32_t crc32(const void* data, std::size_t size, uint32_t crc = 0);

// 8 lowercase hex digits, as model.json stores a CRC: 0xbb2d46e5 -> "bb2d46e5".
std::string crc32_hex(uint32_t crc);

}  // namespace tn
