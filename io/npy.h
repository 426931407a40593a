// tapenet io: NumPy's .npy array files (format versions 1.0, 2.0 and 3.0), what numpy.save writes
// and numpy.load reads.
//
//   tn::Tensor x = tn::read_npy("x.npy");   // float32, float64, int32 or int64 data, as float32
//   tn::write_npy("y.npy", y);              // '<f4', C order, byte for byte what numpy 1.24 saves
//
// A file is: the magic "\x93NUMPY", the version (two bytes, major and minor), the header's length
// (uint16 little-endian in version 1, uint32 in versions 2 and 3), the header, then the elements
// back to back. The header is a Python dict literal, padded with spaces and ended by '\n' so that
// the data starts at a multiple of 64 bytes:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// Version 3 differs from 2 only in allowing UTF-8 in the header.
//
// Reading takes 'descr' '<f4', '<f8', '<i4' and '<i8' ('=' for native order is '<' here) and
// converts to float32: float64 values round to nearest (a finite value beyond float32's range is
// refused), integers must lie in [-2^24, 2^24], where float32 holds every integer exactly.
// fortran_order True (column-major data) is transposed to tapenet's row-major order. A 0-d array
// is a tensor of shape (); an empty one has a 0 in its shape. Everything else is a tn::FormatError
// naming the file and the problem, checked before any tensor is allocated: not a .npy file, a
// version other than 1-3, a header that is not the dict above, a big-endian descr ('>f4'), another
// dtype ('|b1', '<u2', a structured or object dtype), and data shorter or longer than the shape
// needs (the header's shape is checked against the file's size first).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/tensor.h"

namespace tn {

// What a .npy header says.
struct NpyHeader {
    int major_version = 1, minor_version = 0;
    std::string descr;          // e.g. "<f4"
    bool fortran_order = false;
    Shape shape;                // () for a 0-d array
    int64_t data_offset = 0;    // where the data starts: magic, version, length and header
};

// The header of the .npy bytes; `name` (a file name) starts every error message.
NpyHeader parse_npy_header(std::string_view bytes, const std::string& name);
// The array held by the .npy bytes, as float32.
Tensor parse_npy(std::string_view bytes, const std::string& name);
Tensor read_npy(const std::string& path);

// The .npy bytes of a tensor: '<f4', C order, version 1.0. A rank above 64 is a ShapeError.
std::string npy_bytes(const Tensor& t);
// Writes npy_bytes(t) to `path` atomically (io/atomic_file.h).
void write_npy(const std::string& path, const Tensor& t);

}  // namespace tn
