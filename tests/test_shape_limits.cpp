// Shapes too large for a tensor: an element count that would overflow is a ShapeError naming the
// shape, and storage the machine cannot hold is an AllocationError naming the shape and the size,
// both thrown before anything is written.
#include <cstdint>
#include <new>
#include <string>

#include <doctest/doctest.h>

#include "core/error.h"
#include "core/ops.h"
#include "core/rng.h"
#include "tests/test_util.h"

using namespace tn;
using tn::testing::contains;

namespace {

// The message of the exception `make` throws as E ("" if it throws nothing or something else).
template <class E, class F>
std::string thrown(F make) {
    try {
        make();
    } catch (const E& e) {
        return e.what();
    } catch (...) {
        return "(another exception)";
    }
    return "(nothing thrown)";
}

}  // namespace

TEST_CASE("shape limits: an element count beyond kMaxNumel is a ShapeError naming the shape") {
    CHECK_THROWS_WITH_AS(Tensor({int64_t{1} << 62, 4}),
                         "tensor: shape (4611686018427387904, 4) has more elements than a tensor can hold "
                         "(at most 2305843009213693951)",
                         ShapeError);
    CHECK_THROWS_AS(Tensor::empty({INT64_MAX, 2}), ShapeError);
    CHECK_THROWS_AS(Tensor::zeros({int64_t{1} << 31, int64_t{1} << 31, int64_t{1} << 31}), ShapeError);
    CHECK_THROWS_AS(shape_numel({kMaxNumel + 1}), ShapeError);
    CHECK(shape_numel({kMaxNumel}) == kMaxNumel);
    CHECK(shape_numel({int64_t{1} << 40, int64_t{1} << 20}) == int64_t{1} << 60);
    CHECK_THROWS_AS(shape_numel({int64_t{1} << 40, int64_t{1} << 21}), ShapeError);  // 2^61 = kMaxNumel + 1
    // A zero dimension makes any shape empty, however large the others.
    CHECK(shape_numel({INT64_MAX, INT64_MAX, 0}) == 0);
    CHECK(Tensor({0, INT64_MAX}).numel() == 0);
}

TEST_CASE("shape limits: a negative dimension is a ShapeError naming the shape") {
    CHECK_THROWS_WITH_AS(Tensor({2, -3}), "tensor: negative dimension in shape (2, -3)", ShapeError);
    CHECK_THROWS_WITH_AS(Tensor::arange(-1), "tensor: negative dimension in shape (-1,)", ShapeError);
}

TEST_CASE("shape limits: reshape checks the product of the known dimensions") {
    const Tensor x = Tensor::zeros({4});
    CHECK_THROWS_AS(reshape(x, {int64_t{1} << 62, 4, -1}), ShapeError);
    CHECK_THROWS_WITH_AS(reshape(x, {-1, -1}), "reshape: at most one -1 can be inferred, got (-1, -1)", ShapeError);
    CHECK(reshape(x, {2, -1}).shape() == Shape{2, 2});
}

TEST_CASE("shape limits: storage beyond the machine's memory is an AllocationError naming shape and size") {
    const Shape huge{int64_t{1} << 40, 4};  // 2^42 floats = 16 TiB
    const std::string expected = "tensor of shape (1099511627776, 4): cannot allocate 4398046511104 floats (16384.0 GiB)";
    for (const std::string& message :
         {thrown<AllocationError>([&] { Tensor t(huge); }), thrown<AllocationError>([&] { Tensor::empty(huge); }),
          thrown<AllocationError>([&] { Tensor::ones(huge); }), thrown<AllocationError>([&] {
              Rng rng(1);
              Tensor::uniform(huge, 0, 1, rng);
          })}) {
        CAPTURE(message);
        CHECK(message.rfind(expected, 0) == 0);
        CHECK(contains(message, "memory"));
    }
    // It is a std::bad_alloc: code that handles running out of memory still catches it.
    CHECK_THROWS_AS(Tensor::zeros(huge), std::bad_alloc);
}
