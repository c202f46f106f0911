#include "sync/gzip.hpp"

#include <zlib.h>

namespace tsunagi::sync {

Result<std::string> gzip_compress(std::string_view text) {
  const Error failed = make_error("net.other", "", "cannot compress the body", "本文を圧縮できません");
  z_stream stream{};
  // windowBits 15 + 16 asks zlib for a gzip wrapper instead of a zlib one: Content-Encoding gzip means RFC 1952.
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return failed;
  std::string compressed(deflateBound(&stream, static_cast<uLong>(text.size())) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_out = static_cast<uInt>(compressed.size());
  // deflateBound plus the gzip header room guarantees one Z_FINISH call completes.
  int status = deflate(&stream, Z_FINISH);
  std::size_t produced = stream.total_out;
  deflateEnd(&stream);
  if (status != Z_STREAM_END) return failed;
  compressed.resize(produced);
  return compressed;
}

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  std::size_t start = 0;
  while (start <= accept_encoding.size()) {
    std::size_t comma = accept_encoding.find(',', start);
    if (comma == std::string_view::npos) comma = accept_encoding.size();
    std::string_view item = trimmed(accept_encoding.substr(start, comma - start));
    start = comma + 1;
    std::size_t semicolon = item.find(';');
    std::string_view coding = trimmed(item.substr(0, semicolon));
    if (coding != "gzip" && coding != "x-gzip" && coding != "*") continue;
    if (semicolon == std::string_view::npos) return true;
    std::string_view weight = trimmed(item.substr(semicolon + 1));
    // "q=0", "q=0.0", "q=0.000": refused; any other weight accepts.
    if (weight.rfind("q=", 0) == 0 && weight.find_first_not_of("0.", 2) == std::string_view::npos) continue;
    return true;
  }
  return false;
}

}  // namespace tsunagi::sync
