// How Catch prints a word diff's piece in a failed check: its op ("=", "-", "+") and its text.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "model/text_diff.hpp"

namespace Catch {
template <>
struct StringMaker<tsunagi::DiffPiece> {
  static std::string convert(const tsunagi::DiffPiece& piece) {
    return std::string(tsunagi::diff_op_symbol(piece.op)) + '"' + piece.text + '"';
  }
};
}  // namespace Catch
